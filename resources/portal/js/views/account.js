// #/account: the account's security — email confirmation, password, two-factor, the
// signed-in devices, and deleting the account. Each part is a card of its own that
// redraws only itself, so a form being typed in is never lost to another part's answer.
import { call, describeError } from "../api.js";
import { field, h, message, replace, setBusy } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { store } from "../store.js";

export function accountView(main, app) {
  const parts = {
    email: h("section", { class: "card stack", id: "email-card", "aria-labelledby": "email-heading" }),
    password: h("section", { class: "card stack", id: "password-card", "aria-labelledby": "password-heading" }),
    twoFactor: h("section", { class: "card stack", id: "two-factor-card", "aria-labelledby": "two-factor-heading" }),
    devices: h("section", { class: "card stack", id: "devices-card", "aria-labelledby": "devices-heading" }),
    remove: h("section", { class: "card stack", id: "delete-card", "aria-labelledby": "delete-heading" }),
  };
  const box = h("div", {}, h("p", { class: "muted" }, t("loading")));
  replace(main, h("h1", {}, t("account.title")), box);
  refreshAccount()
    .then(() => {
      replace(box, Object.values(parts));
      emailPart(parts.email);
      passwordPart(parts.password, () => devicesPart(parts.devices, app));
      twoFactorPart(parts.twoFactor);
      devicesPart(parts.devices, app);
      deletePart(parts.remove, app);
    })
    .catch((error) => replace(box, message("error", describeError(error))));
}

const account = () => store.session.account;

// The account as it is now (two-factor, confirmed email): /me reads it fresh.
async function refreshAccount() {
  const fresh = await call("GET", "/me");
  store.session = { ...store.session, account: fresh };
}

// A form whose submit button shows progress and whose outcome appears under it.
function form(id, fields, submitText, busyText, action, { danger = false } = {}) {
  const submit = h("button", { type: "submit", id: `${id}-submit`, class: danger ? "danger" : "primary" }, submitText);
  const status = h("div", { id: `${id}-status` });
  const node = h(
    "form",
    {
      id,
      class: "stack",
      onsubmit: async (event) => {
        event.preventDefault();
        setBusy(submit, true, busyText);
        replace(status);
        try {
          const done = await action();
          setBusy(submit, false);
          if (done) replace(status, message("ok", done));
        } catch (error) {
          setBusy(submit, false);
          replace(status, message("error", describeError(error)));
        }
      },
    },
    fields,
    submit,
    status,
  );
  return node;
}

function passwordInput(name, autocomplete) {
  return h("input", { type: "password", name, autocomplete, required: true, maxlength: 1024 });
}

// The authenticator's code, asked for only when two-factor is on.
function codeInput() {
  if (!account().two_factor) return null;
  return h("input", { type: "text", name: "otp", inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: 40 });
}

function emailPart(card) {
  const verified = account().email_verified;
  const resend = h("button", { type: "button", id: "resend-verification" }, t("account.email.resend"));
  const status = h("div", { id: "email-status" });
  resend.addEventListener("click", async () => {
    setBusy(resend, true, t("account.email.sending"));
    replace(status);
    try {
      await call("POST", "/me/email-verification");
      replace(status, message("ok", t("account.email.sent", { email: account().email })));
    } catch (error) {
      replace(status, message("error", describeError(error)));
    } finally {
      setBusy(resend, false);
    }
  });
  replace(
    card,
    h("h2", { id: "email-heading" }, t("account.email.title")),
    h("p", { id: "email-state", "data-verified": String(verified) },
      t(verified ? "account.email.verified" : "account.email.unverified", { email: account().email })),
    verified ? null : h("div", { class: "row" }, resend),
    status,
  );
}

function passwordPart(card, onChanged) {
  const current = passwordInput("current-password", "current-password");
  const next = h("input", { type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 8, maxlength: 1024 });
  const code = codeInput();
  replace(
    card,
    h("h2", { id: "password-heading" }, t("account.password.title")),
    form(
      "password-form",
      [
        field(t("account.password.current"), current),
        field(t("account.password.new"), next, t("signup.password_hint")),
        code ? field(t("signin.code"), code) : null,
      ],
      t("account.password.submit"),
      t("reset.busy"),
      async () => {
        const body = { current_password: current.value, new_password: next.value };
        if (code) body.otp = code.value.trim();
        const result = await call("POST", "/me/password", body);
        current.value = next.value = "";
        if (code) code.value = "";
        onChanged();
        return t("account.password.done", { count: result.signed_out });
      },
    ),
  );
}

function twoFactorPart(card) {
  const heading = h("h2", { id: "two-factor-heading" }, t("account.tfa.title"));
  if (account().two_factor) {
    const password = passwordInput("password", "current-password");
    const code = codeInput();
    replace(
      card,
      heading,
      h("p", { id: "two-factor-state", "data-on": "true" }, t("account.tfa.on")),
      form(
        "two-factor-off",
        [field(t("account.confirm_password"), password), field(t("signin.code"), code)],
        t("account.tfa.disable"),
        t("reset.busy"),
        async () => {
          await call("DELETE", "/me/two-factor", { password: password.value, otp: code.value.trim() });
          await refreshAccount();
          twoFactorPart(card);
          return null;
        },
        { danger: true },
      ),
    );
    return;
  }
  const start = h("button", { type: "button", class: "primary", id: "two-factor-start" }, t("account.tfa.start"));
  const status = h("div", { id: "two-factor-status" });
  start.addEventListener("click", async () => {
    setBusy(start, true, t("loading"));
    try {
      const setup = await call("POST", "/me/two-factor");
      replace(card, heading, setupForm(card, setup));
      card.querySelector("input").focus();
    } catch (error) {
      setBusy(start, false);
      replace(status, message("error", describeError(error)));
    }
  });
  replace(
    card,
    heading,
    h("p", { id: "two-factor-state", "data-on": "false" }, t("account.tfa.off")),
    h("div", { class: "row" }, start),
    status,
  );
}

