// English and French. The language follows the browser, and the switch in the header
// keeps a choice in localStorage (a preference, not a secret).

const STRINGS = {
  en: {
    "app.name": "Porthole",
    "skip": "Skip to content",
    "nav.label": "Main",
    "nav.computers": "Computers",
    "nav.subscription": "Subscription",
    "nav.purchases": "Purchases",
    "lang.label": "Language",
    "signout": "Sign out",
    "signing_out": "Signing out…",
    "signed_in_as": "Signed in as {email}",
    "loading": "Loading…",
    "retry": "Retry",
    "live.on": "Live updates on",
    "live.off": "Reconnecting to live updates…",

    "signin.title": "Sign in to Porthole",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.busy": "Signing in…",
    "signin.no_account": "No account yet?",
    "signin.create_link": "Create an account",
    "signup.title": "Create your Porthole account",
    "signup.password_hint": "At least 8 characters.",
    "signup.submit": "Create account",
    "signup.busy": "Creating your account…",
    "signup.have_account": "Already have an account?",
    "signup.signin_link": "Sign in",
    "signin.ended": "Your session has ended. Sign in again.",

    "computers.title": "Computers",
    "computers.none": "No computers yet.",
    "computers.online": "Online",
    "computers.offline": "Offline",
    "computers.last_seen": "Last seen {when}",
    "computers.never_seen": "Never connected",
    "computers.os_unknown": "Unknown system",
    "computers.rename": "Rename",
    "computers.rename_label": "New name for {name}",
    "computers.save": "Save",
    "computers.cancel": "Cancel",
    "computers.remove": "Remove",
    "computers.remove_confirm": "Remove {name} from your account? It will need to be enrolled again.",
    "computers.removed": "{name} was removed.",
    "computers.renamed": "Renamed to {name}.",
    "computers.list_label": "Your computers",
    "computers.add_title": "Add a computer",
    "computers.add_steps": "Install Porthole on the computer, then enrol it with a one-time code:",
    "computers.get_code": "Get an enrolment code",
    "computers.code_busy": "Getting a code…",
    "computers.code_label": "Enrolment code",
    "computers.code_expires": "Valid until {when}, once.",
    "computers.copy": "Copy",
    "computers.copied": "Copied to the clipboard.",
    "computers.copy_failed": "Could not copy: select the code and copy it.",
    "computers.step_run": "Then run porthole agent run on it: it shows up here, online.",

    "banner.none": "No subscription",
    "banner.none_text": "Buy a subscription to connect to your computers.",
    "banner.buy": "Buy subscription",
    "banner.active": "Subscription active",
    "banner.bundled": "Subscription included with your product",
    "banner.pending": "Payment pending",
    "banner.grace": "Payment failed",
    "banner.expired": "Subscription expired",
    "banner.plan": "Plan",
    "banner.renews_on": "Renews on",
    "banner.ends_on": "Ends on",
    "banner.auto_renew": "Auto-renewal",
    "banner.on": "On",
    "banner.off": "Off",
    "banner.method": "Payment method",
    "banner.since": "Since",
    "banner.next": "What happens next",
    "banner.grace_until": "Access kept until",
    "banner.grace_text": "We could not charge your payment method. Update it before access ends.",
    "banner.expired_text": "Your access has ended. Buy a subscription to connect again.",
    "banner.computers": "Computers",
    "banner.computers_count": "{used} of {limit}",
    "banner.manage": "Manage",
    "banner.amount_due": "Amount to pay",
    "banner.reference": "Reference",
    "banner.iban": "IBAN",
    "banner.beneficiary": "Beneficiary",

    "plan.month-1": "1 month",
    "plan.year-1": "1 year",
    "plan.year-2": "2 years",
    "method.card": "Card",
    "method.paypal": "PayPal",
    "method.bank_transfer": "Bank transfer",

    "next.card": "Your card payment is being confirmed; this usually takes a few minutes. The subscription starts by itself as soon as it is confirmed.",
    "next.paypal": "The subscription starts by itself as soon as PayPal tells us the money was received.",
    "next.bank_transfer": "Transfer {amount} with the reference {reference}. The subscription starts by itself as soon as the money arrives.",
    "next.live": "This page updates by itself: no need to reload.",

    "buy.title": "Buy a subscription",
    "buy.plan": "Length",
    "buy.per_year": "{price} a year",
    "buy.method": "Payment method",
    "buy.card_number": "Card number",
    "buy.card_expiry": "Expiry (MM/YY)",
    "buy.expiry_placeholder": "MM/YY",
    "buy.card_cvc": "Security code",
    "buy.paypal_email": "PayPal email",
    "buy.transfer_hint": "You will get our bank details and a reference; the subscription starts when the money arrives.",
    "buy.pay": "Pay {price}",
    "buy.busy": "Processing your payment…",
    "buy.retry_hint": "The connection dropped before we heard back. Retry: you will not be charged twice.",
    "buy.pending_title": "Payment received for processing",
    "buy.active_title": "Your subscription is active",
    "buy.active_text": "Thank you! Your subscription runs until {date}.",
    "buy.to_computers": "Go to your computers",
    "buy.failed_title": "The payment did not go through",
    "buy.have_one": "You already have a subscription.",
    "buy.plans_failed": "The prices could not be loaded.",
    "buy.invalid_expiry": "Enter the expiry as MM/YY.",
    "buy.bad_card": "Enter the card number, its expiry and its security code.",
    "buy.bad_paypal": "Enter your PayPal email.",
    "buy.transfer_title": "Bank transfer details",

    "redeem.title": "Have a code from a product bundle?",
    "redeem.code": "Bundle code",
    "redeem.submit": "Redeem",
    "redeem.busy": "Redeeming…",
    "redeem.done": "Your bundled subscription is active until {date}.",

    "manage.title": "Manage your subscription",
    "manage.nothing": "There is no subscription to manage.",
    "manage.disable": "Disable auto-renewal",
    "manage.enable": "Enable auto-renewal",
    "manage.saving": "Saving…",
    "manage.on_text": "Auto-renewal is on: your subscription renews on {date} and your payment method is charged then.",
    "manage.off_text": "Auto-renewal is off: your access ends on {date}. Nothing more will be charged.",
    "manage.bundled_text": "Your subscription came with another product and is never charged. It ends on {date}.",
    "manage.saved_off": "Auto-renewal disabled.",
    "manage.saved_on": "Auto-renewal enabled.",
    "manage.change_card": "Use another card",
    "manage.save_card": "Save card",
    "manage.card_saved": "Your new card will pay the next renewal.",
    "manage.card_saved_retry": "Your new card is saved: we are trying the payment again now.",

    "purchases.title": "Purchase history",
    "purchases.none": "No purchases yet.",
    "purchases.date": "Date",
    "purchases.plan": "Plan",
    "purchases.method": "Payment",
    "purchases.amount": "Amount",
    "purchases.state": "Status",
    "purchases.receipt": "Receipt",
    "purchases.receipt_for": "Receipt for {plan}, {date}",
    "purchases.number": "Purchase number",
    "purchases.period": "Period",
    "purchases.kind.initial": "Purchase",
    "purchases.kind.renewal": "Renewal",
    "purchases.received": "Received",
    "state.pending": "Pending",
    "state.confirmed": "Paid",
    "state.failed": "Failed",
    "state.refunded": "Refunded",

    "error.network": "Porthole cannot be reached. Check your connection and retry.",
    "error.invalid_credentials": "The email or password is incorrect.",
    "error.too_many_attempts": "Too many attempts. Try again in {seconds} s.",
    "error.email_taken": "An account with this email already exists.",
    "error.session_ended": "Your session has ended. Sign in again.",
    "error.csrf_failed": "This page is out of date. Reload it and try again.",
    "error.invalid_enrollment_code": "This enrolment code is not valid.",
    "error.invalid_bundle_code": "This bundle code is not valid or was already used.",
    "error.idempotency_key_in_flight": "Your payment is still being processed. Retry in a moment: you will not be charged twice.",
    "error.validation_error": "Some fields are not valid: {detail}",
    "error.internal_error": "Something went wrong on our side. Try again.",
    "error.generic": "Something went wrong: {detail}",
    "error.not_found": "This page does not exist.",
  },
  fr: {
    "app.name": "Porthole",
    "skip": "Aller au contenu",
    "nav.label": "Navigation principale",
    "nav.computers": "Ordinateurs",
    "nav.subscription": "Abonnement",
    "nav.purchases": "Achats",
    "lang.label": "Langue",
    "signout": "Se déconnecter",
    "signing_out": "Déconnexion…",
    "signed_in_as": "Connecté en tant que {email}",
    "loading": "Chargement…",
    "retry": "Réessayer",
    "live.on": "Mises à jour en direct",
    "live.off": "Reconnexion aux mises à jour en direct…",

    "signin.title": "Connexion à Porthole",
    "signin.email": "Adresse e-mail",
    "signin.password": "Mot de passe",
    "signin.submit": "Se connecter",
    "signin.busy": "Connexion…",
    "signin.no_account": "Pas encore de compte ?",
    "signin.create_link": "Créer un compte",
    "signup.title": "Créer votre compte Porthole",
    "signup.password_hint": "Au moins 8 caractères.",
    "signup.submit": "Créer le compte",
    "signup.busy": "Création de votre compte…",
    "signup.have_account": "Vous avez déjà un compte ?",
    "signup.signin_link": "Se connecter",
    "signin.ended": "Votre session a pris fin. Reconnectez-vous.",

    "computers.title": "Ordinateurs",
    "computers.none": "Aucun ordinateur pour l’instant.",
    "computers.online": "En ligne",
    "computers.offline": "Hors ligne",
    "computers.last_seen": "Vu pour la dernière fois {when}",
    "computers.never_seen": "Jamais connecté",
    "computers.os_unknown": "Système inconnu",
    "computers.rename": "Renommer",
    "computers.rename_label": "Nouveau nom pour {name}",
    "computers.save": "Enregistrer",
    "computers.cancel": "Annuler",
    "computers.remove": "Retirer",
    "computers.remove_confirm": "Retirer {name} de votre compte ? Il faudra l’inscrire de nouveau.",
    "computers.removed": "{name} a été retiré.",
    "computers.renamed": "Renommé en {name}.",
    "computers.list_label": "Vos ordinateurs",
    "computers.add_title": "Ajouter un ordinateur",
    "computers.add_steps": "Installez Porthole sur l’ordinateur, puis inscrivez-le avec un code à usage unique :",
    "computers.get_code": "Obtenir un code d’inscription",
    "computers.code_busy": "Obtention du code…",
    "computers.code_label": "Code d’inscription",
    "computers.code_expires": "Valable jusqu’à {when}, une seule fois.",
    "computers.copy": "Copier",
    "computers.copied": "Copié dans le presse-papiers.",
    "computers.copy_failed": "Copie impossible : sélectionnez le code et copiez-le.",
    "computers.step_run": "Lancez ensuite porthole agent run sur cet ordinateur : il apparaît ici, en ligne.",

    "banner.none": "Aucun abonnement",
    "banner.none_text": "Achetez un abonnement pour vous connecter à vos ordinateurs.",
    "banner.buy": "Acheter un abonnement",
    "banner.active": "Abonnement actif",
    "banner.bundled": "Abonnement inclus avec votre produit",
    "banner.pending": "Paiement en attente",
    "banner.grace": "Échec du paiement",
    "banner.expired": "Abonnement expiré",
    "banner.plan": "Formule",
    "banner.renews_on": "Renouvellement le",
    "banner.ends_on": "Fin le",
    "banner.auto_renew": "Renouvellement automatique",
    "banner.on": "Activé",
    "banner.off": "Désactivé",
    "banner.method": "Moyen de paiement",
    "banner.since": "Depuis",
    "banner.next": "Et ensuite",
    "banner.grace_until": "Accès maintenu jusqu’au",
    "banner.grace_text": "Nous n’avons pas pu débiter votre moyen de paiement. Mettez-le à jour avant la fin de l’accès.",
    "banner.expired_text": "Votre accès a pris fin. Achetez un abonnement pour vous reconnecter.",
    "banner.computers": "Ordinateurs",
    "banner.computers_count": "{used} sur {limit}",
    "banner.manage": "Gérer",
    "banner.amount_due": "Montant à payer",
    "banner.reference": "Référence",
    "banner.iban": "IBAN",
    "banner.beneficiary": "Bénéficiaire",

    "plan.month-1": "1 mois",
    "plan.year-1": "1 an",
    "plan.year-2": "2 ans",
    "method.card": "Carte",
    "method.paypal": "PayPal",
    "method.bank_transfer": "Virement bancaire",

    "next.card": "Votre paiement par carte est en cours de confirmation ; cela prend en général quelques minutes. L’abonnement démarre tout seul dès la confirmation.",
    "next.paypal": "L’abonnement démarre tout seul dès que PayPal nous confirme la réception du paiement.",
    "next.bank_transfer": "Virez {amount} avec la référence {reference}. L’abonnement démarre tout seul dès réception des fonds.",
    "next.live": "Cette page se met à jour toute seule : inutile de la recharger.",

    "buy.title": "Acheter un abonnement",
    "buy.plan": "Durée",
    "buy.per_year": "{price} par an",
    "buy.method": "Moyen de paiement",
    "buy.card_number": "Numéro de carte",
    "buy.card_expiry": "Expiration (MM/AA)",
    "buy.expiry_placeholder": "MM/AA",
    "buy.card_cvc": "Cryptogramme",
    "buy.paypal_email": "Adresse e-mail PayPal",
    "buy.transfer_hint": "Vous recevrez nos coordonnées bancaires et une référence ; l’abonnement démarre à réception des fonds.",
    "buy.pay": "Payer {price}",
    "buy.busy": "Paiement en cours…",
    "buy.retry_hint": "La connexion a été coupée avant la réponse. Réessayez : vous ne serez pas débité deux fois.",
    "buy.pending_title": "Paiement en cours de traitement",
    "buy.active_title": "Votre abonnement est actif",
    "buy.active_text": "Merci ! Votre abonnement court jusqu’au {date}.",
    "buy.to_computers": "Voir vos ordinateurs",
    "buy.failed_title": "Le paiement n’a pas abouti",
    "buy.have_one": "Vous avez déjà un abonnement.",
    "buy.plans_failed": "Les prix n’ont pas pu être chargés.",
    "buy.invalid_expiry": "Saisissez l’expiration au format MM/AA.",
    "buy.bad_card": "Saisissez le numéro de carte, son expiration et son cryptogramme.",
    "buy.bad_paypal": "Saisissez votre adresse e-mail PayPal.",
    "buy.transfer_title": "Coordonnées pour le virement",

    "redeem.title": "Vous avez un code fourni avec un produit ?",
    "redeem.code": "Code",
    "redeem.submit": "Utiliser le code",
    "redeem.busy": "Vérification…",
    "redeem.done": "Votre abonnement inclus est actif jusqu’au {date}.",

    "manage.title": "Gérer votre abonnement",
    "manage.nothing": "Il n’y a aucun abonnement à gérer.",
    "manage.disable": "Désactiver le renouvellement automatique",
    "manage.enable": "Activer le renouvellement automatique",
    "manage.saving": "Enregistrement…",
    "manage.on_text": "Le renouvellement automatique est activé : votre abonnement se renouvelle le {date} et votre moyen de paiement est alors débité.",
    "manage.off_text": "Le renouvellement automatique est désactivé : votre accès prend fin le {date}. Rien ne sera plus débité.",
    "manage.bundled_text": "Votre abonnement est fourni avec un autre produit et n’est jamais facturé. Il prend fin le {date}.",
    "manage.saved_off": "Renouvellement automatique désactivé.",
    "manage.saved_on": "Renouvellement automatique activé.",
    "manage.change_card": "Utiliser une autre carte",
    "manage.save_card": "Enregistrer la carte",
    "manage.card_saved": "Votre nouvelle carte paiera le prochain renouvellement.",
    "manage.card_saved_retry": "Votre nouvelle carte est enregistrée : nous relançons le paiement maintenant.",

    "purchases.title": "Historique des achats",
    "purchases.none": "Aucun achat pour l’instant.",
    "purchases.date": "Date",
    "purchases.plan": "Formule",
    "purchases.method": "Paiement",
    "purchases.amount": "Montant",
    "purchases.state": "État",
    "purchases.receipt": "Reçu",
    "purchases.receipt_for": "Reçu pour {plan}, {date}",
    "purchases.number": "Numéro d’achat",
    "purchases.period": "Période",
    "purchases.kind.initial": "Achat",
    "purchases.kind.renewal": "Renouvellement",
    "purchases.received": "Reçu",
    "state.pending": "En attente",
    "state.confirmed": "Payé",
    "state.failed": "Échoué",
    "state.refunded": "Remboursé",

    "error.network": "Impossible de joindre Porthole. Vérifiez votre connexion et réessayez.",
    "error.invalid_credentials": "L’adresse e-mail ou le mot de passe est incorrect.",
    "error.too_many_attempts": "Trop de tentatives. Réessayez dans {seconds} s.",
    "error.email_taken": "Un compte existe déjà avec cette adresse e-mail.",
    "error.session_ended": "Votre session a pris fin. Reconnectez-vous.",
    "error.csrf_failed": "Cette page n’est plus à jour. Rechargez-la et réessayez.",
    "error.invalid_enrollment_code": "Ce code d’inscription n’est pas valide.",
    "error.invalid_bundle_code": "Ce code n’est pas valide ou a déjà été utilisé.",
    "error.idempotency_key_in_flight": "Votre paiement est encore en cours de traitement. Réessayez dans un instant : vous ne serez pas débité deux fois.",
    "error.validation_error": "Certains champs ne sont pas valides : {detail}",
    "error.internal_error": "Un problème est survenu de notre côté. Réessayez.",
    "error.generic": "Un problème est survenu : {detail}",
    "error.not_found": "Cette page n’existe pas.",
  },
};

export const LANGUAGES = { en: "English", fr: "Français" };
const STORAGE_KEY = "porthole.lang";
let current = pick();

function pick() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && saved in STRINGS) return saved;
  for (const wanted of navigator.languages || [navigator.language || "en"]) {
    const base = String(wanted).toLowerCase().split("-")[0];
    if (base in STRINGS) return base;
  }
  return "en";
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!(lang in STRINGS)) return;
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function keys(lang) {
  return Object.keys(STRINGS[lang]);
}

const locale = () => (current === "fr" ? "fr-FR" : "en-GB");

export function formatMoney(cents, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(cents / 100);
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long" }).format(new Date(iso));
}

export function formatDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function planName(plan) {
  return plan ? t(`plan.${plan}`) : "";
}

export function methodName(method) {
  return method ? t(`method.${method}`) : "";
}

document.documentElement.lang = current;
