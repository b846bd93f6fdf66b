// The offline forms page (templates/offline/page.html): pick a form and a
// station, fill it with or without a connection, keep drafts on the phone,
// send through the outbox. No text lives here: it comes translated in the
// page's data-messages; the API's addresses come in data-config.

import { el, fmt, clock, todayIn, show, newUuid, getJSON } from "./offline/ui.js";
import * as lists from "./offline/lists.js";
import { openStore, CHANNEL } from "./offline/store.js";
import { Outbox } from "./offline/outbox.js";
import * as forms from "./offline/forms.js";
import { applySkipLogic } from "./skip.js";
import { search, merge } from "./offline/stations.js";
import { greetWorker } from "./offline/guard.js";
import { Messages, KIND as MESSAGE_READ } from "./offline/messages.js";

const root = document.getElementById("offline-app");
const C = JSON.parse(root.getAttribute("data-config"));
const M = JSON.parse(root.getAttribute("data-messages"));
// The server's limits. A page the worker cached before they were served has
// none: then the server alone enforces them.
const LIMITS = C.limits || {};
const $ = (id) => document.getElementById(id);
const SAVE_AFTER = 400;  // ms after the last keystroke
const app = { me: null, store: null, definitions: {}, stations: [], ready: false,
  pending: new Map(), current: null, outbox: null, saveTimer: 0, picking: null, state: {} };

// ---------------------------------------------------------------- status line

function showNet() {
  const online = navigator.onLine;
  $("net").textContent = online ? `${M.online} ${app.ready ? M.ready : M.not_ready}` : M.offline;
  $("net").className = `net ${online ? "is-online" : "is-offline"}`;
}

function flash(text, link, problem = false) {
  const node = $("flash");
  node.classList.toggle("problem", problem);
  node.replaceChildren(text, ...(link ? [" ", el("a", { href: link.href, text: link.text })] : []));
  show(node, true);
}

async function refreshCounts() {
  if (!app.store) { return; }
  const counts = await app.store.counts();
  $("outbox-count").textContent = fmt(M.waiting, { n: counts.waiting });
  $("fix-count").textContent = counts.rejected ? fmt(M.to_fix, { n: counts.rejected }) : "";
  show($("fix-count"), counts.rejected > 0);
  $("drafts-count").textContent = counts.draft + counts.rejected || "";
  const s = app.state;
  let note = "";
  if (s.sending) { note = M.sending; } else if (s.login) { note = M.login_again; } else if (
    s.error && counts.waiting) { note = M.server_busy; } else if (counts.waiting && s.next) {
    note = fmt(M.retry_at, { time: clock(s.next) });
  }
  $("outbox-note").replaceChildren(note, ...(s.login && navigator.onLine
    ? [" ", el("a", { href: C.login, text: M.log_in })] : []));
  show($("outbox-note"), Boolean(note));
  if (!$("view-drafts").hidden) { await renderDrafts(); }
}

// ---------------------------------------------------------------- views

function showView(name) {
  for (const view of document.querySelectorAll("#offline-app .view")) {
    view.hidden = view.id !== `view-${name}`;
  }
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.classList.toggle("current", tab.getAttribute("data-tab") === name);
  }
}

function renderTypes() {
  $("form-types").replaceChildren(...lists.formTypes(app.definitions, C.types, M));
}

function titleOf(record) {
  const where = record.station ? ` · ${fmt(M.station_no, { number: record.station.number })}` : "";
  if (record.kind === "checklist") {
    const definition = app.definitions[record.form_type];
    return (definition ? definition.title : record.form_type) + where;
  }
  return (record.kind === "incident" ? M.incident : M.meeting) + where;
}

function renderDrafts() {
  return lists.renderDrafts(app.store, M);
}

// ---------------------------------------------------------------- picking a station

function startNew(kind, formType) {
  if (kind === "interaction") { return create({ kind }); }
  if (kind === "checklist" && !app.definitions[formType]) { location.hash = ""; return; }
  app.picking = { kind, formType };
  $("station-title").textContent = kind === "checklist"
    ? app.definitions[formType].title : M.incident;
  show($("no-station"), kind === "incident");
  $("station-q").value = "";
  $("station-results").replaceChildren();
  show($("station-empty"), false);
  showView("station");
  $("station-q").focus();
}

let lookup = 0;
function findStations() {
  const query = $("station-q").value;
  const found = search(app.stations, query, LIMITS.station_results);
  renderStations(found, query);
  const ticket = ++lookup;
  // Online, stations outside the observer's region can be found too (once typing pauses).
  if (navigator.onLine && query.trim().length >= 2) {
    setTimeout(async () => {
      if (ticket !== lookup) { return; }
      const online = await getJSON(`${C.station_search}?q=${encodeURIComponent(query.trim())}`);
      if (online && ticket === lookup) { renderStations(merge(found, online.stations || []), query); }
    }, 300);
  }
}

