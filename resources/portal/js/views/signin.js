// #/signin and #/signup: the same messages as the API, in the person's language.
import { ApiError, call, describeError } from "../api.js";
import { field, h, message, replace, setBusy } from "../dom.js";
import { t } from "../i18n.js";

export function signInView(main, app, { creating = false } = {}) {
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: creating ? "new-password" : "current-password",
    required: true,
    minlength: creating ? 8 : null,
  });
  // Two-factor: asked for once the cloud says the password was right and a code is due.
  const code = h("input", { type: "text", name: "otp", autocomplete: "one-time-code", inputmode: "numeric", id: "signin-code" });
  const codeField = field(t("signin.code"), code);
  codeField.hidden = true;
  const status = h("div", { id: "signin-status" });
  const submit = h("button", { type: "submit", class: "primary", id: "signin-submit" }, t(creating ? "signup.submit" : "signin.submit"));
  let countdown = null;

  function showError(error) {
    clearInterval(countdown);
    if (error instanceof ApiError && error.code === "too_many_attempts") {
      // Count the wait down, and allow the next attempt when it is over.
      let left = error.retryAfter || 1;
      const line = message("error", t("error.too_many_attempts", { seconds: left }));
      replace(status, line);
      submit.disabled = true;
      countdown = setInterval(() => {
        left -= 1;
        if (left <= 0) {
          clearInterval(countdown);
          submit.disabled = false;
          replace(status);
        } else {
          line.textContent = t("error.too_many_attempts", { seconds: left });
        }
      }, 1000);
      return;
    }
    if (error instanceof ApiError && (error.code === "otp_required" || error.code === "invalid_otp")) {
      codeField.hidden = false;
      code.value = "";
      code.focus();
    }
    const children = [message("error", describeError(error))];
    if (error instanceof ApiError && error.code === "network") {
      children.push(h("button", { type: "submit", id: "signin-retry" }, t("retry")));
    }
    replace(status, ...children);
  }

  const form = h(
    "form",
    {
      class: "card stack",
      novalidate: false,
      onsubmit: async (event) => {
        event.preventDefault();
        if (submit.disabled && submit.getAttribute("aria-busy")) return;
        setBusy(submit, true, t(creating ? "signup.busy" : "signin.busy"));
        replace(status);
        try {
          if (creating) await call("POST", "/accounts", { email: email.value, password: password.value });
          const body = { email: email.value, password: password.value };
          if (!codeField.hidden && code.value.trim()) body.otp = code.value.trim();
          const session = await call("POST", "/web/session", body);
          await app.signedIn(session);
        } catch (error) {
          setBusy(submit, false);
          showError(error);
        }
      },
    },
    app.notice && !creating ? message("info", t(app.notice)) : null,
    field(t("signin.email"), email),
    field(t("signin.password"), password, creating ? t("signup.password_hint") : null),
    codeField,
    submit,
    status,
  );
  const other = creating
    ? h("p", {}, t("signup.have_account"), " ", h("a", { href: "#/signin" }, t("signup.signin_link")))
    : h("p", {}, t("signin.no_account"), " ", h("a", { href: "#/signup", id: "create-account" }, t("signin.create_link")));
  replace(main, h("h1", {}, t(creating ? "signup.title" : "signin.title")), form, other);
  email.focus();
  return () => clearInterval(countdown);
}
