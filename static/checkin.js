// The home page's check-in card (templates/checkins/_card.html): "arrived at No. 123",
// "leaving", "safe". A check-in goes through the phone's outbox like any entry
// (offline/outbox.js): kept in the user's IndexedDB with a uuid made here, sent to
// POST /api/v1/checkins with that uuid until the server confirms (a resend is one
// check-in), then gone from the outbox. The tap's time goes with it, so a check-in
// held for hours without signal still says when the team was there. Without
// JavaScript, or without the phone's storage, the form posts as a plain form.

import { openStore } from "./offline/store.js";
import { Outbox } from "./offline/outbox.js";
import { newUuid } from "./offline/ui.js";

const form = document.getElementById("checkin-form");
const status = document.getElementById("checkin-status");

function utcNow() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function body() {
  const data = new FormData(form);
  return { uuid: newUuid(), kind: data.get("kind") || "",
    station_number: (data.get("station_number") || "").trim() || null,
    note: (data.get("note") || "").trim() || null, occurred_utc: utcNow() };
}

function say(text) {
  status.textContent = text;
}

async function start() {
  const logout = document.querySelector("form[data-logout]");
  const username = logout && logout.getAttribute("data-username");
  if (!username || !("indexedDB" in self)) { return; }
  const store = await openStore(username);
  let current = null;
  const outbox = new Outbox({ store, csrf: "",
    // The offline pages' own settings: every kind's address, so whatever else waits
    // in this phone's outbox (a checklist, its photos) is sent from here too.
    urls: JSON.parse(form.dataset.config),
    onResult: async (record, outcome) => {
      if (!current || record.uuid !== current) { return; }
      if (outcome.action === "sent") {
        say(form.dataset.sent);
        form.reset();
      } else if (outcome.action === "rejected") {
        // A check-in is one tap: the reasons go on the card and it leaves the outbox.
        const reasons = Object.values(outcome.fields || {}).flat();
        say(`${form.dataset.refused} ${reasons.join(" ") || outcome.error}`);
        await store.remove(record.uuid);
      }
    } });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const sent = body();
    current = sent.uuid;
    const station = sent.station_number ? ` ${sent.station_number}` : "";
    await store.put({ uuid: sent.uuid, kind: "checkin", status: "waiting", body: sent,
      title: `${form.querySelector(`input[name=kind][value="${sent.kind}"] + span`)
        ?.textContent || sent.kind}${station}`,
      fields: {}, errors: {}, error: "", attempts: 0, next_try: 0 });
    say(form.dataset.kept);
    await outbox.flush({ force: true });
  });
  form.setAttribute("data-outbox-ready", "");
  outbox.start();
}

if (form) {
  start().catch((error) => console.warn("check-in outbox", error));
}