function renderStations(found, query) {
  $("station-results").replaceChildren(...found.map((station) => el("li", {},
    el("button", { type: "button", class: "station-choice", "data-station": station.id },
      el("strong", { text: `${fmt(M.station_no, { number: station.number })} · ${station.name}` }),
      el("span", { text: `${station.address || ""} — ${station.district || ""}, ${station.region}` })))));
  app.found = found;
  show($("station-empty"), Boolean(query.trim()) && !found.length);
}

function pickStation(station) {
  const { kind, formType } = app.picking || {};
  if (kind) { create({ kind, form_type: formType, station }); }
}

// ---------------------------------------------------------------- forms

function defaults(kind, station) {
  if (kind === "checklist") {
    const today = todayIn(station.timezone);
    return { arrival_date: today, departure_date: today };
  }
  if (kind === "incident") {
    return { occurred_date: todayIn(station ? station.timezone : undefined),
      station_number: station ? station.number : "",
      region: station ? station.region : app.me.region || "" };
  }
  return { date: todayIn(undefined) };
}

function create({ kind, form_type: formType = null, station = null }) {
  const record = { uuid: newUuid(), kind, form_type: formType, station, status: "draft",
    fields: defaults(kind, station), errors: {}, error: "" };
  record.title = titleOf(record);
  app.pending.set(record.uuid, record);
  location.hash = `#form/${record.uuid}`;
}

async function openForm(uuid) {
  const record = app.pending.get(uuid) || await app.store.get(uuid);
  if (!record || record.status === "waiting") { location.hash = record ? "#drafts" : ""; return; }
  const definition = app.definitions[record.form_type];
  if (record.kind === "checklist" && !definition) { location.hash = ""; return; }
  const form = record.kind === "checklist"
    ? forms.buildChecklist(definition, record.station, M, LIMITS)
    : forms.buildFromTemplate(record.kind, record.title, M);
  const state = el("p", { class: "help draft-state", "aria-live": "polite", "data-draft-state": true,
    text: record.created ? fmt(M.draft_saved, { time: clock(record.updated) }) : "" });
  form.querySelector("[data-summary]").before(state);
  form.querySelector("#uuid").value = record.uuid;
  form.querySelector("[data-delete]").textContent = M.delete;
  forms.fillFields(form, record.fields);
  app.current = { record, form, definition, state };
  $("form-host").replaceChildren(form);
  showView("form");
  if (record.status === "rejected") {
    forms.showErrors(form, record.errors, record.error || M.rejected, M);
    const again = form.querySelector("[data-new-uuid]");
    again.textContent = M.conflict_new;
    show(again, Boolean(record.conflict));
  } else {
    window.scrollTo(0, 0);
  }
}

function scheduleSave() {
  clearTimeout(app.saveTimer);
  app.saveTimer = setTimeout(saveDraft, SAVE_AFTER);
}

async function saveDraft() {
  clearTimeout(app.saveTimer);
  app.saveTimer = 0;
  const current = app.current;
  if (!current || !["draft", "rejected"].includes(current.record.status)) { return; }
  current.record.fields = forms.readFields(current.form);
  await app.store.put(current.record);
  app.pending.delete(current.record.uuid);
  current.state.textContent = fmt(M.draft_saved, { time: clock(current.record.updated) });
  await refreshCounts();
}

async function submit(event) {
  event.preventDefault();
  clearTimeout(app.saveTimer);
  const { record, form, definition } = app.current;
  record.fields = forms.readFields(form);
  if (record.kind === "checklist") {
    const errors = forms.checkRequired(form, definition, M);
    if (Object.keys(errors).length) {
      forms.showErrors(form, errors, M.fix_summary, M);
      await app.store.put(record);
      return;
    }
  }
  forms.clearErrors(form);
  record.body = forms.apiBody(record, form, definition);
  Object.assign(record, { status: "waiting", errors: {}, error: "", conflict: false,
    attempts: 0, next_try: 0 });
  await app.store.put(record);
  app.pending.delete(record.uuid);
  app.current = null;
  location.hash = "";
  flash(M.saved_outbox);
  await refreshCounts();
  app.outbox.flush({ force: true });
}

// 409: the uuid was used for other content. Filing it under a new uuid is the
// observer's decision (the entry already received may be the right one).
async function sendAsNew() {
  const { record, form } = app.current;
  const old = record.uuid;
  record.uuid = newUuid();
  record.created = 0;
  form.querySelector("#uuid").value = record.uuid;
  await submit(new Event("submit"));
  await app.store.remove(old);  // only once the copy under the new uuid is stored
}

async function deleteDraft(uuid) {
  if (!window.confirm(M.delete_draft)) { return; }
  app.pending.delete(uuid);
  await app.store.remove(uuid);
  if (app.current && app.current.record.uuid === uuid) { app.current = null; }
  location.hash = "#drafts";
  await refreshCounts();
}

