package room_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// frameLog records every message one client received.
type frameLog struct {
	mu   sync.Mutex
	msgs []protocol.Message
}

func (l *frameLog) add(m protocol.Message) {
	l.mu.Lock()
	l.msgs = append(l.msgs, m)
	l.mu.Unlock()
}

// notes returns every worker note that reached the client, from snapshots
// and updates alike.
func (l *frameLog) notes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	step := func(st *rules.StepView) {
		if st != nil && st.Card.Note != "" {
			out = append(out, st.Card.Note)
		}
	}
	for _, m := range l.msgs {
		switch m := m.(type) {
		case protocol.Snapshot:
			step(m.View.Step)
		case protocol.Update:
			for _, e := range m.Events {
				step(e.Step)
			}
		}
	}
	return out
}

// game is a host, a player and a spectator, each a bot, in one room.
type game struct {
	host, player, spectator *gametest.Bot
	logs                    [3]*frameLog
}

func startGame(t *testing.T, srv *gametest.Server, decks []string, seed uint64) *game {
	t.Helper()
	g := &game{}
	for i := range g.logs {
		g.logs[i] = &frameLog{}
	}
	g.host = srv.Bot(protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja", Lang: "fi"},
		gametest.BotConfig{Decks: decks, WaitPlayers: 1, MarkOneIn: 4, Seed: seed},
		gametest.SessionOptions{OnFrame: g.logs[0].add})
	hs := gametest.Wait(t, g.host.Session(), "the room's codes", func(s *gametest.State) bool { return s.Watch != "" })
	g.player = srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Nuori", Lang: "en"},
		gametest.BotConfig{PassOneIn: 5, MarkOneIn: 5, Typed: "ok", Seed: seed + 1},
		gametest.SessionOptions{OnFrame: g.logs[1].add})
	g.spectator = srv.Bot(protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "sv"},
		gametest.BotConfig{}, gametest.SessionOptions{OnFrame: g.logs[2].add})
	return g
}

func (g *game) run(t *testing.T, ctx context.Context) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, b := range []*gametest.Bot{g.host, g.player, g.spectator} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.Run(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for j, b := range []*gametest.Bot{g.host, g.player, g.spectator} {
				st := b.Session().State()
				t.Logf("bot %d: status %v err %q pending %d legal %b view %+v step %+v", j, st.Status, st.Err, st.Pending, st.Legal, st.View, st.View.Step)
			}
			t.Fatalf("bot %d: %v", i, err)
		}
	}
}

func (g *game) close() {
	g.host.Close()
	g.player.Close()
	g.spectator.Close()
}

func TestFullGameWithBots(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	g := startGame(t, srv, []string{"lammittely", "tarina-opiskelu", "elamanalueet"}, 1)
	defer g.close()
	g.run(t, ctx)

	for i, b := range []*gametest.Bot{g.host, g.player, g.spectator} {
		st := b.Session().State()
		if st.View.Phase != rules.Summary || st.View.Summary == nil {
			t.Fatalf("bot %d ended in %v", i, st.View.Phase)
		}
		sum := st.View.Summary
		if len(sum.Steps) < 20 || len(sum.Help) == 0 {
			t.Fatalf("bot %d: summary of %d steps, %d help cards", i, len(sum.Steps), len(sum.Help))
		}
		kinds := map[deck.Kind]bool{}
		for _, s := range sum.Steps {
			kinds[s.Kind] = true
		}
		if !kinds[deck.Question] || !kinds[deck.Story] || !kinds[deck.Reflection] {
			t.Fatalf("bot %d: the path misses a kind of card: %v", i, kinds)
		}
	}
	// Everyone saw the same path, each in their own language.
	h, p := g.host.Session().State().View.Summary, g.player.Session().State().View.Summary
	if len(h.Steps) != len(p.Steps) || h.Steps[0].Text == p.Steps[0].Text {
		t.Fatalf("host and player summaries: %d and %d steps; first %q / %q", len(h.Steps), len(p.Steps), h.Steps[0].Text, p.Steps[0].Text)
	}
	if len(g.logs[0].notes()) == 0 {
		t.Fatal("the host never saw a worker note")
	}
	for i, who := range []string{"player", "spectator"} {
		if n := g.logs[i+1].notes(); len(n) > 0 {
			t.Fatalf("the %s received %d worker notes, e.g. %q", who, len(n), n[0])
		}
	}
}

