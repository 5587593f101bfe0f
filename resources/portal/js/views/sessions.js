// #/sessions: the session log — who reached which computer, from which device and
// address, when, for how long, by which path, and how it ended.
import { call, describeError } from "../api.js";
import { h, message, replace } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { store } from "../store.js";

const HEADINGS = ["sessions.date", "sessions.computer", "sessions.from", "sessions.duration", "sessions.outcome"];

export function sessionsView(main) {
  const box = h("div", { class: "card" }, h("p", { class: "muted" }, t("loading")));
  replace(main, h("h1", {}, t("sessions.title")), box);
  const load = () =>
    call("GET", "/sessions/history")
      .then((entries) =>
        replace(box, entries.length ? table(entries) : h("p", { class: "muted", id: "no-sessions" }, t("sessions.none"))),
      )
      .catch((error) => replace(box, message("error", describeError(error))));
  load();
  return store.on((what) => {
    if (what === "sessions") load(); // live: a session started or ended
  });
}

function table(entries) {
  return h(
    "table",
    { id: "session-table" },
    h("caption", { class: "sr-only" }, t("sessions.title")),
    h("thead", {}, h("tr", {}, HEADINGS.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, entries.map(row)),
  );
}

function row(entry) {
  const from = entry.address ? `${entry.device_name} (${entry.address})` : entry.device_name;
  const outcome = entry.path
    ? t(`sessions.path.${entry.path}`, { outcome: t(`sessions.outcome.${entry.outcome}`) })
    : t(`sessions.outcome.${entry.outcome}`);
  const cells = [formatDateTime(entry.granted_at), entry.computer_name, from, duration(entry.duration_s), outcome];
  return h(
    "tr",
    { "data-session-id": entry.session_id, "data-outcome": entry.outcome },
    cells.map((cell, index) => h("td", { "data-label": t(HEADINGS[index]) }, cell)),
  );
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}
