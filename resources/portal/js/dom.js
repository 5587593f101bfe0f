// Building the page from data without innerHTML: text is always text, never markup.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      node.className = value;
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

// Replace what a live update redraws without taking the keyboard focus away: the element
// that had it (found again by id, or by its accessible name) gets it back.
export function redraw(node, ...children) {
  const focused = node.contains(document.activeElement) ? document.activeElement : null;
  const key = focused && (focused.id ? `#${CSS.escape(focused.id)}` : focused.getAttribute("aria-label"));
  replace(node, ...children);
  if (!key) return;
  const again = key.startsWith("#")
    ? node.querySelector(key)
    : [...node.querySelectorAll("[aria-label]")].find((el) => el.getAttribute("aria-label") === key);
  if (again) again.focus();
}

let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled input: the label's `for` points at the input, for screen readers and clicks.
export function field(labelText, input, hint) {
  const id = input.id || uid("field");
  input.id = id;
  const hintNode = hint ? h("div", { class: "muted", id: `${id}-hint` }, hint) : null;
  if (hintNode) input.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input, hintNode);
}

export function message(kind, text) {
  return h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

// A button busy with a request: disabled, says so to screen readers, shows a spinner.
export function setBusy(button, busy, busyText) {
  if (busy) {
    button.dataset.idleText = button.dataset.idleText || button.textContent;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    replace(button, h("span", { class: "spinner", "aria-hidden": "true" }), busyText);
  } else {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.dataset.idleText) replace(button, button.dataset.idleText);
  }
}
