// sw.js keeps Elämäni peli on the device: the page, its script and style,
// the client of this release and the decks, so that the game opens at once
// on a second visit, from the home screen, and with no network at all (a
// game on the device alone). Nothing of a game is ever put here: only the
// files every visitor gets.
'use strict';

const VERSION = {{.Version}};
// FILES are one release's files, kept together and replaced together: a
// page of one release never starts the client of another.
const FILES = {{.Files}};
// FRESH are kept too, but fetched again in the background on each use
// (the decks a server offers may change without a new release).
const FRESH = ['/decks'];
const CACHE = 'elamanipeli-' + VERSION;

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE)
    .then(function (cache) { return cache.addAll(FILES.concat(FRESH)); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys()
    .then(function (keys) {
      return Promise.all(keys
        .filter(function (k) { return k.startsWith('elamanipeli-') && k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    })
    .then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  const req = event.request;
  if (req.method !== 'GET') {
    return;
  }
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  const path = url.pathname;
  if (FRESH.includes(path)) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(path).then(function (hit) {
        const fresh = fetch(req).then(function (resp) {
          if (resp.ok) {
            cache.put(path, resp.clone());
          }
          return resp;
        });
        if (hit) {
          fresh.catch(function () {}); // offline: the kept copy will do
          return hit;
        }
        return fresh;
      });
    }));
    return;
  }
  // The WebSocket, checks, uploads and the rest go to the network.
  if (!FILES.includes(path)) {
    return;
  }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (hit) { return hit || fetch(req); });
  }));
});
