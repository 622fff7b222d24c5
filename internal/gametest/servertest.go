// Package gametest starts the game server in-process on a loopback port for
// tests: the real hub, rooms and WebSocket handler behind httptest, with
// bots to play it.
package gametest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/site"
	"github.com/pore/elamanipeli/server/workshop"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Server is a running test server.
type Server struct {
	URL    string // http://127.0.0.1:port
	WS     string // ws://127.0.0.1:port/ws
	Places *place.Directory
	Hub    *room.Hub
	HTTP   *httptest.Server
	Lib    *rules.Library
	Store  room.Store

	// Workshops are the trainers' workshops, reached through the hub.
	Workshops *workshop.Manager

	stop     sync.Once
	restored chan struct{}
}

// Options tune a test server; zero values are fine.
type Options struct {
	Room room.Config
	Conn conn.Config
	// Places tunes the place directory: its limits per address, how long
	// it waits for rooms being restored. Its Log and Ready are the test
	// server's.
	Places place.Options
	Lib    *rules.Library  // nil: the bundled decks
	Log    *zerolog.Logger // nil: log to t
	Store  room.Store
	// Client serves the page and the browser client; nil serves none.
	Client http.Handler
	// Acted and Holds are passed on to the hub (room.Options).
	Acted func(code string, seat rules.SeatID, id uint64)
	Holds func(epoch string) bool
	// Workshop tunes the trainers' workshops.
	Workshop workshop.Config
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	if o.Log != nil {
		log = *o.Log
	}
	lib := o.Lib
	if lib == nil {
		lib = Bundled(t)
	}
	// Wired as the server wires itself (server/main.go).
	po := o.Places
	po.Log, po.Ready = log, o.Store == nil
	places := place.New(po)
	hub := room.NewHub(room.Options{Config: o.Room, Library: lib, Log: log, Places: places, Store: o.Store, Acted: o.Acted, Holds: o.Holds})
	workshops := workshop.New(workshop.Options{Rooms: hub, Places: places, Log: log, Config: o.Workshop})
	places.Handle(protocol.WantCreate, hub.Create)
	places.Handle(protocol.WantWorkshop, workshops.Create)
	if o.Conn.Addresses == nil {
		o.Conn.Addresses = clientaddr.New(o.Conn.TrustProxy)
	}
	ws := conn.NewHandler(places, log, o.Conn)
	h := site.New(site.Options{Hub: hub, Log: log, WS: ws, Client: o.Client, Addresses: o.Conn.Addresses, Bundled: func(id string) bool { return lib.Deck(id) != nil }})
	hs := httptest.NewServer(h)
	s := &Server{URL: hs.URL, WS: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws", Places: places, Hub: hub, HTTP: hs, Lib: lib, Store: o.Store, Workshops: workshops}
	s.restored = make(chan struct{})
	if o.Store != nil {
		// As the real server does: rooms come back while it already serves.
		go func() {
			defer close(s.restored)
			if _, err := hub.Restore(context.Background(), nil); err != nil {
				t.Errorf("restore: %v", err)
			}
		}()
	} else {
		close(s.restored)
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down as a restart would: the rooms save themselves
// and tell their clients, and the connections close. The store stays open.
// It is called when the test ends, if not before.
func (s *Server) Stop() {
	s.stop.Do(func() {
		<-s.restored
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Places.Shutdown(ctx)
		s.HTTP.CloseClientConnections()
		s.HTTP.Close()
	})
}

// Session opens a session that asks for hello.
func (s *Server) Session(hello protocol.Hello, o session.Options) *session.Session {
	o.URL, o.Hello = s.WS, hello
	return session.Start(o)
}

// Bot starts a bot with hello.
func (s *Server) Bot(hello protocol.Hello, cfg bot.Config, o session.Options) *bot.Bot {
	o.URL, o.Hello = s.WS, hello
	return bot.Start(o, cfg)
}

// Wait polls until cond holds for the session's state, or fails the test.
func Wait(t testing.TB, s *session.Session, what string, cond func(*session.State) bool) *session.State {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st := s.State(); cond(st) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	st := s.State()
	t.Fatalf("timed out waiting for %s: status %v, err %q, view %+v", what, st.Status, st.Err, st.View)
	return nil
}