function onResult(record, outcome) {
  if (record.kind === MESSAGE_READ) {
    if (outcome.action === "sent" && app.messages) { app.messages.sent(record); }
    refreshCounts();
    return;
  }
  if (outcome.action === "sent") {
    flash(outcome.created ? M.received : M.already,
      outcome.url ? { href: outcome.url, text: M.see_entry } : null);
  } else if (outcome.action === "rejected") {
    flash(M.rejected, { href: `#form/${record.uuid}`, text: `${M.open}: ${record.title}` }, true);
  }
  refreshCounts();
}

// ---------------------------------------------------------------- wiring

async function route() {
  if (app.current && app.saveTimer) { await saveDraft(); }
  const [view, first, second] = location.hash.replace(/^#/, "").split("/");
  if (view !== "form") { app.current = null; }
  if (view === "new") { return startNew(first, second); }
  if (view === "form") { return openForm(first); }
  if (view === "drafts") { showView("drafts"); return renderDrafts(); }
  return showView("home");
}

function wire() {
  $("send-now").addEventListener("click", () => app.outbox.flush({ force: true }));
  $("station-q").addEventListener("input", findStations);
  $("no-station").addEventListener("click", () => pickStation(null));
  $("station-results").addEventListener("click", (event) => {
    const button = event.target.closest("[data-station]");
    const id = button && Number(button.getAttribute("data-station"));
    const station = (app.found || []).find((s) => s.id === id);
    if (station) { pickStation(station); }
  });
  $("view-drafts").addEventListener("click", (event) => {
    const button = event.target.closest("[data-delete-uuid]");
    if (button) { deleteDraft(button.getAttribute("data-delete-uuid")); }
  });
  const host = $("form-host");
  host.addEventListener("input", scheduleSave);
  host.addEventListener("change", () => {
    if (app.current) { applySkipLogic(app.current.form); }
    scheduleSave();
  });
  host.addEventListener("submit", submit);
  host.addEventListener("click", (event) => {
    if (!app.current) { return; }
    if (event.target.closest("[data-delete]")) { deleteDraft(app.current.record.uuid); }
    if (event.target.closest("[data-new-uuid]")) { sendAsNew(); }
    const more = event.target.closest("[data-more-rows]");
    if (more) {
      for (const section of app.current.form.querySelectorAll("[data-rows]")) {
        forms.addRow(section);
      }
    }
  });
  // Closing the tab or switching apps: what was typed is saved now, not later.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && app.saveTimer) { saveDraft(); }
  });
  window.addEventListener("pagehide", () => { if (app.saveTimer) { saveDraft(); } });
  window.addEventListener("hashchange", route);
  window.addEventListener("online", showNet);
  // The next connection brings the coordinators' latest messages.
  window.addEventListener("online", () => app.messages.load());
  window.addEventListener("offline", showNet);
  if ("BroadcastChannel" in self) {
    new BroadcastChannel(CHANNEL).addEventListener("message", () => refreshCounts());
  }
}

async function prepareOffline() {
  if (!("serviceWorker" in navigator)) { return; }
  if (!navigator.onLine) {
    // Offline: this page and its data came from the worker's copies, if any.
    app.ready = Boolean(navigator.serviceWorker.controller);
  } else {
    // Online, even when controlled: the worker says whether its cache holds
    // every page and all the data (fetching what it lacks). Being controlled
    // proves nothing -- the page may have come from the network before the
    // worker, installed meanwhile, claimed it.
    const me = app.me || {};  // none: the worker is not asked (nobody to keep data for)
    const reply = await greetWorker(me.username, me.role, C.worker, "warm")
      .catch(() => ({ ok: false }));
    app.ready = Boolean(reply && reply.ok);
  }
  showNet();
}

async function boot() {
  showNet();
  // Ask the browser not to clear this site's storage when space runs low.
  if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(() => null); }
  const me = await getJSON(C.me);
  if (!me || !me.username) {
    $("boot-problem").textContent = M.no_cache;
    show($("boot-problem"), true);
    prepareOffline();
    return;
  }
  app.me = me;
  app.store = await openStore(me.username);
  const [definitions, stations] = await Promise.all([getJSON(C.definitions), getJSON(C.stations)]);
  app.definitions = (definitions && definitions.definitions) || {};
  app.stations = (stations && stations.stations) || [];
  renderTypes();
  const token = document.querySelector('meta[name="csrf-token"]');
  app.outbox = new Outbox({ store: app.store, urls: C, csrf: token ? token.content : "",
    onResult, onChange: (state) => { app.state = state; refreshCounts(); } });
  app.messages = new Messages({ section: $("team-messages"), list: $("message-list"),
    store: app.store, outbox: app.outbox, C, M });
  wire();
  await route();
  await app.messages.load();
  await refreshCounts();
  root.setAttribute("data-booted", "");
  app.outbox.start();
  await prepareOffline();
}

boot();
