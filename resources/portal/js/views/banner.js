// The subscription at the top of the Computers page, in every state.
import { h } from "../dom.js";
import { formatDate, formatDateTime, formatMoney, methodName, planName, t } from "../i18n.js";

const TITLES = {
  active: "banner.active",
  bundled: "banner.bundled",
  pending_payment: "banner.pending",
  grace: "banner.grace",
  expired: "banner.expired",
  none: "banner.none",
};

function facts(pairs) {
  return h("dl", {}, pairs.filter(([, value]) => value !== null && value !== "").map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

export function nextStepText(method, amountDueCents, currency, reference) {
  if (method === "bank_transfer") {
    return t("next.bank_transfer", { amount: formatMoney(amountDueCents, currency), reference });
  }
  return t(method === "paypal" ? "next.paypal" : "next.card");
}

export function transferDetails(transfer) {
  return facts([
    [t("banner.beneficiary"), transfer.beneficiary],
    [t("banner.iban"), transfer.iban],
    [t("banner.reference"), transfer.reference],
    [t("banner.amount_due"), formatMoney(transfer.amount_cents, transfer.currency)],
  ]);
}

export function banner(sub) {
  const currency = sub.pending ? sub.pending.currency : "EUR";
  const state = sub.state;
  const count = t("banner.computers_count", { used: sub.computers_used, limit: sub.computers_limit });
  const children = [h("div", { class: "title", id: "banner-title" }, t(TITLES[state] || "banner.none"))];
  if (state === "active" || state === "bundled") {
    const renews = state === "active" && sub.auto_renew;
    children.push(
      facts([
        [t("banner.plan"), planName(sub.plan)],
        [t(renews ? "banner.renews_on" : "banner.ends_on"), formatDate(sub.current_period_end)],
        [t("banner.auto_renew"), state === "bundled" ? null : t(sub.auto_renew ? "banner.on" : "banner.off")],
        [t("banner.computers"), count],
      ]),
      state === "active" ? h("a", { class: "button", href: "#/subscription/manage", id: "banner-manage" }, t("banner.manage")) : null,
    );
  } else if (state === "pending_payment" && sub.pending) {
    const pending = sub.pending;
    children.push(
      facts([
        [t("banner.plan"), planName(pending.plan)],
        [t("banner.method"), methodName(pending.method)],
        [t("banner.since"), formatDateTime(pending.since)],
        [t("banner.reference"), pending.method === "bank_transfer" ? pending.reference : null],
        [t("banner.amount_due"), pending.method === "bank_transfer" ? formatMoney(pending.amount_due_cents, currency) : null],
        [t("banner.computers"), count],
      ]),
      h("p", { id: "banner-next" }, h("strong", {}, t("banner.next"), ": "), nextStepText(pending.method, pending.amount_due_cents, currency, pending.reference)),
    );
  } else if (state === "grace") {
    children.push(
      h("p", {}, t("banner.grace_text")),
      facts([
        [t("banner.plan"), planName(sub.plan)],
        [t("banner.grace_until"), formatDate(sub.grace_until)],
        [t("banner.method"), sub.payment_method],
        [t("banner.computers"), count],
      ]),
      h("a", { class: "button", href: "#/subscription/manage" }, t("banner.manage")),
    );
  } else {
    children.push(
      h("p", {}, t(state === "expired" ? "banner.expired_text" : "banner.none_text")),
      state === "expired" ? facts([[t("banner.ends_on"), formatDate(sub.current_period_end)]]) : null,
      h("a", { class: "button primary", href: "#/subscription/buy", id: "buy-subscription" }, t("banner.buy")),
    );
  }
  return h(
    "section",
    { class: `card banner state-${state}`, id: "subscription-banner", "aria-labelledby": "banner-title", "data-state": state },
    children,
  );
}
