// #/reset/<token> and #/verify/<token>: the pages the mailed links open. The token is in
// the fragment, so it never reaches a server log; each link works once.
import { call, describeError } from "../api.js";
import { field, h, message, replace, setBusy } from "../dom.js";
import { t } from "../i18n.js";

export function resetView(main, app, token) {
  const password = h("input", { type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 8 });
  const submit = h("button", { type: "submit", class: "primary", id: "reset-submit" }, t("reset.submit"));
  const status = h("div", { id: "reset-status" });
  const form = h(
    "form",
    {
      class: "card stack",
      onsubmit: async (event) => {
        event.preventDefault();
        setBusy(submit, true, t("reset.busy"));
        replace(status);
        try {
          await call("POST", "/auth/password-reset/confirm", { token, new_password: password.value });
          app.forget(); // every sign-in ended, this browser's too
          replace(form, message("info", t("reset.done")), h("p", {}, h("a", { href: "#/signin", id: "reset-signin" }, t("reset.signin"))));
        } catch (error) {
          setBusy(submit, false);
          replace(status, message("error", describeError(error)));
        }
      },
    },
    field(t("reset.password"), password, t("signup.password_hint")),
    submit,
    status,
  );
  replace(main, h("h1", {}, t("reset.title")), form);
  password.focus();
}

export function verifyView(main, app, token) {
  const box = h("div", { class: "card", id: "verify-status" }, h("p", { class: "muted" }, t("loading")));
  replace(main, h("h1", {}, t("verify.title")), box);
  call("POST", "/auth/verify-email", { token })
    .then(() => replace(box, message("info", t("verify.done"))))
    .catch((error) => replace(box, message("error", describeError(error))));
}
