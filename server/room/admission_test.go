package room_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// recorder keeps every frame a raw connection receives.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
	msgs   []protocol.Message
}

func (r *recorder) run(ctx context.Context, c *gametest.Raw) {
	for {
		_, b, err := c.WS.Read(ctx)
		if err != nil {
			return
		}
		m, err := protocol.Decode(b)
		if err != nil {
			continue
		}
		r.mu.Lock()
		r.frames, r.msgs = append(r.frames, b), append(r.msgs, m)
		r.mu.Unlock()
	}
}

func (r *recorder) snapshot() ([][]byte, []protocol.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.frames...), append([]protocol.Message(nil), r.msgs...)
}

// answerAll has every seat that may answer the card on the table answer it
// with a typed text, and returns the texts.
func answerAll(t *testing.T, text string, ss ...*gametest.Session) []string {
	t.Helper()
	var texts []string
	for i, s := range ss {
		if s.State().Legal.Has(rules.ActAnswer) {
			a := text + string(rune('A'+i))
			s.Act(rules.Action{Kind: rules.ActAnswer, Text: a})
			texts = append(texts, a)
			gametest.Wait(t, s, "the answer", func(st *gametest.State) bool { return st.Pending == 0 })
		}
	}
	return texts
}

// A player who knocks sees nothing of the room but their own knock until
// the host lets them in: no card, no answer, no nickname.
func TestKnockerSeesNothingUntilAdmitted(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja Olli", Lang: "fi"}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.HasView })
	host.Act(rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}})
	player := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Nuori Noora", Lang: "fi"}, gametest.SessionOptions{})
	defer player.Close()
	gametest.Wait(t, host, "the knock", func(s *gametest.State) bool { return s.Legal.Has(rules.ActAdmit) })
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: 1})
	host.Act(rules.Action{Kind: rules.ActStart})
	gametest.Wait(t, player, "the first card", func(s *gametest.State) bool { return s.View.Step != nil })
	secrets := []string{"Ohjaaja Olli", "Nuori Noora", host.State().View.Step.Card.Text}
	secrets = append(secrets, answerAll(t, "salainen vastaus ", host, player)...)

	knocker := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	kw, code := knocker.Hello(ctx, protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Koputtaja", Lang: "fi"})
	if code != "" {
		t.Fatalf("knock: %s", code)
	}
	rec := &recorder{}
	go rec.run(ctx, knocker)

	// The game goes on while the knocker waits; the knocker cannot play.
	host.Act(rules.Action{Kind: rules.ActNext})
	gametest.Wait(t, player, "the next card", func(s *gametest.State) bool { return s.View.Step != nil && s.View.Step.Pos == 1 })
	secrets = append(secrets, host.State().View.Step.Card.Text)
	secrets = append(secrets, answerAll(t, "toinen salaisuus ", host, player)...)
	if err := knocker.Send(ctx, protocol.Act{ID: 1, Action: rules.Action{Kind: rules.ActAnswer, Text: "päästä sisään"}}); err != nil {
		t.Fatal(err)
	}
	host.Act(rules.Action{Kind: rules.ActReact, Value: 0})
	gametest.Wait(t, host, "the reaction", func(s *gametest.State) bool { return s.Pending == 0 })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, msgs := rec.snapshot()
		i := slices.IndexFunc(msgs, func(m protocol.Message) bool { a, ok := m.(protocol.Ack); return ok && a.ID == 1 })
		if i >= 0 {
			if a := msgs[i].(protocol.Ack); a.Code != rules.ErrNotAllowed {
				t.Fatalf("the knocker's answer got %q, want %q", a.Code, rules.ErrNotAllowed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ack for the knocker's answer: %+v", msgs)
		}
	}

	frames, msgs := rec.snapshot()
	if _, ok := msgs[0].(protocol.Snapshot); !ok {
		t.Fatalf("the knocker's first message after the welcome: %+v", msgs[0])
	}
	for _, b := range frames {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the knocker received %q", s)
			}
		}
	}
	for _, m := range msgs {
		switch m := m.(type) {
		case protocol.Snapshot:
			v := m.View
			if v.Step != nil || v.Summary != nil || len(v.Library) > 0 || len(v.Chosen) > 0 || len(v.Seats) != 1 || v.Seats[0].ID != kw.Seat {
				t.Errorf("the knocker's snapshot shows the room: %+v", v)
			}
		case protocol.Update:
			for _, e := range m.Events {
				if e.Seat != kw.Seat || e.Step != nil || e.Summary != nil {
					t.Errorf("the knocker heard of %+v", e)
				}
			}
		}
	}

	// Let in, the player sees the table as it is.
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: kw.Seat})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, msgs := rec.snapshot()
		if s, ok := msgs[len(msgs)-1].(protocol.Snapshot); ok {
			if s.View.Step == nil || s.View.Step.Pos != 1 || len(s.View.Seats) != 3 {
				t.Fatalf("the snapshot after admission: %+v", s.View)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot after admission; last %+v", msgs[len(msgs)-1])
		}
	}
}

// Once the host locks the room, nobody new may knock; the players already
// in carry on, and unlocking opens the door again.
func TestLockedRoomRefusesNewPlayers(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	hw, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatal(code)
	}
	join := func() rules.Code {
		r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
		defer r.Close()
		_, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantJoin, Code: hw.Code, Lang: "fi"})
		return code
	}
	if ack := h.Act(ctx, 1, rules.Action{Kind: rules.ActLock, On: true}); ack.Code != "" {
		t.Fatalf("lock: %s", ack.Code)
	}
	for range 3 {
		if code := join(); code != rules.ErrRoomLocked {
			t.Fatalf("a knock on a locked room got %q, want %q", code, rules.ErrRoomLocked)
		}
	}
	if ack := h.Act(ctx, 2, rules.Action{Kind: rules.ActLock, On: false}); ack.Code != "" {
		t.Fatalf("unlock: %s", ack.Code)
	}
	if code := join(); code != "" {
		t.Fatalf("a knock on the unlocked room got %q", code)
	}
}
