// #/subscription/buy: 1 or 2 years on the web; card, PayPal or bank transfer.
// One click, one charge: the button is disabled from the first click until the outcome,
// and a retry after a lost answer sends the same Idempotency-Key.
import { ApiError, call, describeError, newIdempotencyKey } from "../api.js";
import { field, h, message, replace, setBusy } from "../dom.js";
import { formatDate, formatMoney, methodName, planName, t } from "../i18n.js";
import { store } from "../store.js";
import { nextStepText, transferDetails } from "./banner.js";
import { cardForm } from "./card.js";

export function buyView(main) {
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  replace(main, h("h1", {}, t("buy.title")), body, redeemSection());
  let stop = () => {};
  Promise.all([call("GET", "/plans?channel=web"), store.refreshSubscription()])
    .then(([plans]) => {
      stop = purchaseForm(body, plans);
    })
    .catch((error) => replace(body, message("error", `${t("buy.plans_failed")} ${describeError(error)}`)));
  return () => stop();
}

function purchaseForm(box, plans) {
  const planInputs = plans.map((plan, index) =>
    h("input", { type: "radio", name: "plan", value: plan.id, checked: index === 0, id: `plan-${plan.id}` }),
  );
  const methods = ["card", "paypal", "bank_transfer"];
  const methodInputs = methods.map((method, index) =>
    h("input", { type: "radio", name: "method", value: method, checked: index === 0, id: `method-${method}` }),
  );
  const card = cardForm();
  const cardFields = card.element;
  const paypalEmail = h("input", { type: "email", autocomplete: "email", id: "paypal-email" });
  const paypalFields = h("div", {}, field(t("buy.paypal_email"), paypalEmail));
  const transferFields = h("p", { class: "muted" }, t("buy.transfer_hint"));
  const pay = h("button", { type: "submit", class: "primary", id: "pay" });
  const status = h("div", { id: "purchase-status" });
  const outcome = h("div", { id: "purchase-outcome" });
  let intent = null; // {key, request}: one purchase intent, however many sends it takes
  let sending = false;
  let pendingPurchase = null;

  const chosen = (inputs) => inputs.find((input) => input.checked).value;
  const chosenPlan = () => plans.find((plan) => plan.id === chosen(planInputs));

  function refresh() {
    const method = chosen(methodInputs);
    cardFields.hidden = method !== "card";
    paypalFields.hidden = method !== "paypal";
    transferFields.hidden = method !== "bank_transfer";
    const plan = chosenPlan();
    if (!sending) pay.textContent = t("buy.pay", { price: formatMoney(plan.price_cents, plan.currency) });
  }

  function paymentMethod() {
    const method = chosen(methodInputs);
    if (method === "card") return card.read();
    if (method === "paypal") {
      if (!paypalEmail.value.trim()) throw new Error(t("buy.bad_paypal"));
      return { type: "paypal", email: paypalEmail.value.trim() };
    }
    return { type: "bank_transfer" };
  }

  async function submit(event) {
    event.preventDefault();
    if (sending) return; // a second click while the first is on its way does nothing
    let request;
    try {
      request = { plan: chosen(planInputs), channel: "web", payment_method: paymentMethod() };
    } catch (error) {
      replace(status, message("error", error.message));
      return;
    }
    // The same intent keeps its key: a retry of a request whose answer was lost is
    // recognised by the cloud and never charged again.
    if (!intent || JSON.stringify(intent.request) !== JSON.stringify(request)) {
      intent = { key: newIdempotencyKey(), request };
    }
    sending = true;
    setBusy(pay, true, t("buy.busy"));
    replace(status);
    try {
      const purchase = await call("POST", "/purchases", request, { idempotencyKey: intent.key });
      showOutcome(purchase);
    } catch (error) {
      sending = false;
      setBusy(pay, false);
      refresh();
      const retry = error instanceof ApiError && error.retryable;
      if (!retry) intent = null;
      replace(status, message("error", describeError(error)), retry ? h("p", { class: "muted" }, t("buy.retry_hint")) : null);
      if (retry) pay.textContent = t("retry");
    }
  }

  function showOutcome(purchase) {
    intent = null;
    if (purchase.state === "failed") {
      sending = false;
      setBusy(pay, false);
      refresh();
      replace(status, message("error", `${t("buy.failed_title")}: ${purchase.failure_message || ""}`));
      return;
    }
    form.hidden = true;
    pendingPurchase = purchase;
    showProgress();
  }

  // After the purchase: pending (what happens next) until the event turns it active.
  function showProgress() {
    const sub = store.subscription;
    if (sub && (sub.state === "active" || sub.state === "bundled")) {
      replace(
        outcome,
        h("section", { class: "card", id: "purchase-active", "aria-labelledby": "active-title" },
          h("h2", { id: "active-title" }, t("buy.active_title")),
          message("ok", t("buy.active_text", { date: formatDate(sub.current_period_end) })),
          h("a", { class: "button primary", href: "#/computers" }, t("buy.to_computers")),
        ),
      );
      return;
    }
    if (!pendingPurchase) return;
    const purchase = pendingPurchase;
    const due = sub && sub.pending && sub.pending.purchase_id === purchase.id ? sub.pending.amount_due_cents : purchase.amount_due_cents;
    replace(
      outcome,
      h("section", { class: "card stack", id: "purchase-pending", "aria-labelledby": "pending-title" },
        h("h2", { id: "pending-title" }, h("span", { class: "spinner", "aria-hidden": "true" }), " ", t("buy.pending_title")),
        h("p", {}, `${planName(purchase.plan)} · ${methodName(purchase.method)} · ${formatMoney(purchase.amount_cents, purchase.currency)}`),
        h("p", { id: "pending-next" }, nextStepText(purchase.method, due, purchase.currency, purchase.reference)),
        purchase.payment_instructions
          ? h("div", {}, h("h3", {}, t("buy.transfer_title")), transferDetails({ ...purchase.payment_instructions, amount_cents: due }))
          : null,
        h("p", { class: "muted" }, t("next.live")),
      ),
    );
  }

  const form = h(
    "form",
    { class: "card stack", id: "buy-form", onsubmit: submit, onchange: refresh },
    h("fieldset", {}, h("legend", {}, t("buy.plan")),
      plans.map((plan, index) =>
        h("label", { class: "choice", for: planInputs[index].id }, planInputs[index], h("span", {}, h("strong", {}, planName(plan.id)), " — ", formatMoney(plan.price_cents, plan.currency),
          plan.months > 12 ? h("span", { class: "muted" }, ` (${t("buy.per_year", { price: formatMoney(Math.round((plan.price_cents * 12) / plan.months), plan.currency) })})`) : null)),
      ),
    ),
    h("fieldset", {}, h("legend", {}, t("buy.method")),
      methods.map((method, index) => h("label", { class: "choice", for: methodInputs[index].id }, methodInputs[index], methodName(method))),
    ),
    cardFields,
    paypalFields,
    transferFields,
    pay,
    status,
  );

  const sub = store.subscription;
  const already = sub && ["active", "bundled", "grace"].includes(sub.state);
  replace(box, already ? message("info", t("buy.have_one")) : null, form, outcome);
  if (sub && sub.state === "pending_payment" && sub.pending) {
    // A purchase already waits for its money: show it rather than offer a second one.
    form.hidden = true;
    call("GET", `/purchases/${encodeURIComponent(sub.pending.purchase_id)}`)
      .then((purchase) => {
        pendingPurchase = purchase;
        showProgress();
      })
      .catch((error) => replace(status, message("error", describeError(error))));
  }
  refresh();
  return store.on((what) => {
    if (what === "subscription" && pendingPurchase) showProgress();
  });
}

function redeemSection() {
  const code = h("input", { type: "text", id: "bundle-code", autocomplete: "off", required: true, maxlength: 40 });
  const submit = h("button", { type: "submit", id: "redeem" }, t("redeem.submit"));
  const status = h("div", { id: "redeem-status" });
  return h(
    "form",
    {
      class: "card stack",
      "aria-labelledby": "redeem-heading",
      onsubmit: async (event) => {
        event.preventDefault();
        setBusy(submit, true, t("redeem.busy"));
        try {
          const sub = await call("POST", "/bundles/redeem", { code: code.value.trim() });
          store.subscription = sub;
          store.emit("subscription");
          replace(status, message("ok", t("redeem.done", { date: formatDate(sub.current_period_end) })));
          code.value = "";
        } catch (error) {
          replace(status, message("error", describeError(error)));
        }
        setBusy(submit, false);
      },
    },
    h("h2", { id: "redeem-heading" }, t("redeem.title")),
    field(t("redeem.code"), code),
    submit,
    status,
  );
}
