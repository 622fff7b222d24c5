package room_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// roomIDs collects the internal room ids the hub logs, which nothing else
// shows.
type roomIDs struct {
	mu  sync.Mutex
	ids []string
}

func (r *roomIDs) Write(p []byte) (int, error) {
	var line struct {
		Room, Message string
	}
	if json.Unmarshal(p, &line) == nil && line.Message == "room created" {
		r.mu.Lock()
		r.ids = append(r.ids, line.Room)
		r.mu.Unlock()
	}
	return len(p), nil
}

// TestEndedRoomsLeaveNothingInTheDataFolder plays a room to its end, lets
// another be abandoned past the window, keeps a third one going, and then
// searches every file in the data folder for anything of the two that
// ended: nicknames, typed answers, codes, internal ids.
func TestEndedRoomsLeaveNothingInTheDataFolder(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	ids := &roomIDs{}
	log := zerolog.New(io.MultiWriter(ids, zerolog.NewTestWriter(t))).Level(zerolog.InfoLevel)
	st := gametest.Keep(t, dir)
	srv := gametest.Start(t, gametest.Options{
		Room:  room.Config{Tick: 50 * time.Millisecond, Window: time.Second},
		Store: st.Rooms, Log: &log,
	})

	type table struct {
		host, player *gametest.Bot
		code, watch  string
		secrets      []string
	}
	open := func(name string, closeAtEnd bool) *table {
		tb := &table{secrets: []string{"Ohjaaja-" + name, "Nuori-" + name, "Vastaus-" + name + "-ei-kenellekään"}}
		tb.host = srv.Bot(protocol.Hello{Want: protocol.WantCreate, Nick: tb.secrets[0], Lang: "fi"},
			gametest.BotConfig{Decks: []string{"lammittely"}, WaitPlayers: 1, Close: closeAtEnd, Pace: 5 * time.Millisecond, Seed: 1}, gametest.SessionOptions{})
		hs := gametest.Wait(t, tb.host.Session(), "a room", func(s *gametest.State) bool { return s.Watch != "" })
		tb.code, tb.watch = hs.Code, hs.Watch
		tb.player = srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: tb.secrets[1], Lang: "fi"},
			gametest.BotConfig{Typed: tb.secrets[2], Pace: 5 * time.Millisecond, Seed: 2}, gametest.SessionOptions{})
		t.Cleanup(tb.host.Close)
		t.Cleanup(tb.player.Close)
		return tb
	}
	ended, abandoned, going := open("Loppuun", true), open("Hylätty", false), open("Kesken", false)
	if len(ids.ids) != 3 {
		t.Fatalf("logged %d room ids, want 3", len(ids.ids))
	}

	// The first plays to its end and the host closes it.
	done := make(chan error, 2)
	go func() { done <- ended.host.Run(ctx) }()
	go func() { done <- ended.player.Run(ctx) }()
	// The other two play a few cards.
	var wg sync.WaitGroup
	pctx, stop := context.WithCancel(ctx)
	for _, b := range []*gametest.Bot{abandoned.host, abandoned.player, going.host, going.player} {
		wg.Add(1)
		go func() { defer wg.Done(); b.Run(pctx) }()
	}
	for _, tb := range []*table{abandoned, going} {
		gametest.Wait(t, tb.player.Session(), "a few cards", func(s *gametest.State) bool {
			return s.View.Played >= 3 && s.View.Step != nil && len(s.View.Step.Answers) > 0
		})
	}
	// Every room has been saved with what was said in it.
	waitFor(t, "three rooms in the store", func() bool {
		n, err := st.Store.Rooms(ctx)
		return err == nil && n == 3
	})
	stop()
	wg.Wait()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("the room played to its end: %v", err)
		}
	}
	// Everyone leaves the second room and does not come back.
	abandoned.host.Close()
	abandoned.player.Close()

	for _, tb := range []*table{ended, abandoned} {
		waitFor(t, "the room to be forgotten", func() bool {
			_, ok := srv.Hub.Views(ctx, tb.code)
			return !ok
		})
	}
	waitFor(t, "one room left in the store", func() bool {
		n, err := st.Store.Rooms(ctx)
		return err == nil && n == 1
	})
	if n := srv.Hub.Rooms(); n != 1 {
		t.Fatalf("%d rooms in memory, want 1", n)
	}
	srv.Stop()
	st.Close()

	var needles [][]byte
	for i, tb := range []*table{ended, abandoned} {
		for _, s := range append(tb.secrets, tb.code, tb.watch, ids.ids[i]) {
			needles = append(needles, []byte(s))
		}
	}
	// The room still going is there only sealed.
	for _, s := range going.secrets {
		needles = append(needles, []byte(s))
	}
	files, size := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files, size = files+1, size+len(b)
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%q is still in %s", n, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("searched %d files, %d bytes", files, size)

	// The room still going comes back after a restart; the others do not.
	st = gametest.Keep(t, dir)
	srv = gametest.Start(t, gametest.Options{Store: st.Rooms, Log: &log})
	host := srv.Session(protocol.Hello{Want: protocol.WantResume, Token: going.host.Session().State().Token}, gametest.SessionOptions{})
	defer host.Close()
	got := gametest.Wait(t, host, "the room still going", func(s *gametest.State) bool { return s.HasView })
	if got.Code != going.code || got.View.Phase != rules.Playing {
		t.Fatalf("resumed room %q in %v, want %q playing", got.Code, got.View.Phase, going.code)
	}
	gone := srv.Session(protocol.Hello{Want: protocol.WantResume, Token: abandoned.host.Session().State().Token}, gametest.SessionOptions{})
	defer gone.Close()
	if s := gametest.Wait(t, gone, "a refusal", func(s *gametest.State) bool { return s.Status == gametest.Ended }); s.Err != protocol.ErrBadToken {
		t.Fatalf("resuming a forgotten room: %q", s.Err)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
