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
          const session = await call("POST", "/web/session", { email: email.value, password: password.value });
          await app.signedIn(session);
        } catch (error) {
          setBusy(submit, false);
          showError(error);
        }
      },
    },
    app.endedNotice && !creating ? message("info", t("signin.ended")) : null,
    field(t("signin.email"), email),
    field(t("signin.password"), password, creating ? t("signup.password_hint") : null),
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
