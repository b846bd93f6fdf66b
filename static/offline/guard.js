// On every page of a logged-in user (included by templates/base.html):
//  - installs the service worker, so the offline forms are ready after the
//    first visit online, and tells it who is logged in (another user on this
//    phone: the previous one's cached page and data are dropped);
//  - shows the message a form left for this page (the entry received);
//  - before logging out, warns when entries on this phone have not reached
//    the server yet, then forgets the cached page and data (drafts and the
//    outbox stay, in this user's own database, until they log in again).
//
// Hook (base.html): <form ... data-logout data-username="NAME" data-role="ROLE"
//   data-worker="(the worker's address)" data-unsent="(translated, with %(n)s)"
//   data-offline="(translated)">
//
// The worker owns its caches (static/sw.js names them): pages ask it to empty them.

import { exists, openStore, FLASH_KEY } from "./store.js";

const FORGET_WAIT = 3000;  // ms: a worker that does not answer must not stop the log-out
let loggingOut = false;

/** How many of this user's forms are waiting to send or sent back to fix. */
export async function unsentCount(username) {
  if (!username || !("indexedDB" in self) || !(await exists(username))) { return 0; }
  const store = await openStore(username);
  try {
    const counts = await store.counts();
    return counts.waiting + counts.rejected + counts.photos;
  } finally {
    store.db.close();
  }
}

// One message to a worker; resolves with its answer (through a channel of its own).
function ask(worker, message) {
  const channel = new MessageChannel();
  const reply = new Promise((resolve) => { channel.port1.onmessage = (e) => resolve(e.data); });
  worker.postMessage(message, [channel.port2]);
  return reply;
}

/** Register the worker (at workerUrl) and tell it who is logged in; resolves with its answer. */
export async function greetWorker(username, role, workerUrl, type = "hello") {
  if (!("serviceWorker" in navigator) || !username || !workerUrl) { return { ok: false }; }
  await navigator.serviceWorker.register(workerUrl, { scope: "/" });
  const registration = await navigator.serviceWorker.ready;
  // Logging out meanwhile: a late "hello" would have the worker fetch this user's data again.
  if (loggingOut) { return { ok: false }; }
  // The page's language: the worker keeps its copies in it (fetched again after a switch).
  return ask(registration.active, { type, username, role, lang: document.documentElement.lang });
}

// The user's cached page and data go: the worker empties its cache and stops
// any warm-up in flight. Asked even when it does not control this page (a
// reload that bypassed it), and waited for, so the cache is empty before the
// log-out is sent.
async function forget() {
  try {
    const registration = "serviceWorker" in navigator
      && await navigator.serviceWorker.getRegistration();
    const worker = registration && registration.active;
    if (!worker) { return; }
    const late = new Promise((resolve) => { setTimeout(resolve, FORGET_WAIT); });
    await Promise.race([ask(worker, { type: "forget" }), late]);
  } catch (error) {
    // No worker, or storage unavailable: nothing to forget.
  }
}

function guard(form) {
  const username = form.getAttribute("data-username");
  form.addEventListener("submit", async (event) => {
    if (form.hasAttribute("data-confirmed")) { return; }
    event.preventDefault();
    if (!navigator.onLine) {
      window.alert(form.getAttribute("data-offline") || "Offline");
      return;
    }
    let unsent = 0;
    try { unsent = await unsentCount(username); } catch (error) { unsent = 0; }
    const question = (form.getAttribute("data-unsent") || "%(n)s unsent. Log out?")
      .replace("%(n)s", String(unsent));
    if (unsent > 0 && !window.confirm(question)) { return; }
    loggingOut = true;
    await forget();
    form.setAttribute("data-confirmed", "");
    form.submit();
  });
  form.setAttribute("data-guarded", "");
}

// A message the previous page left (offline/form_page.js, after the outbox sent an
// entry): shown as the server's flash messages are, once.
function showPassedOn() {
  let text = "";
  try {
    text = sessionStorage.getItem(FLASH_KEY) || "";
    sessionStorage.removeItem(FLASH_KEY);
  } catch (error) {
    return;
  }
  const main = document.querySelector("main");
  if (!text || !main) { return; }
  const flash = document.createElement("p");
  flash.className = "flash";
  flash.setAttribute("role", "status");
  flash.textContent = text;
  main.prepend(flash);
}

showPassedOn();
const logout = document.querySelector("form[data-logout]");
if (logout) {
  guard(logout);
  const username = logout.getAttribute("data-username");
  const role = logout.getAttribute("data-role");
  if (navigator.onLine && role === "observer") {
    greetWorker(username, role, logout.getAttribute("data-worker"))
      .catch(() => null);
  } else if ("serviceWorker" in navigator && navigator.serviceWorker.controller) {
    // Not an observer, but an observer used this phone: drop their cached page and data.
    navigator.serviceWorker.controller.postMessage({ type: "hello", username, role });
  }
}
