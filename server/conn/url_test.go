package conn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
)

// Seat tokens and room codes travel inside the WebSocket, never in a URL,
// where proxies, browser histories and logs would keep them: every request
// the client makes, from creating a room to coming back with its token, is a
// bare /ws.
func TestTokensNeverTravelInURLs(t *testing.T) {
	lib := gametest.Bundled(t)
	log := zerolog.New(zerolog.NewTestWriter(t))
	hub := room.NewHub(room.Options{Library: lib, Log: log})
	ws := conn.NewHandler(hub.Places(), log, conn.Config{})
	var mu sync.Mutex
	var uris []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		uris = append(uris, r.RequestURI)
		mu.Unlock()
		ws.ServeHTTP(w, r)
	}))
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hub.Shutdown(ctx)
	}()

	// The desktop client dials what its platform says; the browser's
	// platform builds the same bare address from the page's location.
	url := gametest.ClientURL(t, hs.URL)
	start := func(h protocol.Hello) *gametest.Session {
		s := gametest.StartSession(gametest.SessionOptions{URL: url, Hello: h})
		t.Cleanup(s.Close)
		return s
	}
	host := start(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	hs1 := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.HasView && s.Watch != "" })
	player := start(protocol.Hello{Want: protocol.WantJoin, Code: hs1.Code, Lang: "fi"})
	ps := gametest.Wait(t, player, "the knock", func(s *gametest.State) bool { return s.HasView })
	watcher := start(protocol.Hello{Want: protocol.WantWatch, Code: hs1.Watch, Lang: "fi"})
	gametest.Wait(t, watcher, "the view", func(s *gametest.State) bool { return s.HasView })
	// A reload: the host comes back with the token it kept.
	host.Close()
	again := start(protocol.Hello{Want: protocol.WantResume, Token: hs1.Token})
	gametest.Wait(t, again, "the seat again", func(s *gametest.State) bool { return s.HasView && s.Seat == 0 })

	mu.Lock()
	defer mu.Unlock()
	if len(uris) < 4 {
		t.Fatalf("only %d requests: %q", len(uris), uris)
	}
	for _, u := range uris {
		if u != "/ws" {
			t.Errorf("a client asked for %q, want a bare /ws", u)
		}
		for _, secret := range []string{hs1.Token, ps.Token, hs1.Code, hs1.Watch} {
			if strings.Contains(u, secret) {
				t.Errorf("%q carries a secret", u)
			}
		}
	}
}

// The page the browser loads never handles a token: only the game does,
// inside the WebSocket, and its join links carry the room code in the
// fragment, which browsers do not send.
func TestPageCarriesNoToken(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "webclient", "page", "*"))
	if err != nil || len(files) == 0 {
		t.Skip("no page files next to this package")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.ToLower(string(b)); strings.Contains(s, "token") {
			t.Errorf("%s mentions a token", f)
		}
	}
}
