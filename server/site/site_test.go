package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/server/site"
	"github.com/pore/elamanipeli/server/webclient"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// realPage is the game page as package webclient serves it, with a
// stand-in for the compiled client so that nothing is built.
func realPage(t *testing.T) http.Handler {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
	os.WriteFile(filepath.Join(dir, "wasm_exec.js"), []byte("// stand-in\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	c, err := webclient.New(ctx, webclient.Options{Prebuilt: dir, CacheDir: t.TempDir(), BrotliQuality: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); c.Close() })
	select {
	case <-c.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the page did not get ready")
	}
	return c
}

// csp parses a Content-Security-Policy into its directives.
func csp(h string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(h, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Client: realPage(t)})
	var status struct{ Wasm string }
	resp, err := http.Get(srv.URL + "/client/status")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if status.Wasm == "" {
		t.Fatal("the client's status names no wasm")
	}
	tests := []struct {
		name, method, path string
		status             int
	}{
		{"the page", "GET", "/", http.StatusOK},
		{"a static file", "GET", "/main.js", http.StatusOK},
		{"the style", "GET", "/style.css", http.StatusOK},
		{"the build's status", "GET", "/client/status", http.StatusOK},
		{"the client's WebAssembly", "GET", status.Wasm, http.StatusOK},
		{"health", "GET", "/healthz", http.StatusOK},
		{"an upload without a token", "POST", "/upload", http.StatusUnauthorized},
		{"a deck check of nothing", "POST", "/check", http.StatusOK},
		{"the decks for a game on one device", "GET", "/decks", http.StatusOK},
		{"the WebSocket without an upgrade", "GET", "/ws", http.StatusUpgradeRequired},
		{"nothing", "GET", "/no-such-file", http.StatusNotFound},
		{"a wrong method", "DELETE", "/healthz", http.StatusMethodNotAllowed}, // the page handler answers
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			h := resp.Header
			for k, want := range map[string]string{
				"X-Content-Type-Options":       "nosniff",
				"X-Frame-Options":              "DENY",
				"Referrer-Policy":              "no-referrer",
				"Cross-Origin-Opener-Policy":   "same-origin",
				"Cross-Origin-Resource-Policy": "same-origin",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if p := h.Get("Permissions-Policy"); !strings.Contains(p, "camera=()") || !strings.Contains(p, "microphone=()") {
				t.Errorf("Permissions-Policy: %q", p)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS over plain HTTP")
			}

			policy := csp(h.Get("Content-Security-Policy"))
			if !slices.Equal(policy["default-src"], []string{"'none'"}) {
				t.Errorf("default-src %q, want 'none'", policy["default-src"])
			}
			if s := policy["script-src"]; !slices.Contains(s, "'wasm-unsafe-eval'") || !slices.Contains(s, "'self'") {
				t.Errorf("script-src %q lets the client's WebAssembly not run", s)
			}
			for _, d := range []string{"frame-ancestors", "base-uri", "form-action"} {
				if !slices.Equal(policy[d], []string{"'none'"}) {
					t.Errorf("%s %q, want 'none'", d, policy[d])
				}
			}
			// Nothing from elsewhere: no host, no scheme but data: and
			// blob: for images the page makes itself, no inline script.
			for d, sources := range policy {
				for _, s := range sources {
					ok := s == "'self'" || s == "'none'" || (d == "script-src" && s == "'wasm-unsafe-eval'") ||
						(d == "img-src" && (s == "data:" || s == "blob:"))
					if !ok {
						t.Errorf("%s allows %s", d, s)
					}
				}
			}
		})
	}
}

func TestHSTSOverHTTPS(t *testing.T) {
	h := site.New(site.Options{WS: http.NotFoundHandler(), TLS: true})
	rec := &headerRecorder{h: http.Header{}}
	req, _ := http.NewRequest("GET", "https://game.example.org/healthz", nil)
	h.ServeHTTP(rec, req)
	if got := rec.h.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("Strict-Transport-Security %q", got)
	}
}

type headerRecorder struct {
	h      http.Header
	status int
}

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(s int)           { r.status = s }

// upload posts a deck file with the token in the Authorization header.
func upload(t *testing.T, srv *gametest.Server, token, name string, body io.Reader) (int, site.UploadResult) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/upload?lang=en", body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Deck-Name", name)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var res site.UploadResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, res
}

