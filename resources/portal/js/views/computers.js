// #/computers: the subscription banner, the computers with live presence (Wake on a
// sleeping one that another of the account's can wake), adding one.
import { call, describeError } from "../api.js";
import { field, h, message, redraw, replace, setBusy } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { store } from "../store.js";
import { banner } from "./banner.js";

export function computersView(main) {
  const bannerBox = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const listBox = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const liveLine = h("p", { class: "live", id: "live-state" });
  const errors = h("div");
  const addBox = addComputer();

  // Live updates redraw only what changed, and never take the focus away.
  let shownSubscription = "";
  function showBanner() {
    const now = JSON.stringify(store.subscription);
    if (!store.subscription || now === shownSubscription) return;
    shownSubscription = now;
    redraw(bannerBox, banner(store.subscription));
  }
  function showComputers() {
    // Not under someone typing a new name: the form's own Save or Cancel redraws after.
    if (listBox.querySelector("form.rename:not([data-closing])")) return;
    if (store.computers) redraw(listBox, computerList(store.computers, errors));
  }
  function showLive() {
    liveLine.textContent = t(store.live ? "live.on" : "live.off");
  }

  replace(
    main,
    h("h1", {}, t("computers.title")),
    bannerBox,
    h("section", { class: "card", "aria-labelledby": "computers-heading" }, h("h2", { id: "computers-heading" }, t("computers.list_label")), errors, listBox, liveLine),
    addBox,
  );
  showBanner();
  showComputers();
  showLive();
  Promise.all([store.refreshSubscription(), store.refreshComputers()]).catch((error) => {
    replace(errors, message("error", describeError(error)));
  });
  return store.on((what) => {
    if (what === "subscription") showBanner();
    if (what === "computers") showComputers();
    if (what === "live") showLive();
  });
}

function computerList(computers, errors) {
  if (computers.length === 0) return h("p", { class: "muted", id: "no-computers" }, t("computers.none"));
  return h("ul", { class: "computers", id: "computer-list" }, computers.map((computer) => computerRow(computer, errors)));
}

function computerRow(computer, errors) {
  const presence = h(
    "span",
    { class: `presence ${computer.online ? "online" : "offline"}`, "data-online": String(computer.online) },
    t(computer.online ? "computers.online" : "computers.offline"),
  );
  const seen = computer.last_seen ? t("computers.last_seen", { when: formatDateTime(computer.last_seen) }) : t("computers.never_seen");
  const row = h(
    "li",
    { class: "computer", "data-computer-id": computer.id, "aria-label": computer.name },
    h("span", { class: "name" }, computer.name),
    presence,
    h("span", { class: "details" }, computer.os || t("computers.os_unknown"), " · ", computer.online ? "" : seen),
    h("span", { class: "row" },
      wakeButton(computer, errors),
      h("button", { type: "button", "aria-label": `${t("computers.rename")} ${computer.name}`, onclick: () => rename(row, computer, errors) }, t("computers.rename")),
      h("button", { type: "button", class: "danger", "aria-label": `${t("computers.remove")} ${computer.name}`, onclick: (event) => remove(event.currentTarget, computer, errors) }, t("computers.remove")),
    ),
  );
  return row;
}

// Computers asked to wake, shown "Waking…" until they come online (or a while passes):
// kept here, as the list is redrawn by every live update.
const waking = new Map();
const WAKE_WAIT_MS = 3 * 60 * 1000;

function wakeButton(computer, errors) {
  if (computer.online) waking.delete(computer.id);
  const isWaking = waking.has(computer.id);
  if (computer.online || !(isWaking || (computer.wake && computer.wake.available))) return null;
  const button = h(
    "button",
    {
      type: "button",
      class: "primary wake",
      "aria-label": `${t("computers.wake")} ${computer.name}`,
      title: t("computers.wake_hint"),
      onclick: () => wake(computer, errors),
    },
    t("computers.wake"),
  );
  if (isWaking) setBusy(button, true, t("computers.waking"));
  return button;
}

