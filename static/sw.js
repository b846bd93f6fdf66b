// The service worker: keeps the form pages (New, the station pickers, the
// checklist, incident and meeting forms, the outbox page), their files and the
// observer's data (definitions, the region's stations, who is logged in) so
// the forms open with no connection -- from the first log-in on, not only
// after a visit to a special page. Served at /sw.js by views/offline.py,
// which writes the settings below (version, file lists) into this text.
//
// Pages: network first, the cached copy when there is no connection.
// The observer's data: network first, then the cache.
// The shell files: from the cache of this version.
// POSTs and everything else: never touched, never cached.

const SETTINGS = /*SETTINGS*/{};
const SHELL_PREFIX = "eom-shell-";  // one cache per version; older ones go when this one activates
const SHELL = `${SHELL_PREFIX}${SETTINGS.version}`;
// Per user: emptied at log-out (pages ask with a "forget" message) and when another user logs in.
const USER = "eom-user";
const NETWORK_WAIT = 6000;  // weak signal: after this long, answer from the cache
const REFRESH_AFTER = 10 * 60 * 1000;
const origin = self.location.origin;
const absolute = (path) => new URL(path, origin).href;
const shellFiles = new Set((SETTINGS.shell || []).map(absolute));
const pages = new Set((SETTINGS.pages || []).map(absolute));
const data = new Set((SETTINGS.data || []).map(absolute));
// Forms: opened with no connection and no uuid in the address, they get one here
// (the server would redirect to one). Checklist forms are fetched for a station.
const forms = new Set((SETTINGS.forms || []).map(absolute));
const stationForms = new Set((SETTINGS.station_forms || []).map(absolute));
// Forms drawn per single-member district (the counting form's protocol section
// lists that district's candidates): one copy per district of the region.
const districtForms = new Set((SETTINGS.district_forms || []).map(absolute));
let lastWarm = 0;
let generation = 0;  // bumped at log-out: a warm-up still running must not refill the cache
let currentUser = null;  // who the pages last said is logged in

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll([...shellFiles]);
    // The observer's page and data come with the first "warm" or "hello" message,
    // not here: a slow connection must not hold up installing.
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_PREFIX) && name !== SHELL) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

// The network's answer, or the cache's when the network fails or is too slow;
// a late network answer still refreshes the cache for next time.
async function networkFirst(request, key) {
  const started = generation;
  const cache = await caches.open(USER);
  const network = fetch(request).then(async (response) => {
    if (cacheable(response)) { await put(key, response.clone(), started); }
    return response;
  });
  const timer = new Promise((resolve) => { setTimeout(resolve, NETWORK_WAIT, null); });
  try {
    const response = await Promise.race([network, timer]);
    // A server in trouble (5xx) is no better than no connection.
    if (response && response.status < 500) { return response; }
  } catch (error) {
    // no connection: fall through to the cache
  }
  // Only this user's copies: a cache another user's warm-up refilled is not an answer.
  const owner = currentUser && await cachedUser();
  const mine = !owner || owner === currentUser;
  const cached = mine && await cache.match(key, { ignoreVary: true });
  if (cached) { network.catch(() => null); return cached; }
  return network;
}

async function page(request) {
  const url = new URL(request.url);
  let key = origin + url.pathname;
  if (forms.has(key) && !url.searchParams.get("uuid")) {
    try {
      return await fetch(request);
    } catch (error) {
      url.searchParams.set("uuid", self.crypto.randomUUID());
      return Response.redirect(url.href, 302);
    }
  }
  if (pages.has(key)) {
    if (districtForms.has(key)) { key = await districtKey(key, url.searchParams.get("station")); }
    return networkFirst(request, key).catch(() => offlinePage());
  }
  try {
    return await fetch(request);
  } catch (error) {
    // Another page with no connection: the offline forms, if this phone has them.
    const shell = (SETTINGS.pages || []).map(absolute)[0];
    const cached = shell && await (await caches.open(USER)).match(shell, { ignoreVary: true });
    return cached ? Response.redirect(shell, 302) : offlinePage();
  }
}

// The bare page when nothing is kept: the worker does not know who reads it, so
// it says it in the mission's three languages.
function offlinePage() {
  const html = "<!doctype html><meta charset=utf-8><meta name=viewport " +
    "content='width=device-width, initial-scale=1'><title>Offline</title>" +
    "<p lang=en>No connection.</p><p lang=ru>Нет связи.</p><p lang=kk>Байланыс жоқ.</p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html" } });
}

