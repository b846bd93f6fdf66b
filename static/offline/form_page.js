// The ordinary checklist, incident and meeting forms, offline-first
// (templates/offline/_form_hooks.html). With this script:
//  - what the observer types is kept on the phone as a draft (IndexedDB, per user);
//  - reopening the form for the same station offers that draft;
//  - Send goes through the outbox (offline/outbox.js) with the form's uuid: once
//    the server confirms, the draft goes and the entry's page opens; with no
//    connection the entry waits on the phone and is sent by itself later;
//  - photos are shrunk, kept with the form and uploaded after the entry;
//  - leaving a form with unsent changes asks first.
// Edit forms (data-offline-form="edit") only get the question before leaving.
// Without this script the form posts to the server as ever.

import { el, fmt, clock, todayIn, show, newUuid, getJSON } from "./ui.js";
import { openStore, FLASH_KEY } from "./store.js";
import { Outbox } from "./outbox.js";
import * as forms from "./forms.js";
import { shrink, photoCard, renderPhotos } from "./photos.js";

const form = document.querySelector("form[data-offline-form]");
const hook = document.getElementById("offline-form");
const C = hook ? JSON.parse(hook.getAttribute("data-config")) : {};
const M = hook ? JSON.parse(hook.getAttribute("data-messages")) : {};
const SAVE_AFTER = 400;  // ms after the last keystroke
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Not answers: the page's own bookkeeping, never put back from a draft.
const BOOKKEEPING = new Set(["csrf_token", "uuid", "station_id", "base_version", "more_rows"]);
// Fields set to "today" when the page is a copy the phone kept (it may be days old).
const TODAY_FIELDS = { checklist: ["arrival_date", "departure_date"],
  incident: ["occurred_date"], interaction: ["date"] };

const page = { record: null, store: null, outbox: null, definition: null, snapshot: "",
  bannerKey: "", leaving: false, saveTimer: 0, card: null, banner: null, problems: {}, sentUrl: null };

// ---------------------------------------------------------------- leaving

function answers() {
  const fields = forms.readFields(form);
  for (const name of BOOKKEEPING) { delete fields[name]; }
  return fields;
}

function dirty() {
  return !page.leaving && JSON.stringify(answers()) !== page.snapshot;
}

function markClean() {
  page.snapshot = JSON.stringify(answers());
}

function guardLeaving() {
  window.addEventListener("beforeunload", (event) => {
    if (!dirty()) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });
  // Links inside the app: a question of our own, in words (beforeunload's is the browser's).
  // A plain submit (an edit form, or no storage on this phone) leaves on purpose.
  form.addEventListener("submit", () => {
    if (!form.hasAttribute("data-offline-ready")) { page.leaving = true; }
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.target || !dirty()) { return; }
    const target = new URL(link.href, location.href);
    if (target.pathname === location.pathname && target.search === location.search) { return; }
    if (!window.confirm(M.leave_unsaved)) { event.preventDefault(); return; }
    page.leaving = true;  // asked once: the browser must not ask again
  }, true);
}

// ---------------------------------------------------------------- status on the page

function banner(text, { problem = false, link = null, buttons = [] } = {}) {
  if (!page.banner) {
    page.banner = el("p", { class: "flash", role: "status", "data-offline-status": true });
    form.before(page.banner);
  }
  // The outbox reports every few seconds: the same news is not news (no redraw, no scroll).
  const key = JSON.stringify([text, problem, link]);
  if (!buttons.length && page.bannerKey === key) { return; }
  page.bannerKey = key;
  page.banner.classList.toggle("problem", problem);
  page.banner.replaceChildren(text, ...(link ? [" ", el("a", { href: link.href,
    text: link.text })] : []), ...buttons.flatMap((b) => [" ", b]));
  show(page.banner, Boolean(text));
  if (text) { page.banner.scrollIntoView({ block: "nearest" }); }
}

function stateLine(text) {
  let node = form.querySelector("[data-draft-state]");
  if (!node) {
    node = el("p", { class: "help draft-state", "aria-live": "polite", "data-draft-state": true });
    form.prepend(node);
  }
  node.textContent = text;
}