// A deck upload has its own bounded path: too large, malformed or not the
// host's, it is refused with a code (and the checker's problems), and the
// room carries on.
func TestDeckUploadIsBoundedAndChecked(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.HasView })
	player := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "fi"}, gametest.SessionOptions{})
	defer player.Close()
	ps := gametest.Wait(t, player, "the knock", func(s *gametest.State) bool { return s.HasView })

	good := "Mikä naurattaa?\nMitä teet, kun olet väsynyt?\n"
	bad := "id: lajit\nkind: questions\ntitle: {fi: Lajit}\ncards:\n  - id: yksi\n    kind: queston\n    text: {fi: Kirjoitusvirhe.}\n"
	tests := []struct {
		name     string
		token    string
		file     string
		body     io.Reader
		status   int
		code     rules.Code
		problems bool
	}{
		{"one byte over the limit", hs.Token, "iso.yaml", strings.NewReader(strings.Repeat("#", deckfile.MaxUpload+1)), http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, false},
		{"endless, without a length", hs.Token, "iso.csv", io.LimitReader(endless{}, 64<<20), http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, false},
		{"malformed YAML", hs.Token, "lajit.yaml", strings.NewReader(bad), http.StatusUnprocessableEntity, protocol.ErrDeckInvalid, true},
		{"not text at all", hs.Token, "kuva.yaml", bytes.NewReader([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'}), http.StatusUnprocessableEntity, protocol.ErrDeckInvalid, true},
		{"no token", "", "omat.csv", strings.NewReader(good), http.StatusUnauthorized, protocol.ErrBadToken, false},
		{"a made-up token", "AAAAAAAAAAAAAAAAAAAAAA", "omat.csv", strings.NewReader(good), http.StatusUnauthorized, protocol.ErrBadToken, false},
		// Refused before its file is read, which would be too large.
		{"a made-up token with an endless file", "AAAAAAAAAAAAAAAAAAAAAA", "iso.csv", io.LimitReader(endless{}, 64<<20), http.StatusUnauthorized, protocol.ErrBadToken, false},
		{"a player's token", ps.Token, "omat.csv", strings.NewReader(good), http.StatusUnauthorized, protocol.ErrBadToken, false},
		{"the host's own deck", hs.Token, "omat.csv", strings.NewReader(good), http.StatusOK, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, res := upload(t, srv, tt.token, tt.file, tt.body)
			if status != tt.status || res.Code != tt.code || (len(res.Problems) > 0) != tt.problems {
				t.Fatalf("%d %+v, want %d %q (problems: %v)", status, res, tt.status, tt.code, tt.problems)
			}
			if tt.problems && !slices.ContainsFunc(res.Problems, func(p string) bool { return strings.HasPrefix(p, "line ") }) {
				t.Fatalf("problems without line numbers: %q", res.Problems)
			}
		})
	}

	// The room carried on: the host sees the deck it brought and plays on.
	st := gametest.Wait(t, host, "the brought deck", func(s *gametest.State) bool {
		return slices.ContainsFunc(s.View.Library, func(d rules.DeckInfo) bool { return d.Custom })
	})
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: ps.Seat})
	gametest.Wait(t, player, "admission", func(s *gametest.State) bool {
		me := s.View.Seat(s.Seat)
		return me != nil && me.Status == rules.In
	})
	if st.Status != gametest.Online {
		t.Fatalf("the host is %v", st.Status)
	}
}

// The token goes in the Authorization header only: one in the URL is not
// read.
func TestUploadIgnoresATokenInTheURL(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.HasView })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, q := range []string{"?token=", "?authorization=Bearer+", "?access_token="} {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/upload"+q+hs.Token, strings.NewReader("Mikä naurattaa?\n"))
		req.Header.Set("X-Deck-Name", "omat.csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %s, want 401", q, resp.Status)
		}
	}
}

// endless reads as an endless deck file.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestTheDecksForAGameOnOneDevice: GET /decks hands out every deck the
// server plays, help services included, in the protocol's form.
func TestTheDecksForAGameOnOneDevice(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	resp, err := http.Get(srv.URL + "/decks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	decks, err := protocol.DecodeDecks(b)
	if err != nil {
		t.Fatal(err)
	}
	want := srv.Lib.Decks()
	if len(decks) != len(want) {
		t.Fatalf("%d decks, want %d", len(decks), len(want))
	}
	for i, d := range decks {
		if d.ID != want[i].ID || len(d.Cards) != len(want[i].Cards) {
			t.Errorf("deck %d: %s with %d cards, want %s with %d", i, d.ID, len(d.Cards), want[i].ID, len(want[i].Cards))
		}
	}
	if rules.NewLibrary(decks...).HelpCards() == nil {
		t.Error("no help services among the decks")
	}
	t.Logf("%d decks, %d bytes", len(decks), len(b))
}