func TestIllegalActionGetsACodeAndChangesNothing(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.HasView })
	player := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "fi"}, gametest.SessionOptions{})
	defer player.Close()
	gametest.Wait(t, player, "the knock", func(s *gametest.State) bool { return s.HasView })
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: 1})
	gametest.Wait(t, player, "admission", func(s *gametest.State) bool {
		me := s.View.Seat(s.Seat)
		return me != nil && me.Status == rules.In
	})

	tests := []struct {
		name string
		by   *gametest.Session
		a    rules.Action
		want rules.Code
	}{
		{"the player starts the game", player, rules.Action{Kind: rules.ActStart}, rules.ErrNotAllowed},
		{"the host deals in the lobby", host, rules.Action{Kind: rules.ActNext}, rules.ErrWrongPhase},
		{"an unknown deck", host, rules.Action{Kind: rules.ActDecks, Decks: []string{"ei-ole"}}, rules.ErrNoSuchDeck},
		{"a client acts as the server", player, rules.Action{Kind: rules.ActJoin, Role: rules.Host}, rules.ErrUnknownAction},
		{"an action of no kind", player, rules.Action{Kind: 200}, rules.ErrUnknownAction},
	}
	// settled waits until both seats have seen the same last update and
	// have nothing in flight, so that a change of seq means a change made
	// by the action under test.
	settled := func(t *testing.T) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for stable := 0; stable < 5; {
			h, p := host.State(), player.State()
			if h.Seq == p.Seq && h.Pending == 0 && p.Pending == 0 {
				stable++
			} else {
				stable = 0
			}
			if time.Now().After(deadline) {
				t.Fatalf("seats never settled: host seq %d, player seq %d", h.Seq, p.Seq)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settled(t)
			before := tt.by.State()
			tt.by.Act(tt.a)
			var got rules.Code
			deadline := time.After(5 * time.Second)
			for got == "" {
				select {
				case e := <-tt.by.Events():
					if e.Ack != nil {
						got = e.Ack.Code
					}
				case <-deadline:
					t.Fatal("no answer")
				}
			}
			if got != tt.want {
				t.Fatalf("code %q, want %q", got, tt.want)
			}
			if after := tt.by.State(); after.Seq != before.Seq {
				t.Fatalf("the room changed: seq %d → %d", before.Seq, after.Seq)
			}
		})
	}
}

func TestMalformedFramesCloseOnlyTheirConnection(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	g := startGame(t, srv, []string{"lammittely"}, 7)
	defer g.close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.run(t, ctx)
	}()

	bad := map[string][]byte{
		"garbage":          []byte("hello there"),
		"array32 bomb":     {0x92, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff},
		"deep nesting":     append(append([]byte{0x92, 0x01}, bytes.Repeat([]byte{0x91}, 3000)...), 0xc0),
		"an act first":     mustEncode(t, protocol.Act{ID: 1, Action: rules.Action{Kind: rules.ActStart}}),
		"a server's frame": mustEncode(t, protocol.Pong{N: 1}),
	}
	for name, frame := range bad {
		t.Run(name, func(t *testing.T) {
			ws, _, err := websocket.Dial(ctx, srv.WS, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			if err := ws.Write(ctx, websocket.MessageBinary, frame); err != nil {
				t.Fatal(err)
			}
			_, b, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("no error message before the close: %v", err)
			}
			m, err := protocol.Decode(b)
			if e, ok := m.(protocol.Error); err != nil || !ok || (e.Code != protocol.ErrBadMessage && e.Code != protocol.ErrHelloFirst) {
				t.Fatalf("got %+v, %v", m, err)
			}
			_, _, err = ws.Read(ctx)
			if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation {
				t.Fatalf("closed with %v (%v), want policy violation", s, err)
			}
		})
	}
	<-done // the game in the other room played on to its end
	if st := g.player.Session().State(); st.View.Phase != rules.Summary {
		t.Fatalf("the other room ended in %v", st.View.Phase)
	}
}

func mustEncode(t *testing.T, m protocol.Message) []byte {
	b, err := protocol.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