async function wake(computer, errors) {
  waking.set(computer.id, setTimeout(() => {
    waking.delete(computer.id);
    store.emit("computers");
  }, WAKE_WAIT_MS));
  store.emit("computers");
  try {
    const started = await call("POST", `/computers/${encodeURIComponent(computer.id)}/wake`);
    replace(errors, message("ok", t("computers.wake_sent", { name: computer.name, via: started.via.name })));
  } catch (error) {
    clearTimeout(waking.get(computer.id));
    waking.delete(computer.id);
    store.emit("computers");
    replace(errors, message("error", describeError(error)));
  }
}

function rename(row, computer, errors) {
  const input = h("input", { type: "text", value: computer.name, maxlength: 200, required: true });
  const save = h("button", { type: "submit", class: "primary" }, t("computers.save"));
  const form = h(
    "form",
    {
      class: "row rename",
      onsubmit: async (event) => {
        event.preventDefault();
        setBusy(save, true, t("manage.saving"));
        try {
          const renamed = await call("PATCH", `/computers/${encodeURIComponent(computer.id)}`, { name: input.value });
          computer.name = renamed.name;
          replace(errors, message("ok", t("computers.renamed", { name: renamed.name })));
          form.dataset.closing = "1";
          store.emit("computers");
        } catch (error) {
          setBusy(save, false);
          replace(errors, message("error", describeError(error)));
        }
      },
    },
    field(t("computers.rename_label", { name: computer.name }), input),
    save,
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          form.dataset.closing = "1";
          store.emit("computers");
        },
      },
      t("computers.cancel"),
    ),
  );
  replace(row, form);
  input.focus();
  input.select();
}

async function remove(button, computer, errors) {
  if (!window.confirm(t("computers.remove_confirm", { name: computer.name }))) return;
  setBusy(button, true, t("computers.remove"));
  try {
    await call("DELETE", `/computers/${encodeURIComponent(computer.id)}`);
    store.computers = (store.computers || []).filter((c) => c.id !== computer.id);
    replace(errors, message("ok", t("computers.removed", { name: computer.name })));
    store.emit("computers");
  } catch (error) {
    setBusy(button, false);
    replace(errors, message("error", describeError(error)));
  }
}

function addComputer() {
  const result = h("div", { id: "enrolment" });
  const get = h(
    "button",
    {
      type: "button",
      id: "get-code",
      onclick: async () => {
        setBusy(get, true, t("computers.code_busy"));
        try {
          const issued = await call("POST", "/enrollment-codes");
          replace(result, enrolment(issued));
        } catch (error) {
          replace(result, message("error", describeError(error)));
        }
        setBusy(get, false);
      },
    },
    t("computers.get_code"),
  );
  return h(
    "section",
    { class: "card stack", "aria-labelledby": "add-heading" },
    h("h2", { id: "add-heading" }, t("computers.add_title")),
    h("p", {}, t("computers.add_steps")),
    get,
    result,
  );
}

function enrolment(issued) {
  const copied = h("span", { role: "status", class: "muted" });
  const command = `porthole agent enroll --cloud ${location.origin} --name "My PC" --code ${issued.code}`;
  return h(
    "div",
    { class: "stack" },
    h("div", { class: "row" },
      h("span", {}, t("computers.code_label"), ":"),
      h("span", { class: "code", id: "enrolment-code" }, issued.code),
      h("button", {
        type: "button",
        id: "copy-code",
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(issued.code);
            copied.textContent = t("computers.copied");
          } catch {
            copied.textContent = t("computers.copy_failed");
          }
        },
      }, t("computers.copy")),
      copied,
    ),
    h("p", { class: "muted" }, t("computers.code_expires", { when: formatDateTime(issued.expires_at) })),
    h("pre", { class: "command" }, command),
    h("p", {}, t("computers.step_run")),
  );
}
