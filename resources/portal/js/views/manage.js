// #/subscription/manage: auto-renewal off and on again, with visible progress until the
// cloud confirms.
import { call, describeError } from "../api.js";
import { h, message, replace, setBusy } from "../dom.js";
import { formatDate, planName, t } from "../i18n.js";
import { store } from "../store.js";
import { banner } from "./banner.js";

export function manageView(main) {
  const box = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const status = h("div", { id: "manage-status" });
  let saving = false;
  replace(main, h("h1", {}, t("manage.title")), box, status);

  function show() {
    const sub = store.subscription;
    if (!sub || saving) return;
    if (sub.state === "bundled") {
      replace(box, banner(sub), message("info", t("manage.bundled_text", { date: formatDate(sub.current_period_end) })));
      return;
    }
    if (sub.state !== "active" && sub.state !== "grace") {
      replace(box, banner(sub), h("p", {}, t("manage.nothing")));
      return;
    }
    const on = sub.auto_renew;
    const toggle = h(
      "button",
      { type: "button", id: "auto-renew-toggle", class: on ? "danger" : "primary", onclick: () => save(toggle, !on) },
      t(on ? "manage.disable" : "manage.enable"),
    );
    replace(
      box,
      h("section", { class: "card stack", "aria-labelledby": "plan-heading" },
        h("h2", { id: "plan-heading" }, planName(sub.plan)),
        h("p", { id: "renewal-state", "data-auto-renew": String(on) },
          t(on ? "manage.on_text" : "manage.off_text", { date: formatDate(sub.current_period_end) })),
        toggle,
      ),
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