function setupForm(card, setup) {
  const code = h("input", { type: "text", name: "otp", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 10 });
  return form(
    "two-factor-confirm",
    [
      h("p", {}, t("account.tfa.scan")),
      h("img", { src: setup.qr_svg, alt: t("account.tfa.qr_alt"), id: "two-factor-qr", width: 200, height: 200, class: "qr" }),
      h("p", {}, t("account.tfa.manual"), " ", h("code", { id: "two-factor-secret" }, setup.secret)),
      field(t("account.tfa.code"), code),
    ],
    t("account.tfa.confirm"),
    t("reset.busy"),
    async () => {
      const result = await call("POST", "/me/two-factor/confirm", { code: code.value.trim() });
      await refreshAccount();
      const done = h("button", { type: "button", class: "primary", id: "recovery-done" }, t("account.tfa.saved"));
      done.addEventListener("click", () => twoFactorPart(card));
      replace(
        card,
        h("h2", { id: "two-factor-heading" }, t("account.tfa.title")),
        message("ok", t("account.tfa.enabled")),
        h("p", {}, t("account.tfa.recovery")),
        h("ul", { id: "recovery-codes", class: "codes" }, result.recovery_codes.map((value) => h("li", {}, h("code", {}, value)))),
        h("div", { class: "row" }, done),
      );
      done.focus();
      return null;
    },
  );
}

async function devicesPart(card, app, notice = null) {
  const heading = h("h2", { id: "devices-heading" }, t("account.devices.title"));
  replace(card, heading, h("p", { class: "muted" }, t("loading")));
  let devices;
  try {
    devices = await call("GET", "/me/sign-ins");
  } catch (error) {
    replace(card, heading, message("error", describeError(error)));
    return;
  }
  const status = h("div", { id: "devices-status" }, notice ? message("ok", notice) : null);
  const everywhere = h("button", { type: "button", class: "danger", id: "sign-out-everywhere" }, t("account.devices.everywhere"));
  everywhere.addEventListener("click", async () => {
    setBusy(everywhere, true, t("signing_out"));
    try {
      await call("POST", "/auth/logout-everywhere");
      app.leave("account.devices.everywhere_done");
    } catch (error) {
      setBusy(everywhere, false);
      replace(status, message("error", describeError(error)));
    }
  });
  const headings = ["account.devices.device", "account.devices.address", "account.devices.since", "account.devices.last_used", "account.devices.action"];
  const rows = devices.map((device) => {
    const name = device.device_name || t("account.devices.unnamed");
    const action = device.current
      ? h("span", { class: "badge", id: "this-device" }, t("account.devices.this"))
      : h("button", { type: "button", class: "danger", "aria-label": t("account.devices.revoke_named", { name }) }, t("account.devices.revoke"));
    if (!device.current) {
      action.addEventListener("click", async () => {
        setBusy(action, true, t("signing_out"));
        try {
          await call("DELETE", `/me/sign-ins/${encodeURIComponent(device.id)}`);
          await devicesPart(card, app, t("account.devices.revoked", { name }));
          card.querySelector("#sign-out-everywhere").focus();
        } catch (error) {
          setBusy(action, false);
          replace(status, message("error", describeError(error)));
        }
      });
    }
    const cells = [name, device.address || "", formatDateTime(device.created_at), device.last_used_at ? formatDateTime(device.last_used_at) : "", action];
    return h("tr", { "data-sign-in-id": device.id, "data-current": String(device.current) },
      cells.map((cell, index) => h("td", { "data-label": t(headings[index]) }, cell)));
  });
  replace(
    card,
    heading,
    h("p", { class: "muted" }, t("account.devices.text")),
    h("table", { id: "device-table" },
      h("caption", { class: "sr-only" }, t("account.devices.title")),
      h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows)),
    h("div", { class: "row" }, everywhere),
    status,
  );
}

function deletePart(card, app) {
  const password = passwordInput("password", "current-password");
  const code = codeInput();
  const understood = h("input", { type: "checkbox", id: "delete-understood", required: true });
  replace(
    card,
    h("h2", { id: "delete-heading" }, t("account.delete.title")),
    h("p", {}, t("account.delete.text")),
    form(
      "delete-form",
      [
        field(t("account.confirm_password"), password),
        code ? field(t("signin.code"), code) : null,
        h("div", { class: "check" }, understood, h("label", { for: "delete-understood" }, t("account.delete.understood"))),
      ],
      t("account.delete.submit"),
      t("account.delete.busy"),
      async () => {
        const body = { password: password.value };
        if (code) body.otp = code.value.trim();
        await call("DELETE", "/me", body);
        app.leave("account.delete.done");
        return null;
      },
      { danger: true },
    ),
  );
}
