// The outbox: forms the observer sent, kept on the phone until the server
// confirms them. Sent when the connection returns, every so often with a
// growing pause, and when the observer taps "Send now" -- always with the
// form's own uuid, so a retry after a lost answer returns the entry already
// stored instead of a second one.

const FIRST_PAUSE = 5000;
const LONGEST_PAUSE = 5 * 60 * 1000;
const TICK = 10000;

/** The pause before the next try after ``attempts`` failures: doubling, with jitter. */
export function pause(attempts) {
  const base = Math.min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

async function jsonOf(response) {
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) { return null; }
  try { return await response.json(); } catch (error) { return null; }
}

function loggedOut(response) {
  return response.status === 401 || (response.redirected && /\/login\b/.test(response.url));
}

/**
 * What to do with the server's answer to one form:
 *   sent      201/200 with the entry (its uuid): leave the outbox
 *   rejected  409/422 (and 400 with field messages, 403, 404, 413): back to the observer
 *   login     no session, or an HTML answer (an expired CSRF token): keep, ask to log in
 *   retry     429, 5xx, anything else: keep, try again later
 */
export async function classify(response, uuid) {
  if (loggedOut(response)) { return { action: "login" }; }
  const body = await jsonOf(response);
  if (response.status === 200 || response.status === 201) {
    if (body && body.uuid === uuid) {
      return { action: "sent", url: body.url || null, created: body.created !== false };
    }
    return { action: "login" };  // a page instead of the entry: the session is gone
  }
  const fields = (body && body.fields) || {};
  const error = (body && body.error) || "";
  if (response.status === 400) {
    // Flask-WTF answers a bad or expired CSRF token with a 400 page, not JSON.
    return Object.keys(fields).length || (body && !/csrf|session/i.test(error))
      ? { action: "rejected", fields, error } : { action: "login" };
  }
  if ([403, 404, 409, 413, 422].includes(response.status)) {
    return { action: "rejected", fields, error, conflict: response.status === 409,
      status: response.status };
  }
  return { action: "retry", error };
}

export class Outbox {
  /**
   * store: offline/store.js; urls: {token, send: {kind: url}};
   * onChange(state) after every attempt: {sending, login, error, next}.
   * onResult(record, outcome) for each form the server answered.
   */
  constructor({ store, urls, csrf, onChange, onResult }) {
    this.store = store;
    this.urls = urls;
    this.csrf = csrf;
    this.onChange = onChange || (() => {});
    this.onResult = onResult || (() => {});
    this.state = { sending: false, login: false, error: "", next: 0 };
    this.running = null;
  }

  /** Send when the connection returns, on a timer, and when the tab comes back. */
  start() {
    window.addEventListener("online", () => this.flush({ force: true }));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { this.flush(); }
    });
    setInterval(() => this.flush(), TICK);
    // Opening the page is a good moment to try everything (after logging in again, say).
    return this.flush({ force: true });
  }

  /** Send what is due (``force``: everything waiting, now). One run at a time. */
  flush({ force = false } = {}) {
    if (this.running) {
      if (force) { this.again = true; }
      return this.running;
    }
    this.running = this._withLock(() => this._flush(force)).finally(() => {
      this.running = null;
      if (this.again) { this.again = false; this.flush({ force: true }); }
    });
    return this.running;
  }

  // Two tabs of the same observer must not send the same form at once:
  // harmless for the server (same uuid), but confusing on the screen.
  _withLock(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(`eom-outbox-${this.store.username}`, work);
    }
    return work();
  }

  async _flush(force) {
    const now = Date.now();
    const waiting = await this.store.withStatus("waiting");
    const due = waiting.filter((r) => force || !r.next_try || r.next_try <= now);
    if (!due.length) {
      this._report({ sending: false, next: nextTry(waiting) });
      return;
    }
    this._report({ sending: true, error: "" });
    const token = await this._token();
    if (token === null) {
      await this._postpone(due);
      this._report({ sending: false, next: nextTry(await this.store.withStatus("waiting")) });
      return;
    }
    for (const record of due) {
      const outcome = await this._send(record, token);
      if (outcome.action === "offline" || outcome.action === "login") {
        await this._postpone(due.slice(due.indexOf(record)));
        break;
      }
    }
    this._report({ sending: false, next: nextTry(await this.store.withStatus("waiting")) });
  }

  // A fresh CSRF token for this session: the page's own may be hours old.
  // null when there is no connection; "" when the session has ended.
  async _token() {
    let response;
    try {
      response = await fetch(this.urls.token, { credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json" } });
    } catch (error) {
      return null;
    }
    const body = await jsonOf(response);
    if (loggedOut(response) || !response.ok || !body || !body.csrf_token) {
      this._report({ login: true });
      return null;
    }
    this._report({ login: false });
    return body.csrf_token;
  }

  async _send(record, token) {
    let response;
    try {
      response = await fetch(this.urls.send[record.kind], {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRFToken": token || this.csrf },
        body: JSON.stringify(record.body) });
    } catch (error) {
      return { action: "offline" };
    }
    const outcome = await classify(response, record.uuid);
    if (outcome.action === "sent") {
      await this.store.confirm(record, { kind: record.kind, title: record.title,
        url: outcome.url });
    } else if (outcome.action === "rejected") {
      Object.assign(record, { status: "rejected", errors: outcome.fields,
        error: outcome.error, conflict: Boolean(outcome.conflict), attempts: 0, next_try: 0 });
      await this.store.put(record);
    } else if (outcome.action === "login") {
      this._report({ login: true });
    } else {
      await this._postpone([record], outcome.error);
    }
    this.onResult(record, outcome);
    return outcome;
  }

  async _postpone(records, error = "") {
    for (const record of records) {
      const fresh = await this.store.get(record.uuid);
      if (!fresh || fresh.status !== "waiting") { continue; }
      fresh.attempts = (fresh.attempts || 0) + 1;
      fresh.next_try = Date.now() + pause(fresh.attempts);
      await this.store.put(fresh);
    }
    if (error) { this._report({ error }); }
  }

  _report(change) {
    Object.assign(this.state, change);
    this.onChange({ ...this.state });
  }
}

function nextTry(waiting) {
  const times = waiting.map((r) => r.next_try || 0).filter(Boolean);
  return times.length ? Math.min(...times) : 0;
}