// ---------------------------------------------------------------- the record

function queryParam(name) {
  return new URLSearchParams(location.search).get(name) || "";
}

function stationFromPage() {
  const raw = form.getAttribute("data-station");
  try { return raw ? JSON.parse(raw) : null; } catch (error) { return null; }
}

// A copy the phone kept may be for another station: the one in the address counts.
async function stationWanted(fromCache) {
  const shown = stationFromPage();
  const wanted = Number(queryParam("station"));
  if (!wanted || !shown || wanted === shown.id) { return shown; }
  const list = await getJSON(C.stations);
  const station = ((list && list.stations) || []).find((s) => s.id === wanted);
  if (!station) { return fromCache ? null : shown; }
  form.querySelector("[name=station_id]").value = String(station.id);
  const head = document.querySelector("p.station-head");
  const fresh = forms.stationHead(station, M);
  if (head && fresh) { head.replaceWith(fresh); }
  return station;
}

function titleOf(kind, station) {
  const heading = document.querySelector("h1");
  const name = heading ? heading.textContent.trim() : kind;
  return station ? `${name} · ${fmt(M.station_no, { number: station.number })}` : name;
}

function fill(fields) {
  const kept = Object.fromEntries(Object.entries(fields || {})
    .filter(([name]) => !BOOKKEEPING.has(name)));
  forms.fillFields(form, kept);
}

function sameForm(draft, record) {
  if (draft.uuid === record.uuid || draft.kind !== record.kind) { return false; }
  if (record.kind !== "checklist") { return true; }
  return draft.form_type === record.form_type && draft.station
    && record.station && draft.station.id === record.station.id;
}

// Another draft of this form (same station): continue it, or throw it away.
async function offerDraft() {
  const drafts = (await page.store.withStatus("draft")).filter((d) => sameForm(d, page.record));
  const draft = drafts[drafts.length - 1];
  if (!draft) { return; }
  const text = draft.station
    ? fmt(M.draft_offer, { number: draft.station.number, time: clock(draft.updated) })
    : fmt(M.draft_offer_any, { time: clock(draft.updated) });
  const keep = el("button", { type: "button", class: "primary", "data-draft-continue": true,
    text: M.draft_continue });
  const drop = el("button", { type: "button", class: "secondary", "data-draft-discard": true,
    text: M.draft_discard });
  keep.addEventListener("click", async () => {
    adopt(draft);
    fill(draft.fields);
    markClean();
    await drawPhotos();
    banner("");
  });
  drop.addEventListener("click", async () => {
    for (const photo of await page.store.photosOf(draft.uuid)) {
      await page.store.removePhoto(photo.uuid);
    }
    await page.store.remove(draft.uuid);
    banner("");
  });
  banner(text, { buttons: [keep, drop] });
}

function adopt(record) {
  page.record = record;
  form.querySelector("[name=uuid]").value = record.uuid;
  const url = new URL(location.href);
  if (url.searchParams.get("uuid") !== record.uuid) {
    url.searchParams.set("uuid", record.uuid);
    history.replaceState(history.state, "", url.href);
  }
}

// ---------------------------------------------------------------- drafts

function scheduleSave() {
  clearTimeout(page.saveTimer);
  page.saveTimer = setTimeout(saveDraft, SAVE_AFTER);
}

async function saveDraft() {
  clearTimeout(page.saveTimer);
  page.saveTimer = 0;
  const record = page.record;
  if (!["draft", "rejected"].includes(record.status)) { return; }
  if (!record.created && JSON.stringify(answers()) === page.snapshot) { return; }
  record.fields = forms.readFields(form);
  await page.store.put(record);
  stateLine(fmt(M.draft_saved, { time: clock(record.updated) }));
}

// ---------------------------------------------------------------- photos

async function drawPhotos() {
  if (!page.card) { return; }
  renderPhotos(page.card, await page.store.photosOf(page.record.uuid), M, page.problems);
}

