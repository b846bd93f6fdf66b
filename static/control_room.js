// The control room (templates/control/index.html): the list of teams refreshes itself.
//
// Every data-seconds (30 s) it asks data-refresh for the list as an HTML fragment
// (rendered, and escaped, by the server) and swaps it in: no reload, no framework.
// Politely: one request at a time, the next only after the last answered; a
// failed answer doubles the wait (up to five minutes); nothing is asked while
// the tab is hidden, and coming back asks at once if the list is due.
// "Log a call" on a row puts its team in the call form.

const section = document.getElementById("teams");
const LONGEST = 5 * 60 * 1000;
const TIMEOUT = 20 * 1000;

const state = { every: 30000, wait: 30000, timer: 0, busy: false, last: Date.now() };

function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, delay);
}

async function refresh() {
  if (state.busy) { return; }
  if (document.visibilityState === "hidden") { return; }  // asked again when visible
  state.busy = true;
  const controller = new AbortController();
  const abort = setTimeout(() => controller.abort(), TIMEOUT);
  try {
    const response = await fetch(section.dataset.refresh, {
      credentials: "same-origin", cache: "no-store", signal: controller.signal,
      headers: { Accept: "text/html" } });
    const type = response.headers.get("Content-Type") || "";
    // A log-in page instead of the list: the session ended; stop asking.
    if (!response.ok || response.redirected || !type.includes("text/html")) {
      throw new Error(String(response.status));
    }
    const html = await response.text();
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
    if (!fresh) { throw new Error("no list"); }
    document.getElementById("board").replaceWith(document.adoptNode(fresh));
    state.wait = state.every;
    state.last = Date.now();
    section.dispatchEvent(new CustomEvent("refreshed"));
  } catch (error) {
    state.wait = Math.min(LONGEST, state.wait * 2);
  } finally {
    clearTimeout(abort);
    state.busy = false;
    schedule(state.wait);
  }
}

function pickTeam(event) {
  const button = event.target.closest("[data-call]");
  if (!button) { return; }
  const field = document.getElementById("team");
  field.value = button.dataset.call;
  document.getElementById("call-log").scrollIntoView({ block: "start" });
  field.focus();
}

if (section && section.dataset.refresh) {
  state.every = state.wait = Math.max(5, Number(section.dataset.seconds) || 30) * 1000;
  section.addEventListener("click", pickTeam);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && Date.now() - state.last >= state.every) {
      schedule(0);
    }
  });
  schedule(state.wait);
}
