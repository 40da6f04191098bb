// Portico's service worker. It caches ONLY the static app shell and the offline page:
// never a page, never a server-function answer, never anything with health information.
// Pages and /api/ calls go straight to the network; a page that cannot load offline gets
// offline.html instead.
// The release's own cache: scripts/build-site.sh writes the build's digest over the
// placeholder, so each release installs a new worker, and its activation deletes every
// other cache (the shell of the release before).
const CACHE = "portico-shell-BUILD_DIGEST";
const SHELL = [
  "/offline.html",
  "/pkg/client.js",
  "/pkg/portico.css",
  "/pkg/portico.js",
  "/pkg/portico.wasm",
  "/favicon.ico",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/manifest.webmanifest",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.origin === self.location.origin && SHELL.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    // Network only; the offline page when there is no network. Never cached.
    event.respondWith(fetch(request).catch(() => caches.match("/offline.html")));
    return;
  }
  if (isShell(url)) {
    // Network first so a new release is picked up; the cached shell when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname)),
    );
  }
  // Everything else (server functions, /healthz) is left to the network, uncached.
});