async function addPhotos(files, question) {
  if (!page.record.created) { await page.store.put(page.record); }
  for (const file of files) {
    const uuid = newUuid();
    try {
      const shrunk = await shrink(file);
      await page.store.putPhoto({ uuid, entry_uuid: page.record.uuid, kind: page.record.kind,
        question, blob: shrunk.blob, thumb: shrunk.thumb, width: shrunk.width,
        height: shrunk.height, name: `${uuid}.jpg`, status: "draft", created: Date.now() });
    } catch (error) {
      page.problems[uuid] = `${file.name}: ${M.photo_unreadable}`;
    }
  }
  await drawPhotos();
}

async function removePhoto(uuid) {
  delete page.problems[uuid];
  await page.store.removePhoto(uuid);
  await drawPhotos();
}

function onPhoto(photo, outcome) {
  if (photo.entry_uuid !== page.record.uuid) { return; }
  if (outcome.action === "refused") {
    page.problems[photo.uuid] = `${M.photo_refused}: ${outcome.error}`;
  }
  drawPhotos();
}

// ---------------------------------------------------------------- sending

function plainSubmit(submitter) {
  page.leaving = true;
  if (submitter && submitter.name) {
    form.append(el("input", { type: "hidden", name: submitter.name, value: submitter.value }));
  }
  HTMLFormElement.prototype.submit.call(form);
}

async function submit(event) {
  const submitter = event.submitter;
  const record = page.record;
  event.preventDefault();
  clearTimeout(page.saveTimer);
  record.fields = forms.readFields(form);
  const queued = form.querySelectorAll("input[name=queued]:checked").length;
  // "More rows" is the server's to draw, and the liaison's queue picker has no API
  // form: both go the plain way (the draft is kept all the same).
  if ((submitter && submitter.name === "more_rows") || queued
      || (record.kind === "checklist" && !page.definition)) {
    await page.store.put(record);
    plainSubmit(submitter);
    return;
  }
  if (record.kind === "checklist") {
    const errors = forms.checkRequired(form, page.definition, M);
    if (Object.keys(errors).length) {
      forms.showErrors(form, errors, M.fix_summary, M);
      await page.store.put(record);
      return;
    }
  }
  forms.clearErrors(form);
  record.body = forms.apiBody(record, form, page.definition);
  Object.assign(record, { status: "waiting", errors: {}, error: "", conflict: false,
    attempts: 0, next_try: 0 });
  await page.store.put(record);
  for (const photo of await page.store.photosOf(record.uuid)) {
    await page.store.putPhoto({ ...photo, status: "waiting" });
  }
  markClean();
  lock(true);
  banner(M.sending);
  await page.outbox.flush({ force: true });
  await settle();
}

// While the entry waits in the outbox it is not edited (nor are photos added to it).
function lock(locked) {
  for (const control of form.querySelectorAll(
    "button[type=submit], button:not([type]), .photo-input, #photo-question")) {
    control.disabled = locked;
  }
}

// Where this form stands after a try: still on the phone, or its photos still are.
async function settle() {
  const record = await page.store.get(page.record.uuid);
  if (record && record.status === "waiting") {
    banner(page.outbox.state.login ? M.login_again : M.saved_phone, {
      problem: page.outbox.state.login,
      link: page.outbox.state.login ? { href: C.login, text: M.log_in } : null });
    return;
  }
  if (page.sentUrl) { await leaveWhenPhotosAreSent(); }
}

async function leaveWhenPhotosAreSent() {
  const left = (await page.store.photosOf(page.record.uuid)).length;
  if (Object.keys(page.problems).length) {
    banner(M.photo_refused, { problem: true, link: { href: page.sentUrl, text: M.see_entry } });
    return;
  }
  if (left) {
    banner(M.photos_waiting, { link: { href: page.sentUrl, text: M.see_entry } });
    return;
  }
  if (page.leaving) { return; }
  page.leaving = true;
  location.assign(page.sentUrl);
}

// The next page's message (shown by offline/guard.js, which every page loads),
// as the plain form's flash would be after its redirect.
function passOn(text) {
  try { sessionStorage.setItem(FLASH_KEY, text); } catch (error) { /* no storage: no message */ }
}

