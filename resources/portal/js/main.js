// The portal's shell: the header, the hash router and the session.
import { call, setCsrfToken, whenSessionEnds } from "./api.js";
import { h, replace, setBusy } from "./dom.js";
import { EventStream } from "./events.js";
import { LANGUAGES, language, setLanguage, t } from "./i18n.js";
import { store } from "./store.js";
import { buyView } from "./views/buy.js";
import { computersView } from "./views/computers.js";
import { manageView } from "./views/manage.js";
import { purchasesView } from "./views/purchases.js";
import { sessionsView } from "./views/sessions.js";
import { accountView } from "./views/account.js";
import { resetView, verifyView } from "./views/links.js";
import { signInView } from "./views/signin.js";

const ROUTES = {
  "#/signin": { view: signInView, public: true },
  "#/signup": { view: (main, app) => signInView(main, app, { creating: true }), public: true },
  "#/computers": { view: computersView },
  "#/subscription/buy": { view: buyView },
  "#/subscription/manage": { view: manageView },
  "#/purchases": { view: purchasesView },
  "#/sessions": { view: sessionsView },
  "#/account": { view: accountView },
};
const HOME = "#/computers";

const main = document.getElementById("main");
const top = document.getElementById("top");
const events = new EventStream({
  onEvent: (event) => store.apply(event).catch(() => {}),
  onLive: (live) => {
    store.live = live;
    store.emit("live");
    // Events may have been missed while the stream was down: reload what is shown.
    if (live) Promise.all([store.refreshSubscription(), store.refreshComputers()]).catch(() => {});
  },
});
let cleanup = null;
// What the sign-in page says first, once: why this browser is no longer signed in.
let notice = null;

const app = {
  go(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },

  async signedIn(session) {
    store.session = session;
    setCsrfToken(session.csrf_token);
    notice = null;
    events.start();
    this.go(HOME);
  },

  async signOut(button) {
    if (button) setBusy(button, true, t("signing_out"));
    try {
      await call("DELETE", "/web/session");
    } catch {
      // Already ended on the server: signing out here is all that is left.
    }
    this.forget();
    this.go("#/signin");
  },

  forget() {
    events.stop();
    setCsrfToken(null);
    store.clear();
  },

  // Signed out by something the person did elsewhere on the page (signed out every
  // device, deleted the account): the sign-in page says so with the text of noticeKey.
  leave(noticeKey) {
    this.forget();
    notice = noticeKey;
    this.go("#/signin");
  },

  // The sign-in page's first words, if any (a translation key).
  get notice() {
    return notice;
  },
};

whenSessionEnds(() => {
  if (!store.session) return;
  app.leave("signin.ended");
});

function renderHeader(route) {
  const nav = store.session
    ? h(
        "nav",
        { "aria-label": t("nav.label") },
        h(
          "ul",
          {},
          [
            ["#/computers", "nav.computers"],
            ["#/subscription/manage", "nav.subscription"],
            ["#/purchases", "nav.purchases"],
            ["#/sessions", "nav.sessions"],
            ["#/account", "nav.account"],
          ].map(([hash, key]) =>
            h("li", {}, h("a", { href: hash, "aria-current": route === hash ? "page" : null }, t(key))),
          ),
        ),
      )
    : null;
  const languagePicker = h(
    "select",
    {
      id: "language",
      "aria-label": t("lang.label"),
      onchange: (event) => {
        setLanguage(event.target.value);
        render();
      },
    },
    Object.entries(LANGUAGES).map(([code, name]) =>
      h("option", { value: code, selected: code === language(), lang: code }, name),
    ),
  );
  const account = store.session
    ? h(
        "div",
        { class: "account" },
        h("span", { class: "who" }, t("signed_in_as", { email: store.session.account.email })),
        h("button", { type: "button", id: "sign-out", onclick: (event) => app.signOut(event.currentTarget) }, t("signout")),
      )
    : null;
  replace(
    top,
    h("div", { class: "brand" }, h("img", { src: "/portal/icon.svg", alt: "" }), t("app.name")),
    nav,
    languagePicker,
    account,
  );
  document.getElementById("skip-link").textContent = t("skip");
}

// The pages mailed links open: #/reset/<token>, #/verify/<token>.
function linkRoute(hash) {
  const found = /^#\/(reset|verify)\/([A-Za-z0-9_-]{10,200})$/.exec(hash);
  if (!found) return null;
  const [, kind, token] = found;
  const view = kind === "reset" ? resetView : verifyView;
  return { view: (main, app) => view(main, app, token), anyone: true };
}

function render() {
  const hash = location.hash || HOME;
  let route = ROUTES[hash] || linkRoute(hash);
  if (!route) {
    location.replace(store.session ? HOME : "#/signin");
    return;
  }
  if (route.anyone) {
    // A mailed link: open whether or not this browser is signed in.
  } else if (!route.public && !store.session) {
    location.replace("#/signin");
    return;
  } else if (route.public && store.session) {
    location.replace(HOME);
    return;
  }
  if (cleanup) cleanup();
  cleanup = null;
  renderHeader(hash);
  replace(main);
  cleanup = route.view(main, app) || null;
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} · Porthole` : "Porthole";
  // A new page takes the focus to its content, so a screen reader reads it and Tab
  // starts there, unless the page focused a field of its own (the sign-in email).
  if (!main.contains(document.activeElement) || document.activeElement === document.body) main.focus();
}

async function start() {
  replace(main, h("p", { class: "muted" }, t("loading")));
  try {
    const session = await call("GET", "/web/session");
    if (session.account) {
      store.session = session;
      setCsrfToken(session.csrf_token);
      events.start();
    }
  } catch {
    store.session = null; // not signed in (or the cloud is unreachable: sign-in says so)
  }
  window.addEventListener("hashchange", render);
  render();
}

start();
