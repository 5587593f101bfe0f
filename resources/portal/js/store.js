// What the pages show, loaded from the API and kept current by the event stream.
import { call } from "./api.js";

const listeners = new Set();

export const store = {
  session: null, // {account: {id, email}, csrf_token}
  subscription: null,
  computers: null,
  live: false,

  on(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  emit(what) {
    for (const listener of [...listeners]) listener(what);
  },

  async refreshSubscription() {
    this.subscription = await call("GET", "/subscription");
    this.emit("subscription");
  },

  async refreshComputers() {
    this.computers = await call("GET", "/computers");
    this.emit("computers");
  },

  // One event from the stream: presence is applied as is, the rest reloads what changed.
  async apply(event) {
    switch (event.type) {
      case "computer.presence": {
        const computer = (this.computers || []).find((c) => c.id === event.computer_id);
        if (!computer) return this.refreshComputers();
        computer.online = event.online;
        computer.last_seen = event.last_seen;
        this.emit("computers");
        // Which sleeping computers can be woken follows who is online: the cloud's say.
        if (this.computers.some((c) => !c.online)) return this.refreshComputers();
        return undefined;
      }
      case "computer.networks":
      case "computer.added":
      case "computer.renamed":
      case "computer.removed":
        return this.refreshComputers();
      case "subscription.changed":
        return this.refreshSubscription();
      case "purchase.changed":
        this.emit("purchases");
        return this.refreshSubscription();
      case "session.logged":
        this.emit("sessions");
        return undefined;
      default:
        return undefined;
    }
  },

  clear() {
    this.session = null;
    this.subscription = null;
    this.computers = null;
    this.live = false;
  },
};
