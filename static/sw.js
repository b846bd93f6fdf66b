// The service worker: keeps the offline forms page, its files and the
// observer's data (definitions, the region's stations, who is logged in) so
// the forms open with no connection. Served at /sw.js by views/offline.py,
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
let lastWarm = 0;
let generation = 0;  // bumped at log-out: a warm-up still running must not refill the cache

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
  const cache = await caches.open(USER);
  const network = fetch(request).then(async (response) => {
    if (cacheable(response)) { await cache.put(key, response.clone()); }
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
  const cached = await cache.match(key, { ignoreVary: true });
  if (cached) { network.catch(() => null); return cached; }
  return network;
}

async function page(request) {
  const url = new URL(request.url);
  const key = origin + url.pathname;
  if (pages.has(key)) {
    return networkFirst(request, key).catch(() => offlinePage());
  }
  try {
    return await fetch(request);
  } catch (error) {
    // Another page with no connection: the offline forms, if this phone has them.
    const shell = [...pages][0];
    const cached = shell && await (await caches.open(USER)).match(shell, { ignoreVary: true });
    return cached ? Response.redirect(shell, 302) : offlinePage();
  }
}

function offlinePage() {
  const html = "<!doctype html><meta charset=utf-8><meta name=viewport " +
    "content='width=device-width, initial-scale=1'><title>Offline</title>" +
    "<p>No connection. / Нет связи.</p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
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

// Fetch the page and the data into the cache (after log-in, or when the page asks).
async function warm() {
  const started = generation;
  const result = {};
  for (const url of [...pages, ...data]) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      result[url] = cacheable(response) && generation === started;
      if (result[url]) { await (await caches.open(USER)).put(url, response); }
    } catch (error) {
      result[url] = false;
    }
  }
  if (Object.values(result).every(Boolean)) { lastWarm = Date.now(); }
  return result;
}

async function cachedUser() {
  const me = [...data].find((url) => url.endsWith("/me"));
  const hit = me && await (await caches.open(USER)).match(me, { ignoreVary: true });
  try { return hit ? (await hit.json()).username : null; } catch (error) { return null; }
}

async function handle(message) {
  if (message.type === "forget") {
    generation += 1;
    await caches.delete(USER);
    lastWarm = 0;
    return { ok: true };
  }
  if (message.type === "hello") {
    // Another user on this phone: the previous one's page and data go first.
    const previous = await cachedUser();
    if (previous && previous !== message.username) {
      generation += 1;
      await caches.delete(USER);
      lastWarm = 0;
    }
    if (message.role !== "observer" || Date.now() - lastWarm < REFRESH_AFTER) {
      return { ok: true };
    }
  }
  if (message.type === "warm" && Date.now() - lastWarm < 60 * 1000) {
    return { ok: true };  // just installed, or another tab asked a moment ago
  }
  if (message.type === "warm" || message.type === "hello") {
    const result = await warm();
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
