// Card fields, for buying and for replacing the card that pays renewals.
import { field, h } from "../dom.js";
import { t } from "../i18n.js";

export function cardForm() {
  const number = h("input", { type: "text", inputmode: "numeric", autocomplete: "cc-number", id: "card-number" });
  const expiry = h("input", { type: "text", inputmode: "numeric", autocomplete: "cc-exp", placeholder: t("buy.expiry_placeholder"), id: "card-expiry" });
  const cvc = h("input", { type: "text", inputmode: "numeric", autocomplete: "cc-csc", id: "card-cvc" });
  const element = h(
    "div",
    { class: "fields-inline" },
    field(t("buy.card_number"), number),
    field(t("buy.card_expiry"), expiry),
    field(t("buy.card_cvc"), cvc),
  );

  // The card as the API takes it; throws an Error with the person's words if incomplete.
  function read() {
    const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry.value);
    const digits = number.value.replace(/[\s-]/g, "");
    if (!match) throw new Error(t("buy.invalid_expiry"));
    if (!digits || !cvc.value.trim()) throw new Error(t("buy.bad_card"));
    const year = Number(match[2]);
    return { type: "card", number: digits, exp_month: Number(match[1]), exp_year: year < 100 ? 2000 + year : year, cvc: cvc.value.trim() };
  }

  return { element, read };
}
