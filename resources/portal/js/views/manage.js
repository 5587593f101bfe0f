// #/subscription/manage: auto-renewal off and on again, with visible progress until the
// cloud confirms.
import { call, describeError } from "../api.js";
import { h, message, redraw, replace, setBusy } from "../dom.js";
import { formatDate, planName, t } from "../i18n.js";
import { store } from "../store.js";
import { banner } from "./banner.js";
import { cardForm } from "./card.js";

export function manageView(main) {
  const box = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const status = h("div", { id: "manage-status" });
  let saving = false;
  replace(main, h("h1", {}, t("manage.title")), box, status);

  let shown = "";
  function show() {
    const sub = store.subscription;
    // Redraw only on a real change (not to lose a card being typed) and keep the focus.
    if (!sub || saving || JSON.stringify(sub) === shown) return;
    shown = JSON.stringify(sub);
    if (sub.state === "bundled") {
      redraw(box, banner(sub), message("info", t("manage.bundled_text", { date: formatDate(sub.current_period_end) })));
      return;
    }
    if (sub.state !== "active" && sub.state !== "grace") {
      redraw(box, banner(sub), h("p", {}, t("manage.nothing")));
      return;
    }
    const on = sub.auto_renew;
    const toggle = h(
      "button",
      { type: "button", id: "auto-renew-toggle", class: on ? "danger" : "primary", onclick: () => save(toggle, !on) },
      t(on ? "manage.disable" : "manage.enable"),
    );
    redraw(
      box,
      sub.state === "grace" ? banner(sub) : null,
      h("section", { class: "card stack", "aria-labelledby": "plan-heading" },
        h("h2", { id: "plan-heading" }, planName(sub.plan)),
        h("p", { id: "renewal-state", "data-auto-renew": String(on) },
          t(on ? "manage.on_text" : "manage.off_text", { date: formatDate(sub.current_period_end) })),
        toggle,
      ),
      paymentMethod(sub, status),
    );
  }

  async function save(button, enabled) {
    saving = true;
    setBusy(button, true, t("manage.saving"));
    replace(status);
    try {
      await call("PUT", "/subscription/auto-renew", { enabled });
      saving = false;
      await store.refreshSubscription();
      replace(status, message("ok", t(enabled ? "manage.saved_on" : "manage.saved_off")));
    } catch (error) {
      saving = false;
      setBusy(button, false);
      replace(status, message("error", describeError(error)));
    }
  }

  store.refreshSubscription().catch((error) => replace(box, message("error", describeError(error))));
  show();
  return store.on((what) => {
    if (what === "subscription") show();
  });
}

// The card that pays renewals, and replacing it (in grace, the cloud retries at once).
function paymentMethod(sub, status) {
  const card = cardForm();
  const save = h("button", { type: "submit", class: "primary", id: "save-card" }, t("manage.save_card"));
  const form = h(
    "form",
    {
      class: "stack",
      hidden: true,
      onsubmit: async (event) => {
        event.preventDefault();
        let details;
        try {
          details = card.read();
        } catch (error) {
          replace(status, message("error", error.message));
          return;
        }
        setBusy(save, true, t("manage.saving"));
        try {
          await call("PUT", "/subscription/payment-method", { payment_method: details });
          await store.refreshSubscription();
          replace(status, message("ok", t(sub.state === "grace" ? "manage.card_saved_retry" : "manage.card_saved")));
        } catch (error) {
          setBusy(save, false);
          replace(status, message("error", describeError(error)));
        }
      },
    },
    card.element,
    save,
  );
  const change = h(
    "button",
    {
      type: "button",
      id: "change-card",
      "aria-expanded": "false",
      onclick: () => {
        form.hidden = !form.hidden;
        change.setAttribute("aria-expanded", String(!form.hidden));
      },
    },
    t("manage.change_card"),
  );
  return h(
    "section",
    { class: "card stack", "aria-labelledby": "method-heading" },
    h("h2", { id: "method-heading" }, t("banner.method")),
    h("p", { id: "payment-method" }, sub.payment_method || "—"),
    change,
    form,
  );
}
