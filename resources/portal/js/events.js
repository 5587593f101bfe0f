// The account's live events (presence, subscription, purchases) over the same
// WebSocket the apps use. Its hello needs an access token: a short-lived one is asked
// for with the cookie each time the stream opens, and kept in memory only.
import { call } from "./api.js";

const HEARTBEAT_MS = 20000;
const MAX_BACKOFF_MS = 30000;

export class EventStream {
  constructor({ onEvent, onLive }) {
    this.onEvent = onEvent;
    this.onLive = onLive;
    this.socket = null;
    this.stopped = true;
    this.failures = 0;
    this.timer = null;
    this.heartbeat = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    if (this.socket) this.socket.close(1000, "signed out");
    this.socket = null;
  }

  async connect() {
    if (this.stopped) return;
    let token;
    try {
      token = (await call("POST", "/web/access-token")).access_token;
    } catch (error) {
      if (error.status === 401) return; // signed out: the app goes back to sign-in
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/events`);
    this.socket = socket;
    let seq = 0;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "hello", version: 1, role: "portal", token, client: "porthole-portal/1" }));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "welcome") {
        this.failures = 0;
        this.onLive(true);
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(() => {
          seq += 1;
          socket.send(JSON.stringify({ type: "heartbeat", seq, sent_at_us: Date.now() * 1000 }));
        }, HEARTBEAT_MS);
      } else if (message.type !== "heartbeat_ack" && message.type !== "error") {
        this.onEvent(message);
      }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.heartbeat);
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this.onLive(false);
      // An expired token (4401) is renewed at once, once; anything else backs off.
      if (event.code === 4401 && this.failures === 0) {
        this.failures = 1;
        this.connect();
      } else {
        this.retryLater();
      }
    });
  }

  retryLater() {
    this.failures += 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 6));
    this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
  }
}