// Whoever logs in starts from an empty cache: a previous user's copies (even
// ones a late warm-up wrote) are never served to the next. The log-in itself
// goes to the network untouched.
function loggingIn(request) {
  return request.method === "POST" && SETTINGS.login
    && new URL(request.url).pathname === SETTINGS.login;
}

// Settled once the last forgetAll has emptied the cache: what is written meanwhile
// (the next page's copy, the next user's warm-up) waits for it, or the emptying
// would take it away too (a busy phone: the log-in's page is cached before the
// previous warm-up has stopped).
let forgetting = Promise.resolve();

function forgetAll() {
  generation += 1;
  currentUser = null;
  lastWarm = 0;
  // A warm-up's requests still on their way carry the session's cookie: their
  // answers would set it again after the log-out. Cancel them and wait.
  if (warmAbort) { warmAbort.abort(); }
  const previous = warming;
  forgetting = (async () => {
    if (previous) { await previous.catch(() => null); }
    await caches.delete(USER);
  })();
  return forgetting;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (loggingIn(request)) { event.waitUntil(forgetAll()); return; }
  if (request.method !== "GET" || !request.url.startsWith(origin + "/")) { return; }
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (data.has(url.href)) {
    event.respondWith(networkFirst(request, url.href));
  } else if (shellFiles.has(origin + url.pathname)) {
    event.respondWith(caches.open(SHELL).then(async (cache) =>
      (await cache.match(origin + url.pathname)) || fetch(request)));
  }
});

// The address to fetch a copy of a page from: a form with a uuid of its own
// (else the server redirects), a checklist form for one of the region's stations.
function copyAddress(page, stationId) {
  if (!forms.has(page)) { return page; }
  if (stationForms.has(page) && !stationId) { return null; }
  const url = new URL(page);
  if (stationForms.has(page)) { url.searchParams.set("station", String(stationId)); }
  url.searchParams.set("uuid", self.crypto.randomUUID());
  return url.href;
}

async function regionStations(cache) {
  const list = [...data].find((url) => url.includes("/stations"));
  const hit = list && await cache.match(list, { ignoreVary: true });
  try {
    const stations = hit ? (await hit.json()).stations : [];
    return Array.isArray(stations) ? stations : [];
  } catch (error) {
    return [];
  }
}

async function firstStation(cache) {
  const stations = await regionStations(cache);
  return stations.length ? stations[0].id : null;
}

// A station of each single-member district of the region but the first station's
// (whose copy is kept under the page's own key): {district key: station id}.
async function otherDistricts(cache) {
  const stations = await regionStations(cache);
  const first = stations.length ? String(stations[0].smd_district ?? "") : "";
  const found = {};
  for (const station of stations) {
    const district = String(station.smd_district ?? "");
    if (district !== first && !(district in found)) { found[district] = station.id; }
  }
  return found;
}

function districtCopy(page, district) {
  return `${page}?smd=${encodeURIComponent(district)}`;
}

// The cache key of a per-district form for the station asked for: the copy kept
// for its district, or the page's own (the first station's district, or unknown).
async function districtKey(page, stationId) {
  const cache = await caches.open(USER);
  const stations = await regionStations(cache);
  const station = stations.find((s) => String(s.id) === String(stationId));
  if (!station || !stations.length) { return page; }
  const district = String(station.smd_district ?? "");
  return district === String(stations[0].smd_district ?? "") ? page : districtCopy(page, district);
}

// Into the user's cache, unless a log-out (or another user) came since ``started``:
// checked again right before writing, after the last wait, so a warm-up still
// running at log-out cannot bring the previous user's page or data back.
async function put(key, response, started) {
  await forgetting;
  const cache = await caches.open(USER);
  if (generation !== started) { return false; }
  await cache.put(key, response);
  return generation === started;
}

async function keep(url, key, started, signal) {
  if (generation !== started) { return false; }
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store", signal });
    return cacheable(response) && await put(key, response, started);
  } catch (error) {
    return false;
  }
}

// Fetch the data, then the pages, into the cache (after log-in, or when a page asks).
async function warm() {
  const started = generation;
  const controller = new AbortController();
  warmAbort = controller;
  const signal = controller.signal;
  const result = {};
  for (const url of data) { result[url] = await keep(url, url, started, signal); }
  const stationId = await firstStation(await caches.open(USER));
  for (const page of pages) {
    const address = copyAddress(page, stationId);
    // No station in the observer's region: nothing to pick offline, nothing to keep.
    result[page] = address === null ? true : await keep(address, page, started, signal);
  }
  const others = await otherDistricts(await caches.open(USER));
  for (const page of districtForms) {
    for (const [district, id] of Object.entries(others)) {
      const key = districtCopy(page, district);
      result[key] = await keep(copyAddress(page, id), key, started, signal);
    }
  }
  if (warmAbort === controller) { warmAbort = null; }
  if (Object.values(result).every(Boolean)) { lastWarm = Date.now(); }
  return result;
}

