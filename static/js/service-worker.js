// The officer's app offline: served at /sw.js so that its scope is the whole site.
// Pages the officer needs in the field (the entry forms, the recent list, the start page) are
// fetched from the network first and kept; with no network the kept copy opens. Static files
// are kept the first time they are fetched. Nothing else is kept: no API answer, no other page.
// The page's outbox.js empties these caches at logout.
var CACHE = "bhxh-field-v1";
var PAGES = ["/enroll/", "/enroll/bhyt/", "/enroll/bhxh/", "/enrollments/"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PAGES.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
        }).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(url) {
  return PAGES.indexOf(url.pathname) !== -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (kept) {
        return kept || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (isPage(url) && !url.search) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (kept) {
        return kept || Response.error();
      });
    }));
  }
});

// Background Sync, where the browser has it: wake the open pages to send the outbox.
self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "sync-outbox" }); });
  }));
});
