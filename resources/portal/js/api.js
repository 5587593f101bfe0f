// The cloud's API, called with the session cookie (HttpOnly: this code never sees it)
// and the CSRF proof the cloud handed out at sign-in, kept in memory only.
import { t } from "./i18n.js";

const SESSION_OVER = new Set(["unauthorized", "invalid_token", "session_ended"]);
let csrfToken = null;
let onSessionEnded = () => {};

export class ApiError extends Error {
  constructor(status, code, serverMessage, retryAfter = null) {
    super(serverMessage || code);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.retryAfter = retryAfter;
  }

  // Retrying the same request may succeed: the network, or the server busy with it.
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.code === "idempotency_key_in_flight" || this.code === "busy";
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export function whenSessionEnds(callback) {
  onSessionEnded = callback;
}

export async function call(method, path, body = undefined, { idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "");
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const code = (data && data.error) || "http_error";
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    const error = new ApiError(response.status, code, (data && data.message) || "", retryAfter);
    // A wrong password or code typed to confirm a change is a 401 too, but the session
    // lives on: only these mean the session itself is over.
    if (response.status === 401 && SESSION_OVER.has(code) && path !== "/web/session") onSessionEnded(error);
    throw error;
  }
  return data;
}

// The person's words for an error: ours, translated, where we know the code.
export function describeError(error) {
  if (!(error instanceof ApiError)) return t("error.generic", { detail: String(error) });
  if (error.code === "network") return t("error.network");
  if (error.code === "too_many_attempts") return t("error.too_many_attempts", { seconds: error.retryAfter || 1 });
  if (error.code === "validation_error") return t("error.validation_error", { detail: error.serverMessage });
  const key = `error.${error.code}`;
  const text = t(key);
  if (text !== key) return text;
  return error.serverMessage || t("error.generic", { detail: error.code });
}

export function newIdempotencyKey() {
  return crypto.randomUUID();
}