// One warm-up at a time per user: "hello" and "warm" often come together after log-in.
let warming = null;
let warmingFor = -1;
let warmAbort = null;
function warmOnce() {
  if (!warming || warmingFor !== generation) {
    const mine = warm().finally(() => { if (warming === mine) { warming = null; } });
    warming = mine;
    warmingFor = generation;
  }
  return warming;
}

// What the offline forms need and the user's cache lacks (a station form only
// when the region has a station to fill it for).
async function missing() {
  const cache = await caches.open(USER);
  const stationId = await firstStation(cache);
  const others = Object.keys(await otherDistricts(cache));
  const copies = [...districtForms].flatMap((page) => others.map((d) => districtCopy(page, d)));
  const gaps = [];
  for (const key of [...data, ...pages, ...copies]) {
    if (stationForms.has(key) && !stationId) { continue; }
    if (!await cache.match(key, { ignoreVary: true })) { gaps.push(key); }
  }
  return gaps;
}

// The answer to "warm" (the offline page asks, online): ok only once the cache
// holds every page and all the data. Neither a warm-up that reported success
// earlier (the worker may have been stopped and started since) nor this page
// being controlled proves it: the page may have come from the network before
// the worker claimed it, and a warm-up's fetches can fail (a busy phone, a
// page navigating away) -- then the observer would be told "ready" and find
// the bare "No connection" page on the next reload with no connection.
async function ready() {
  const started = generation;
  if (!(await missing()).length) { return { ok: true }; }
  // Join a warm-up in flight; if it left gaps, one more try (not after a log-out).
  let result = await warmOnce();
  if (!Object.values(result).every(Boolean) && generation === started) {
    result = await warmOnce();
  }
  const gaps = await missing();
  return { ok: !gaps.length && generation === started, result };
}

// The language the kept pages speak (their <html lang>): a user who switched
// language gets the pages again, in the new one, at the next page they open.
async function cachedLanguage() {
  const first = [...pages][0];
  const hit = first && await (await caches.open(USER)).match(first, { ignoreVary: true });
  if (!hit) { return null; }
  const found = /<html lang="([^"]+)"/.exec(await hit.text());
  return found ? found[1] : null;
}

async function cachedUser() {
  const me = [...data].find((url) => url.endsWith("/me"));
  const hit = me && await (await caches.open(USER)).match(me, { ignoreVary: true });
  try { return hit ? (await hit.json()).username : null; } catch (error) { return null; }
}

async function handle(message) {
  if (message.type === "forget") {
    await forgetAll();
    return { ok: true };
  }
  // Another user speaks: whatever the previous one's warm-up still fetches is not kept.
  // (The first page after the worker started only says who it is.)
  if (message.username && message.username !== currentUser) {
    if (currentUser !== null) {
      generation += 1;
      lastWarm = 0;
    }
    currentUser = message.username;
  }
  if (message.type === "hello" || message.type === "warm") {
    // Another user on this phone: the previous one's page and data go first.
    // (A "warm" that names nobody only asks whether the cache is complete.)
    const previous = await cachedUser();
    const named = message.type === "hello" || message.username;
    if (previous && named && previous !== message.username) {
      generation += 1;
      forgetting = forgetting.then(() => caches.delete(USER));
      await forgetting;
      lastWarm = 0;
    }
    if (message.type === "hello" && message.lang && lastWarm
        && await cachedLanguage() !== message.lang) {
      lastWarm = 0;
    }
    if (message.type === "hello"
        && (message.role !== "observer" || Date.now() - lastWarm < REFRESH_AFTER)) {
      return { ok: true };
    }
  }
  if (message.type === "warm") {
    return ready();
  }
  if (message.type === "hello") {
    const result = await warmOnce();
    return { ok: Object.values(result).every(Boolean), result };
  }
  return { ok: false };
}

self.addEventListener("message", (event) => {
  const port = event.ports && event.ports[0];
  event.waitUntil(handle(event.data || {}).then(
    (reply) => port && port.postMessage(reply),
    (error) => port && port.postMessage({ ok: false, error: String(error) })));
});