// Sent back: its photos are the observer's again (removable) until the next Send.
async function backToDraft() {
  for (const photo of await page.store.photosOf(page.record.uuid)) {
    if (photo.status === "waiting") { await page.store.putPhoto({ ...photo, status: "draft" }); }
  }
  await drawPhotos();
}

function onResult(record, outcome) {
  if (record.uuid !== page.record.uuid) { return; }
  if (outcome.action === "sent") {
    page.sentUrl = outcome.url || C.drafts;
    const said = (outcome.created ? M.received : M.already) || {};
    passOn(said[record.kind] || "");
    page.record.status = "sent";
    leaveWhenPhotosAreSent();
  } else if (outcome.action === "rejected") {
    Object.assign(page.record, { status: "rejected", errors: record.errors,
      error: record.error, conflict: record.conflict });
    lock(false);
    banner("");
    forms.showErrors(form, record.errors, record.error || M.rejected, M);
    backToDraft();
  }
}

// ---------------------------------------------------------------- start

async function start() {
  const kind = form.getAttribute("data-offline-form");
  const logout = document.querySelector("form[data-logout]");
  const username = logout && logout.getAttribute("data-username");
  if (kind === "edit" || !username || !("indexedDB" in self)) {
    markClean();
    return;
  }
  page.store = await openStore(username);
  // The form's showErrors needs a summary of its own at the top (messages that have no field).
  form.prepend(forms.summaryBox());
  const shownUuid = form.querySelector("[name=uuid]").value;
  const wantedUuid = UUID.test(queryParam("uuid")) ? queryParam("uuid") : shownUuid;
  const fromCache = wantedUuid !== shownUuid;
  const station = kind === "checklist" ? await stationWanted(fromCache) : null;
  if (kind === "checklist" && !station) { return; }  // a station not kept on this phone
  const formType = form.getAttribute("data-form-type");
  if (kind === "checklist") {
    const definitions = await getJSON(C.definitions);
    page.definition = definitions && definitions.definitions
      ? definitions.definitions[formType] || null : null;
  }
  if (fromCache) {
    const today = todayIn(station ? station.timezone : undefined);
    for (const name of TODAY_FIELDS[kind] || []) {
      const input = form.querySelector(`[name="${name}"]`);
      if (input) { input.value = today; }
    }
  }
  markClean();
  const kept = await page.store.get(wantedUuid);
  adopt(kept || { uuid: wantedUuid, kind, form_type: formType || null, station,
    status: "draft", fields: {}, errors: {}, error: "", title: titleOf(kind, station) });
  page.card = photoCard(form, M, { onFiles: addPhotos, onRemove: removePhoto });
  const send = form.querySelector("button[type=submit]");
  (send.closest("p.buttons") || send).before(page.card);
  page.outbox = new Outbox({ store: page.store, urls: C, csrf: "", onResult, onPhoto,
    onChange: (state) => { if (!state.sending) { settle(); } } });
  if (kept) {
    fill(kept.fields);
    markClean();
    if (kept.status === "rejected") {
      forms.showErrors(form, kept.errors, kept.error || M.rejected, M);
      await backToDraft();
    } else if (kept.status === "waiting") {
      lock(true);
      banner(M.saved_phone);
    }
  } else {
    await offerDraft();
  }
  await drawPhotos();
  form.addEventListener("input", scheduleSave);
  form.addEventListener("change", scheduleSave);
  form.addEventListener("submit", submit);
  // Closing the tab or switching apps: what was typed is saved now, not later.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && page.saveTimer) { saveDraft(); }
  });
  window.addEventListener("pagehide", () => { if (page.saveTimer) { saveDraft(); } });
  // Back to a form already sent, from the browser's memory: ask the server again
  // (it answers with the entry, as for any form whose uuid was used).
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && page.record.status === "sent") { location.reload(); }
  });
  form.setAttribute("data-offline-ready", "");
  page.outbox.start();
}

if (form && hook) {
  markClean();
  guardLeaving();
  start().catch((error) => {
    // The phone's storage is unavailable (private mode, full): the plain form still works.
    form.removeAttribute("data-offline-ready");
    console.warn("offline form", error);
  });
}
