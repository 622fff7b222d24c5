// Package site puts the server's routes together: the game page and the
// client it loads, the WebSocket, deck uploads and checks, health and
// metrics. It adds the security headers every response carries.
package site

import (
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
)

// Options are what the site serves.
type Options struct {
	Hub     *room.Hub
	Log     zerolog.Logger
	WS      http.Handler         // the WebSocket endpoint
	Client  http.Handler         // the page and the compiled client; nil serves a note instead
	Metrics http.Handler         // nil: no /metrics
	Health  http.Handler         // /healthz; nil: a plain "ok"
	Bundled func(id string) bool // reports whether a deck id is taken by a bundled deck
	TLS     bool                 // served over HTTPS: send HSTS
	// Decks are what POST /check compares a file with for near-duplicates;
	// nil: the hub's library, once it is loaded.
	Decks func() []*deck.Deck
	Now   func() time.Time // the clock that paces checks; nil: time.Now
	// Addresses makes the keys checks are counted by (the WebSocket's
	// keyer); nil: one of the site's own. Checks, when set and not nil,
	// is the service's count of checks per address (several servers), in
	// place of this server's own (CheckBurst, CheckRefill).
	Addresses *clientaddr.Keyer
	Checks    func() clientaddr.Counter
}

// New returns the site's handler.
func New(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /ws", o.WS)
	health := o.Health
	if health == nil {
		health = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("ok\n"))
		})
	}
	mux.Handle("GET /healthz", health)
	mux.Handle("POST /upload", &uploader{hub: o.Hub, log: o.Log, bundled: o.Bundled})
	decks, now := o.Decks, o.Now
	if decks == nil && o.Hub != nil {
		decks = func() []*deck.Deck { return o.Hub.Library().Decks() }
	}
	if now == nil {
		now = time.Now
	}
	keys := o.Addresses
	if keys == nil {
		keys = clientaddr.New(false)
	}
	mux.Handle("POST /check", newChecker(decks, now, keys, o.Checks))
	if o.Hub != nil {
		// The decks for a game on the device alone (no room on the
		// server): the page keeps them, so that it can play offline.
		mux.HandleFunc("GET /decks", func(w http.ResponseWriter, r *http.Request) {
			b, err := protocol.EncodeDecks(o.Hub.Library().Decks())
			if err != nil {
				http.Error(w, "decks", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/msgpack")
			w.Header().Set("Cache-Control", "no-cache")
			w.Write(b)
		})
	}
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	if o.Client != nil {
		mux.Handle("/", o.Client)
	} else {
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Elämäni peli: the server is running; the client is not served by this build.\n"))
		})
	}
	return secure(mux, o.TLS)
}

// ContentSecurityPolicy lets the page run its own script and WebAssembly and
// talk to its own server, and nothing from anywhere else.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
	"img-src 'self' data: blob:; style-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// secure adds the security headers to every response.
func secure(next http.Handler, tls bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
