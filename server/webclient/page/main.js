// main.js starts Elämäni peli. It waits while the server builds the client,
// downloads and compiles the WebAssembly in a worker (this script again)
// with a progress bar, and runs it with the Go runtime's wasm_exec.js. Both
// URLs carry the build key; they come from the page's <meta> tags, or from
// /client/status while the first build runs.
'use strict';

(function () {
  // In a worker (compiled, below), this script compiles the client and
  // sends it to the page, with the download's progress on the way.
  if (typeof document === 'undefined') {
    self.onmessage = function (e) {
      compile(e.data, function (fraction) { self.postMessage({ progress: fraction }); })
        .then(function (c) { self.postMessage(c); })
        .catch(function (err) { self.postMessage({ error: String(err && err.message || err) }); });
    };
    return;
  }
  const POLL_MS = 2000;
  const loader = document.getElementById('loader');
  const progress = document.getElementById('progress');
  const statusFi = document.getElementById('status-fi');
  const statusEn = document.getElementById('status-en');
  const retry = document.getElementById('retry');
  const scriptURL = document.currentScript.src; // this script, for the worker

  function say(fi, en) {
    statusFi.textContent = fi;
    statusEn.textContent = en;
  }

  function meta(name) {
    const m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.content : '';
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // clientURLs returns the URLs of the client, asking /client/status every
  // two seconds until the server has built it.
  async function clientURLs() {
    const wasm = meta('client-wasm');
    const exec = meta('client-wasm-exec');
    if (wasm && exec) {
      return { wasm: wasm, exec: exec };
    }
    progress.removeAttribute('value'); // indeterminate while building
    say('Peliä valmistellaan… (ensimmäinen käynnistys kääntää pelin)',
      'Preparing the game… (first start builds the client)');
    for (;;) {
      try {
        const resp = await fetch('/client/status', { cache: 'no-store' });
        if (resp.ok) {
          const s = await resp.json();
          if (s.ready && s.wasm && s.wasmExec) {
            return { wasm: s.wasm, exec: s.wasmExec };
          }
          if (s.error) {
            say('Peliä ei saatu valmiiksi. Palvelimen ylläpitäjä näkee syyn lokista.',
              'The game could not be prepared. The server log tells its administrator why.');
          }
        }
      } catch (e) {
        // The server may be restarting: keep asking.
      }
      await sleep(POLL_MS);
    }
  }

  // compile fetches the client and compiles it as it downloads. The
  // progress bar reads a clone of the response and counts decoded bytes
  // against X-Raw-Size (with Content-Encoding the browser cannot tell the
  // length), telling onProgress each whole percent; the original goes to
  // WebAssembly.compileStreaming untouched, so that the browser keeps the
  // compiled code for the next visit. It returns the module and the bytes
  // the download took, sent and decoded. It runs in a worker (compiled).
  async function compile(url, onProgress) {
    const resp = await fetch(url);
    if (!resp.ok) {
      throw new Error('HTTP ' + resp.status + ' for ' + url);
    }
    const total = Number(resp.headers.get('X-Raw-Size')) || 0;
    if (resp.body && total) {
      const reader = resp.clone().body.getReader();
      (async function () {
        let received = 0;
        let told = -1;
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) {
            onProgress(1);
            return;
          }
          received += chunk.value.byteLength;
          const percent = Math.floor(100 * received / total);
          if (percent !== told) {
            told = percent;
            onProgress(received / total);
          }
        }
      })().catch(function () {});
    }
    const module = typeof WebAssembly.compileStreaming === 'function'
      ? await WebAssembly.compileStreaming(resp)
      : await WebAssembly.compile(await resp.arrayBuffer());
    let entry;
    for (let i = 0; i < 20 && !entry; i++) { // it may come a moment after the body
      entry = performance.getEntriesByType('resource').find(function (e) { return e.name === resp.url; });
      if (!entry) {
        await new Promise(function (resolve) { setTimeout(resolve, 10); });
      }
    }
    return { module: module, sent: entry ? entry.encodedBodySize : 0, decoded: entry ? entry.decodedBodySize : 0 };
  }

  // compiled returns the client, compiled, and marks elamanipeli-compiled
  // with the bytes its download took. It compiles in a worker running this
  // script: V8 consumes a streamed module on the thread that compiles it,
  // in tasks of 15–70 ms (four times that on a slow phone) that would hold
  // up the page, and the young person typing at its door. A browser that
  // cannot (no workers, or no way to pass a module between threads)
  // compiles here.
  async function compiled(url) {
    let c;
    try {
      c = await compileInWorker(url);
    } catch (err) {
      console.warn('compiling on the page: ' + err);
      c = await compile(url, setProgress);
    }
    setProgress(1); // the progress's last word may come after the module
    performance.mark('elamanipeli-compiled', { detail: { sent: c.sent, decoded: c.decoded } });
    return c.module;
  }

  function compileInWorker(url) {
    return new Promise(function (resolve, reject) {
      const worker = new Worker(scriptURL);
      worker.onmessage = function (e) {
        if (e.data.progress !== undefined) {
          setProgress(e.data.progress);
          return;
        }
        worker.terminate();
        if (e.data.module) {
          resolve(e.data);
        } else {
          reject(new Error(e.data.error));
        }
      };
      worker.onerror = function (e) {
        e.preventDefault();
        worker.terminate();
        reject(new Error('the worker: ' + e.message));
      };
      worker.postMessage(url);
    });
  }

  function setProgress(fraction) {
    progress.value = Math.min(100, Math.round(fraction * 100));
    if (fraction === 1 && !performance.getEntriesByName('elamanipeli-downloaded').length) {
      performance.mark('elamanipeli-downloaded');
    }
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }

  function failed(fi, en) {
    loader.hidden = false;
    progress.hidden = true;
    if (door) {
      door.fail();
    }
    say(fi, en);
    retry.hidden = false;
  }

  // openDoor shows the door when the page opens at an invitation link
  // (#join=CODE, #workshop=CODE) to a room this device has no seat in: the
  // young person picks a language, types a nickname and knocks while the
  // client still downloads; the client starts only then, and knocks with
  // what they typed (window.elamanipeliDoor, read once by the client). The
  // texts are the client's own, in every language (data-door, from
  // server/webclient/door.go). It returns null when there is no door, or
  // the door: knocked is a promise of the knock ({nick}), or of null when
  // the young person follows "this is not my room" instead.
  function openDoor() {
    const form = document.getElementById('door');
    const m = /^#(join|workshop)=(.+)$/.exec(location.hash);
    let langs;
    try {
      langs = JSON.parse(form.dataset.door || '[]');
    } catch (e) {
      langs = [];
    }
    if (!m || !langs.length) {
      return null;
    }
    // As the client reads a code: a to z in capitals, no spaces or dashes.
    const code = m[2].replace(/[a-z]/g, function (c) { return c.toUpperCase(); }).replace(/[ -]/g, '');
    if (!code || code === stored('room')) {
      return null; // the seat's own room: the client takes the seat back
    }
    const workshop = m[1] === 'workshop';
    const shown = code.length === 6 ? code.slice(0, 3) + '-' + code.slice(3) : code;
    const el = function (id) { return document.getElementById(id); };
    const title = loader.querySelector('h1');
    const subtitle = loader.querySelector('.subtitle');
    const nick = el('door-nick');
    const knockButton = el('door-knock');
    const other = el('door-other');
    const langRow = form.querySelector('.langs');
    let lang = stored('lang');
    if (!langs.some(function (l) { return l.lang === lang; })) {
      lang = langs[0].lang;
    }
    let knocked = false;
    let loading = true;
    let texts = {};
    const buttons = langs.map(function (l) {
      const b = document.createElement('button');
      b.type = 'button';
      b.lang = l.lang;
      b.textContent = l.texts['lang.name'];
      b.addEventListener('click', function () {
        lang = l.lang;
        store('lang', lang); // the client's own setting, kept as it keeps it
        show();
      });
      langRow.appendChild(b);
      return b;
    });
    function show() {
      texts = langs.find(function (l) { return l.lang === lang; }).texts;
      document.documentElement.lang = lang;
      buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b.lang === lang)); });
      title.textContent = texts['app.title'];
      el('door-tagline').textContent = texts['start.tagline'];
      // The code is never broken at its dash.
      const invited = texts[workshop ? 'start.invited-workshop' : 'start.invited'].split('{0}');
      const codeSpan = document.createElement('span');
      codeSpan.className = 'code';
      codeSpan.textContent = shown;
      el('door-invited').replaceChildren(invited[0], codeSpan, invited.slice(1).join(shown));
      el('door-nick-label').textContent = texts['start.nick'];
      nick.placeholder = texts['start.nick-placeholder'];
      knockButton.textContent = texts[workshop ? 'start.join-workshop' : 'start.knock'];
      el('door-privacy').textContent = texts['start.privacy'];
      other.textContent = texts[workshop ? 'start.not-this-workshop' : 'start.not-this'];
      if (loading) {
        say(texts[knocked ? 'door.waiting' : 'door.loading'], '');
      }
    }
    subtitle.hidden = true;
    statusEn.hidden = true;
    form.hidden = false;
    show();
    // Another link opened in this tab before the knock: its own door.
    function followLink() {
      if (!knocked) {
        location.reload();
      }
    }
    window.addEventListener('hashchange', followLink);
    const knockPromise = new Promise(function (resolve) {
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        if (knocked) {
          return;
        }
        knocked = true;
        nick.readOnly = true;
        knockButton.disabled = true;
        show();
        resolve({ nick: nick.value.trim() });
      });
      other.addEventListener('click', function (e) {
        e.preventDefault();
        if (knocked) {
          return;
        }
        knocked = true;
        history.replaceState(null, '', location.pathname + location.search);
        resolve(null);
      });
    });
    return {
      knocked: knockPromise,
      // ready: the client is compiled, and starts at the knock. The bar
      // and its line go out of sight but keep their room: the door is
      // centred, and the knock button must not move under a finger.
      ready: function () {
        loading = false;
        progress.classList.add('gone');
        statusFi.classList.add('gone');
      },
      // close hands over to the client: the door goes, and what was
      // typed in it with it.
      close: function () {
        window.removeEventListener('hashchange', followLink);
        form.hidden = true;
        nick.value = '';
      },
      // fail takes the door away for the page's failure, which says why
      // in Finnish and English.
      fail: function () {
        form.hidden = true;
        statusFi.classList.remove('gone');
        statusEn.hidden = false;
      },
    };
  }

  // stored and store read and keep the client's settings on this device,
  // under the client's names (client/platform).
  function stored(key) {
    try {
      return localStorage.getItem('elamanipeli.' + key) || '';
    } catch (e) {
      return '';
    }
  }

  function store(key, value) {
    try {
      localStorage.setItem('elamanipeli.' + key, value);
    } catch (e) {
      // no storage: the choice holds for this page
    }
  }

  const door = openDoor();

  async function start() {
    if (typeof WebAssembly !== 'object') {
      failed('Tämä selain ei pysty pelaamaan peliä. Kokeile uudempaa selainta.',
        'This browser cannot run the game. Please try a newer browser.');
      return;
    }
    const urls = await clientURLs();
    progress.value = 0;
    if (!door) {
      say('Ladataan peliä…', 'Loading the game…');
    }
    const loaded = await Promise.all([loadScript(urls.exec), compiled(urls.wasm)]);
    if (door) {
      door.ready();
      const knock = await door.knocked;
      if (knock) {
        window.elamanipeliDoor = knock;
      }
      door.close();
    }
    const go = new Go(); // from wasm_exec.js
    const instance = await WebAssembly.instantiate(loaded[1], go.importObject);
    performance.mark('elamanipeli-instantiated');
    loader.hidden = true; // the game draws its own canvas from here on
    keep();
    rest();
    await go.run(instance);
    failed('Peli pysähtyi. Lataa sivu uudelleen.', 'The game stopped. Please reload the page.');
  }

  // rest lets the main thread rest while the game draws nothing. Ebiten,
  // drawing only when asked (FPSModeVsyncOffMinimum), still asks the
  // browser for an animation frame 60 times a second and runs the Go
  // scheduler in each: 4–5 % of the main thread at an idle page. The
  // game says when it wants a frame (elamanipeliHurry, beside
  // ebiten.ScheduleFrame); for a moment after that, animation frames come
  // as usual, and then each waits until the game asks again, or at most
  // REST_MS. Taps and keys need no frame: Ebiten updates on their events.
  // Ebiten reads requestAnimationFrame when the Go program starts, so this
  // runs before it.
  const AWAKE_MS = 250;
  const REST_MS = 1000;
  function rest() {
    const frame = window.requestAnimationFrame.bind(window);
    const stats = { frames: 0, held: 0, hurried: 0, rested: 0 };
    let held = null;
    let timer = 0;
    let awakeUntil = 0;
    function release(why) {
      clearTimeout(timer);
      const cb = held;
      held = null;
      stats[why]++;
      frame(cb);
    }
    window.requestAnimationFrame = function (cb) {
      stats.frames++;
      if (held || performance.now() < awakeUntil) {
        return frame(cb); // only Ebiten's one request at a time waits
      }
      stats.held++;
      held = cb;
      timer = setTimeout(function () { release('rested'); }, REST_MS);
      return 0;
    };
    window.elamanipeliHurry = function () {
      awakeUntil = performance.now() + AWAKE_MS;
      if (held) {
        release('hurried');
      }
    };
    window.elamanipeliRest = stats; // for the browser tests
  }

  // keep asks the browser to keep this release's files on the device
  // (sw.js), once the client runs: the next visit, and one with no
  // network, opens from them.
  function keep() {
    if (!('serviceWorker' in navigator) || !meta('client-wasm')) {
      return; // no service workers, or a page made while the client was built
    }
    navigator.serviceWorker.register('/sw.js').catch(function (err) {
      console.warn('the game is not kept on this device: ' + err);
    });
  }

  retry.addEventListener('click', function () { location.reload(); });
  start().catch(function (err) {
    console.error(err);
    failed('Pelin lataus epäonnistui. Tarkista verkkoyhteys ja yritä uudelleen.',
      'Loading the game failed. Check the network connection and try again.');
  });
})();
