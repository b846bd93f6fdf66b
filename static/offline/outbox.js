// The outbox: forms the observer sent, and their photos, kept on the phone
// until the server confirms them. Sent at once, when the connection returns,
// and when the observer taps "Send now" -- always with the form's own uuid
// (and each photo's), so a retry after a lost answer returns the entry
// already stored instead of a second one.
//
// With no connection it looks again every POLL ms (a page reloaded offline
// from the service worker gets no "online" event when the network returns, so
// an event alone would wait forever); a server that answers with an error
// gets a growing pause instead, so a struggling server is not hammered.

const FIRST_PAUSE = 5000;
const LONGEST_PAUSE = 5 * 60 * 1000;
export const POLL = 2000;

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
      return { action: "sent", url: body.url || null, id: body.id || null,
        created: body.created !== false };
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
   * store: offline/store.js; urls: {token, send: {kind: url}} (a record with a
 * ``url`` of its own, a message's read confirmation, is sent there instead);
   * onChange(state) after every attempt: {sending, login, error, next}.
   * onResult(record, outcome) for each form the server answered;
   * onPhoto(photo, outcome) for each photo (urls.photos: {kind: ".../{id}/photos"}).
   */
  constructor({ store, urls, csrf, onChange, onResult, onPhoto }) {
    this.store = store;
    this.urls = urls;
    this.csrf = csrf;
    this.onChange = onChange || (() => {});
    this.onResult = onResult || (() => {});
    this.onPhoto = onPhoto || (() => {});
    this.state = { sending: false, login: false, error: "", next: 0 };
    this.running = null;
  }

  /** Send when the connection returns, when the tab comes back, and every POLL ms. */
  start() {
    window.addEventListener("online", () => this.flush({ force: true }));
    window.addEventListener("focus", () => this.flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { this.flush(); }
    });
    // Cheap while nothing waits: one read of the phone's storage, no request.
    setInterval(() => this.flush(), POLL);
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
    const isDue = (r) => force || !r.next_try || r.next_try <= now;
    const waiting = await this.store.withStatus("waiting");
    const photos = await this.store.photosWithStatus("upload");
    const due = waiting.filter(isDue);
    const duePhotos = photos.filter(isDue);
    if (!due.length && !duePhotos.length) {
      this._report({ sending: false, next: nextTry(waiting) });
      return;
    }
    this._report({ sending: true, error: "" });
    const token = await this._token();
    if (token === null) {
      await this._postpone(due, "", this.state.login);
      await this._postponePhotos(duePhotos, this.state.login);
      this._report({ sending: false, next: nextTry(await this.store.withStatus("waiting")) });
      return;
    }
    let stop = false;
    for (const record of due) {
      const outcome = await this._send(record, token);
      if (outcome.action === "offline" || outcome.action === "login") {
        await this._postpone(due.slice(due.indexOf(record)), "", outcome.action === "login");
        stop = true;
        break;
      }
    }
    // Photos of the entries just received, and any left from before.
    const uploads = stop ? [] : (await this.store.photosWithStatus("upload")).filter(
      (p) => force || !p.next_try || p.next_try <= Date.now());
    for (const photo of uploads) {
      const outcome = await this._upload(photo, token);
      if (outcome.action === "offline" || outcome.action === "login") {
        await this._postponePhotos(uploads.slice(uploads.indexOf(photo)),
          outcome.action === "login");
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
      // A record with its own address (a message's read confirmation) goes there.
      response = await fetch(record.url || this.urls.send[record.kind], {
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
        url: outcome.url, id: outcome.id });
    } else if (outcome.action === "rejected" && record.url) {
      // Not a form (a read confirmation of a message gone or not addressed to this
      // observer): nothing for them to fix, so it leaves the outbox.
      await this.store.remove(record.uuid);
    } else if (outcome.action === "rejected") {
      Object.assign(record, { status: "rejected", errors: outcome.fields,
        error: outcome.error, conflict: Boolean(outcome.conflict), attempts: 0, next_try: 0 });
      await this.store.put(record);
    } else if (outcome.action === "login") {
      this._report({ login: true });
    } else {
      await this._postpone([record], outcome.error || "error", true);
    }
    this.onResult(record, outcome);
    return outcome;
  }

  // One photo to its entry (multipart: uuid, file, question). Done when the
  // server has it (201, or 200 for the same uuid and bytes); a refused image
  // (4xx with a message, 409 for the uuid with other bytes) leaves the outbox
  // with its message, the entry stays as it is.
  async _upload(photo, token) {
    const url = (this.urls.photos || {})[photo.kind];
    if (!url || !photo.entry_id) { return { action: "skipped" }; }
    const body = new FormData();
    body.append("uuid", photo.uuid);
    body.append("file", photo.blob, photo.name || `${photo.uuid}.jpg`);
    if (photo.question) { body.append("question", photo.question); }
    let response;
    try {
      response = await fetch(url.replace("{id}", String(photo.entry_id)), {
        method: "POST", credentials: "same-origin", cache: "no-store", body,
        headers: { Accept: "application/json", "X-CSRFToken": token || this.csrf } });
    } catch (error) {
      return { action: "offline" };
    }
    const answer = await jsonOf(response);
    let outcome;
    if (loggedOut(response) || (response.status === 400 && !answer)) {
      outcome = { action: "login" };
      this._report({ login: true });
    } else if (response.status === 200 || response.status === 201) {
      outcome = { action: "sent" };
      await this.store.removePhoto(photo.uuid);
    } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      // The API puts the reason by the field (fields.file: "not a photo", "too large").
      const reasons = answer && answer.fields ? Object.values(answer.fields).flat() : [];
      outcome = { action: "refused",
        error: reasons.join(" ") || (answer && answer.error) || response.statusText };
      await this.store.removePhoto(photo.uuid);
    } else {
      outcome = { action: "retry" };
      await this._postponePhotos([photo], true);
    }
    this.onPhoto(photo, outcome);
    return outcome;
  }

  // Keep records for a later try: soon when the connection is simply gone
  // (the next poll), after a growing pause when the server answered badly.
  async _postpone(records, error = "", backoff = false) {
    for (const record of records) {
      const fresh = await this.store.get(record.uuid);
      if (!fresh || fresh.status !== "waiting") { continue; }
      if (backoff) {
        fresh.attempts = (fresh.attempts || 0) + 1;
        fresh.next_try = Date.now() + pause(fresh.attempts);
      } else {
        fresh.next_try = Date.now() + POLL;
      }
      await this.store.put(fresh);
    }
    if (error) { this._report({ error }); }
  }

  async _postponePhotos(photos, backoff = false) {
    for (const photo of photos) {
      photo.attempts = backoff ? (photo.attempts || 0) + 1 : photo.attempts || 0;
      photo.next_try = Date.now() + (backoff ? pause(photo.attempts) : POLL);
      await this.store.putPhoto(photo);
    }
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
