// The coordinators' messages on the offline page, newest first, each unread
// one with its "I have read it" button. The list is GET /api/v1/messages,
// which the service worker keeps as the observer's data: with no connection
// the page shows the messages fetched at the last one.
//
// A confirmation goes straight to the server when online. With no connection
// (or when that try fails) it waits in the outbox like an entry, with a uuid
// of its own and the message's read_url, and goes at the next connection;
// the server keeps one confirmation however often it arrives.

import { el, fmt, stamp, show, newUuid, getJSON } from "./ui.js";

export const KIND = "message_read";
const SHOWN = 20;

async function sendNow(url, tokenUrl, uuid) {
  try {
    const token = await getJSON(tokenUrl);
    if (!token || !token.csrf_token) { return false; }
    const response = await fetch(url, { method: "POST", credentials: "same-origin",
      cache: "no-store", body: JSON.stringify({ uuid }),
      headers: { "Content-Type": "application/json", Accept: "application/json",
        "X-CSRFToken": token.csrf_token } });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.includes("json")) { return false; }
    return (await response.json()).uuid === uuid;
  } catch (error) {
    return false;
  }
}

export class Messages {
  /** section: the card to show; list: where the messages go; C, M: the page's config and words. */
  constructor({ section, list, store, outbox, C, M }) {
    Object.assign(this, { section, list, store, outbox, C, M, messages: [] });
    list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-confirm]");
      if (button) { this.confirm(Number(button.getAttribute("data-confirm"))); }
    });
  }

  /** Fetch the list (from the worker's copy with no connection) and draw it. */
  async load() {
    if (!this.C.messages) { return; }
    const answer = await getJSON(this.C.messages);
    if (answer && Array.isArray(answer.messages)) { this.messages = answer.messages; }
    await this.render();
  }

  // The ids of the confirmations waiting in the outbox.
  async _waiting() {
    const records = await this.store.withStatus("waiting");
    return new Set(records.filter((r) => r.kind === KIND).map((r) => r.message_id));
  }

  async render() {
    const waiting = await this._waiting();
    const items = this.messages.slice(0, SHOWN).map((message) => {
      let state;
      if (message.read) {
        state = el("p", { class: "help", text: this.M.message_read });
      } else if (waiting.has(message.id)) {
        state = el("p", { class: "help", text: this.M.message_waiting });
      } else {
        state = el("button", { type: "button", class: "secondary", "data-confirm": message.id,
          "aria-describedby": `offline-message-${message.id}`, text: this.M.message_confirm });
      }
      return el("article", { class: "team-message" },
        el("p", { class: "help", text: stamp(Date.parse(message.sent_utc)) }),
        el("p", { class: "message-body", id: `offline-message-${message.id}`,
          text: message.body }), state);
    });
    this.list.replaceChildren(...items);
    show(this.section, items.length > 0);
  }

  /** "I have read it": to the server now if possible, else through the outbox. */
  async confirm(id) {
    const message = this.messages.find((m) => m.id === id);
    if (!message || message.read) { return; }
    const uuid = newUuid();
    if (navigator.onLine && await sendNow(message.read_url, this.C.token, uuid)) {
      message.read = true;
      await this.load();  // through the worker: its kept copy learns it too
      return;
    }
    await this.store.put({ uuid, kind: KIND, message_id: id, url: message.read_url,
      body: { uuid }, status: "waiting", attempts: 0, next_try: 0,
      title: fmt(this.M.message_receipt, { text: message.body.slice(0, 60) }) });
    await this.render();
    this.outbox.flush({ force: true });
  }

  /** The outbox sent a confirmation: the list says so. */
  async sent(record) {
    const message = this.messages.find((m) => m.id === record.message_id);
    if (message) { message.read = true; }
    await this.load();
  }
}
