// #/purchases: the history, each with its receipt.
import { call, describeError } from "../api.js";
import { h, message, replace } from "../dom.js";
import { formatDate, formatDateTime, formatMoney, methodName, planName, t } from "../i18n.js";
import { store } from "../store.js";

export function purchasesView(main) {
  const box = h("div", { class: "card" }, h("p", { class: "muted" }, t("loading")));
  replace(main, h("h1", {}, t("purchases.title")), box);
  const load = () =>
    call("GET", "/purchases")
      .then((purchases) => replace(box, purchases.length ? table(purchases) : h("p", { class: "muted", id: "no-purchases" }, t("purchases.none"))))
      .catch((error) => replace(box, message("error", describeError(error))));
  load();
  return store.on((what) => {
    if (what === "purchases") load();
  });
}

function table(purchases) {
  const headings = ["purchases.date", "purchases.plan", "purchases.method", "purchases.amount", "purchases.state", "purchases.receipt"];
  return h(
    "table",
    { id: "purchase-table" },
    h("caption", { class: "sr-only" }, t("purchases.title")),
    h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, purchases.map((purchase) => row(purchase, headings))),
  );
}

function row(purchase, headings) {
  const cells = [
    formatDateTime(purchase.created_at),
    `${planName(purchase.plan)} · ${t(`purchases.kind.${purchase.kind}`)}`,
    purchase.method_label || methodName(purchase.method),
    formatMoney(purchase.amount_cents, purchase.currency),
    h("span", { class: `state-badge ${purchase.state}` }, t(`state.${purchase.state}`)),
    receipt(purchase),
  ];
  return h(
    "tr",
    { "data-purchase-id": purchase.id, "data-state": purchase.state },
    cells.map((cell, index) => h("td", { "data-label": t(headings[index]) }, cell)),
  );
}

function receipt(purchase) {
  const period = purchase.period_start ? `${formatDate(purchase.period_start)} – ${formatDate(purchase.period_end)}` : null;
  const facts = [
    [t("purchases.number"), purchase.id],
    [t("purchases.date"), formatDateTime(purchase.created_at)],
    [t("purchases.plan"), planName(purchase.plan)],
    [t("purchases.method"), purchase.method_label || methodName(purchase.method)],
    [t("purchases.amount"), formatMoney(purchase.amount_cents, purchase.currency)],
    [t("purchases.received"), purchase.received_cents ? formatMoney(purchase.received_cents, purchase.currency) : null],
    [t("banner.reference"), purchase.reference],
    [t("purchases.period"), period],
    [t("purchases.state"), t(`state.${purchase.state}`)],
  ];
  return h(
    "details",
    { class: "receipt" },
    h("summary", { "aria-label": t("purchases.receipt_for", { plan: planName(purchase.plan), date: formatDate(purchase.created_at) }) }, t("purchases.receipt")),
    h("dl", {}, facts.filter(([, value]) => value).map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
  );
}
