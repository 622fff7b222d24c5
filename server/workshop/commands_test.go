package workshop_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// syncBuffer is a log that tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// enter says hello on a new connection and reads until the workshop's
// answer: its Workshop message, or an Error's code.
func enter(t *testing.T, ctx context.Context, srv *gametest.Server, hello protocol.Hello) (*gametest.Raw, protocol.Workshop, rules.Code) {
	t.Helper()
	c := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	hello.V = protocol.Version
	if err := c.Send(ctx, hello); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			t.Fatalf("no answer to %+v: %v", hello, err)
		}
		switch m := m.(type) {
		case protocol.Workshop:
			return c, m, ""
		case protocol.Error:
			return c, protocol.Workshop{}, m.Code
		}
	}
}

// train sends a trainer's command and returns its Ack.
func train(t *testing.T, ctx context.Context, c *gametest.Raw, cmd protocol.Train) protocol.Ack {
	t.Helper()
	if err := c.Send(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	return c.Until(ctx, "an ack", func(m protocol.Message) bool {
		a, ok := m.(protocol.Ack)
		return ok && a.ID == cmd.ID
	}).(protocol.Ack)
}

// TestTrainerCommands drives a workshop over the wire: who may give
// commands, their limits, pairing by hand, and the seat each participant
// finds with the token it has.
func TestTrainerCommands(t *testing.T) {
	var logs syncBuffer
	log := zerolog.New(zerolog.MultiLevelWriter(&logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)
	srv := gametest.Start(t, gametest.Options{Log: &log})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	tr, w, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantWorkshop, Nick: "Kouluttaja Kaisa", Lang: "sv"})
	if code != "" || !w.Trainer || len(w.Code) != 6 || w.Token == "" || w.Heartbeat == 0 {
		t.Fatalf("workshop %+v, %q", w, code)
	}
	tr.Until(ctx, "the first dashboard", func(m protocol.Message) bool { _, ok := m.(protocol.Dashboard); return ok })

	// Two participants join with the workshop's code, typed loosely.
	loose := strings.ToLower(w.Code[:3]) + "-" + w.Code[3:]
	a, wa, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: loose, Nick: "Aapo Salainen"})
	if code != "" || wa.Trainer || wa.Me != 1 || wa.Token == "" || wa.Code != w.Code {
		t.Fatalf("participant %+v, %q", wa, code)
	}
	b, wb, _ := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: w.Code, Nick: "Bea", Lang: "en"})
	if _, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: w.Code, Nick: strings.Repeat("x", rules.MaxNick+1)}); code != rules.ErrTooLong {
		t.Fatalf("a long nickname: %q", code)
	}
	d := tr.Until(ctx, "both on the dashboard", func(m protocol.Message) bool {
		d, ok := m.(protocol.Dashboard)
		return ok && len(d.People) == 2 && d.People[0].Online && d.People[1].Online
	}).(protocol.Dashboard)
	if d.People[0].Nick != "Aapo Salainen" || d.People[1].Room != 0 || len(d.Rooms) != 0 {
		t.Fatalf("dashboard %+v", d)
	}

	// A participant can neither command nor act.
	if ack := train(t, ctx, a, protocol.Train{ID: 1, Kind: protocol.TrainEndAll}); ack.Code != rules.ErrNotAllowed {
		t.Fatalf("a participant's command: %+v", ack)
	}
	if ack := a.Act(ctx, 1, rules.Action{Kind: rules.ActStart}); ack.Code != rules.ErrNotAllowed {
		t.Fatalf("a participant's action: %+v", ack)
	}

	for i, tc := range []struct {
		cmd  protocol.Train
		want rules.Code
	}{
		{protocol.Train{Kind: protocol.TrainMessage, Text: "  "}, rules.ErrEmpty},
		{protocol.Train{Kind: protocol.TrainMessage, Text: strings.Repeat("ö", protocol.MaxTrainText+1)}, rules.ErrTooLong},
		{protocol.Train{Kind: protocol.TrainTimeLeft}, rules.ErrOutOfRange},
		{protocol.Train{Kind: protocol.TrainTimeLeft, Minutes: protocol.MaxMinutes + 1}, rules.ErrOutOfRange},
		{protocol.Train{Kind: protocol.TrainPair, A: 1, B: 1}, rules.ErrNoSuchSeat},
		{protocol.Train{Kind: protocol.TrainPair, A: 1, B: 3}, rules.ErrNoSuchSeat},
		{protocol.Train{Kind: protocol.TrainPair, A: 0, B: 1}, rules.ErrNoSuchSeat},
		{protocol.Train{Kind: 99}, rules.ErrUnknownAction},
		{protocol.Train{Kind: protocol.TrainMessage, Text: "Tervetuloa!"}, ""},
	} {
		tc.cmd.ID = uint64(i + 1)
		if ack := train(t, ctx, tr, tc.cmd); ack.Code != tc.want {
			t.Errorf("%+v: %q, want %q", tc.cmd, ack.Code, tc.want)
		}
	}
	for _, c := range []*gametest.Raw{a, b} {
		c.Until(ctx, "the message", func(m protocol.Message) bool {
			n, ok := m.(protocol.Notice)
			return ok && n.Kind == protocol.NoticeMessage && n.Text == "Tervetuloa!"
		})
	}
	// A command sent again after a reconnect is applied once.
	if ack := train(t, ctx, tr, protocol.Train{ID: 9, Kind: protocol.TrainMessage, Text: "Tervetuloa!"}); !ack.Dup {
		t.Fatalf("a command sent again: %+v", ack)
	}

	// Bea plays the worker, Aapo the young person.
	if ack := train(t, ctx, tr, protocol.Train{ID: 10, Kind: protocol.TrainPair, A: 2, B: 1}); ack.Code != "" {
		t.Fatalf("pair: %+v", ack)
	}
	for _, tc := range []struct {
		c     *gametest.Raw
		role  rules.Role
		token string
	}{{b, rules.Host, wb.Token}, {a, rules.Player, wa.Token}} {
		as := tc.c.Until(ctx, "assigned", func(m protocol.Message) bool { _, ok := m.(protocol.Assigned); return ok }).(protocol.Assigned)
		if as.Role != tc.role {
			t.Fatalf("assigned %v, want %v", as.Role, tc.role)
		}
		seat := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
		wel, code := seat.Hello(ctx, protocol.Hello{Want: protocol.WantResume, Token: tc.token})
		if code != "" || wel.Role != tc.role || !wel.Resumed {
			t.Fatalf("resume after assigned: %+v, %q", wel, code)
		}
		snap := seat.Until(ctx, "the room", func(m protocol.Message) bool { _, ok := m.(protocol.Snapshot); return ok }).(protocol.Snapshot)
		if v := snap.View; v.Phase != rules.Lobby || len(v.Seats) != 2 || v.Seats[1].Status != rules.In {
			t.Fatalf("the room: %+v", v)
		}
	}
	d = tr.Until(ctx, "the room on the dashboard", func(m protocol.Message) bool {
		d, ok := m.(protocol.Dashboard)
		return ok && len(d.Rooms) == 1 && d.People[0].Online && d.People[1].Online
	}).(protocol.Dashboard)
	if r := d.Rooms[0]; r.N != 1 || r.Host != 2 || r.Player != 1 || r.Phase != rules.Lobby {
		t.Fatalf("room %+v", r)
	}
	if ack := train(t, ctx, tr, protocol.Train{ID: 11, Kind: protocol.TrainPair, A: 2, B: 1}); ack.Code != rules.ErrNoSuchSeat {
		t.Fatalf("pairing the paired: %+v", ack)
	}

	// The trainer's laptop sleeps and comes back: the dashboard again, and
	// the newest command it had.
	tr.Close()
	tr2 := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	if err := tr2.Send(ctx, protocol.Hello{V: protocol.Version, Want: protocol.WantResume, Token: w.Token}); err != nil {
		t.Fatal(err)
	}
	back := tr2.Until(ctx, "the workshop again", func(m protocol.Message) bool { _, ok := m.(protocol.Workshop); return ok }).(protocol.Workshop)
	if !back.Trainer || !back.Resumed || back.Token != "" || back.LastCmd != 11 {
		t.Fatalf("back: %+v", back)
	}
	tr2.Until(ctx, "the dashboard again", func(m protocol.Message) bool { d, ok := m.(protocol.Dashboard); return ok && len(d.Rooms) == 1 })

	for _, s := range []string{w.Code, w.Token, wa.Token, wb.Token, "Aapo", "Kaisa", "Tervetuloa"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

// TestWorkshopLimits: a workshop takes MaxParticipants, all from one
// address without counting as guesses; a wrong code is a guess.
func TestWorkshopLimits(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, w, _ := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantWorkshop})
	for i := range protocol.MaxParticipants {
		c, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: w.Code, Nick: fmt.Sprint(i)})
		if code != "" {
			t.Fatalf("participant %d: %q", i+1, code)
		}
		c.Close()
	}
	if _, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: w.Code}); code != protocol.ErrWorkshopFull {
		t.Fatalf("one too many: %q", code)
	}
	// Ten wrong codes use up the address's allowance; the workshop its
	// own devices are in stays reachable.
	for range 10 {
		if _, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: "XXXXXX"}); code != protocol.ErrNoRoom {
			t.Fatalf("a wrong code: %q", code)
		}
	}
	if _, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: "XXXXXX"}); code != protocol.ErrRateLimited {
		t.Fatalf("guessing on: %q", code)
	}
	if _, _, code := enter(t, ctx, srv, protocol.Hello{Want: protocol.WantJoin, Code: w.Code}); code != protocol.ErrWorkshopFull {
		t.Fatalf("the workshop after guessing: %q", code)
	}
}
