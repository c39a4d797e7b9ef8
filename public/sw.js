// Modelport's service worker: after the first visit the whole site (the page, the
// inference worker, the registry and this environment's models) works with the
// network off. The page registers it (src/offline.rs) with `updateViaCache: "none"`,
// so the browser always fetches this file fresh: a new deployment is a byte-different
// sw.js, because `cargo xtask build` (xtask/src/offline.rs) replaces the PRECACHE line
// below with the deployment's files and a version hashed from their bytes.
//
// Models are still checked against the registry's sha256 when the inference worker
// loads them, whether they came from this cache or from the network.

const PRECACHE = { version: "unbuilt", files: [] };

const PREFIX = "modelport-";
const CACHE = PREFIX + PRECACHE.version;
// Network first: it is how the page sees a new deployment's models while online.
const REGISTRY = new URL("models/registry.json", self.registration.scope).href;
const INDEX = new URL("index.html", self.registration.scope).href;

self.addEventListener("install", (event) => {
  // `no-cache`: each file as the server has it now, never an older copy from the HTTP
  // cache under the new version's name; but a copy the server confirms is current
  // (a 304) is not downloaded again. The page registers this worker once its own
  // inference worker runs, so the largest file, the worker's wasm, is such a copy.
  const requests = PRECACHE.files.map((file) => new Request(file, { cache: "no-cache" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
  // No skipWaiting here: a page keeps the version it started with until its user
  // chooses Reload on the update banner, which posts "skipWaiting".
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Routes live in the fragment, so every page of the site is index.html.
    const key = url.pathname.endsWith("/") ? INDEX : request;
    event.respondWith(cacheFirst(key, request));
  } else if (url.href.split("?")[0] === REGISTRY) {
    event.respondWith(networkFirst(request));
  } else {
    event.respondWith(cacheFirst(request, request));
  }
});

/** The cached copy of `key`, else `request` from the network. */
async function cacheFirst(key, request) {
  const cached = await caches.match(key, { cacheName: CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

/** `request` from the network, else (offline, or the server failing) the cached copy. */
async function networkFirst(request) {
  try {
    const response = await fetch(request, { cache: "no-cache" });
    if (response.ok) return response;
    return (await caches.match(request, { cacheName: CACHE })) ?? response;
  } catch (error) {
    const cached = await caches.match(request, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}
