package room_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// enter dials from the loopback address from (127.0.0.1 when empty) and
// says hello, and returns the connection with its welcome or its code.
func enter(t *testing.T, ctx context.Context, srv *gametest.Server, from string, h protocol.Hello) (*gametest.Raw, protocol.Welcome, rules.Code) {
	t.Helper()
	r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{From: from})
	w, code := r.Hello(ctx, h)
	return r, w, code
}

// hostRoom makes a room from 127.0.0.1 and returns its host's connection.
func hostRoom(t *testing.T, ctx context.Context, srv *gametest.Server) (*gametest.Raw, protocol.Welcome) {
	t.Helper()
	h, hw, code := enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatal(code)
	}
	return h, hw
}

// stays enters from one address again and again, up to most times, each
// connection staying open, until the room is full for it; it returns how
// many got in.
func stays(t *testing.T, ctx context.Context, srv *gametest.Server, from string, h protocol.Hello, most int) int {
	t.Helper()
	for n := range most {
		if _, _, code := enter(t, ctx, srv, from, h); code != "" {
			if code != rules.ErrRoomFull {
				t.Fatalf("entry %d (want %v): %q", n+1, h.Want, code)
			}
			return n
		}
	}
	return most
}

// addr is the n-th loopback address of a block: many clients, many
// addresses, as an attacker with many machines would be.
func addr(block, n int) string { return fmt.Sprintf("127.%d.%d.%d", block, n/250, 1+n%250) }

// TestOneAddressCannotFillTheServer: one address that makes rooms and drops
// them at once is stopped long before the server is full, another address
// still makes rooms, and a room whose host went before anyone took part is
// erased long before the window is over, which gives the address its rooms
// back.
func TestOneAddressCannotFillTheServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	create := protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}

	t.Run("the defaults", func(t *testing.T) {
		srv := gametest.Start(t, gametest.Options{})
		made := 0
		for ; made < 1000; made++ {
			r, _, code := enter(t, ctx, srv, "", create)
			r.Close()
			if code == protocol.ErrRateLimited {
				break
			}
			if code != "" {
				t.Fatalf("room %d: %q", made+1, code)
			}
		}
		t.Logf("one address made %d rooms before it was told rate-limited", made)
		if made == 1000 || made > 120 {
			t.Fatalf("one address made %d rooms", made)
		}
		if _, _, code := enter(t, ctx, srv, "127.0.0.2", create); code != "" {
			t.Fatalf("another address was refused: %q", code)
		}
	})

	t.Run("rooms nobody played in go early", func(t *testing.T) {
		srv := gametest.Start(t, gametest.Options{
			Room:   room.Config{Tick: 20 * time.Millisecond, LobbyWindow: 300 * time.Millisecond, Window: time.Hour},
			Places: place.Options{OpenPerAddress: 5, CreateBurst: 100},
		})
		for i := range 5 {
			r, _, code := enter(t, ctx, srv, "", create)
			if code != "" {
				t.Fatalf("room %d: %q", i+1, code)
			}
			r.Close()
		}
		if _, _, code := enter(t, ctx, srv, "", create); code != protocol.ErrRateLimited {
			t.Fatalf("a sixth open room: %q", code)
		}
		// A room whose host stays, and one in which a player took part,
		// are kept.
		_, kept, code := enter(t, ctx, srv, "127.0.0.2", create)
		if code != "" {
			t.Fatal(code)
		}
		played, pw, code := enter(t, ctx, srv, "127.0.0.3", create)
		if code != "" {
			t.Fatal(code)
		}
		_, yw, code := enter(t, ctx, srv, "127.0.0.3", protocol.Hello{Want: protocol.WantJoin, Code: pw.Code, Lang: "fi"})
		if code != "" {
			t.Fatal(code)
		}
		if ack := played.Act(ctx, 1, rules.Action{Kind: rules.ActAdmit, Seat: yw.Seat}); ack.Code != "" {
			t.Fatal(ack.Code)
		}
		played.Close()
		began := time.Now()
		for srv.Hub.Rooms() != 2 {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("%d rooms left after %v", srv.Hub.Rooms(), time.Since(began))
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, code := range []string{kept.Code, pw.Code} {
			if _, ok := srv.Hub.Views(ctx, code); !ok {
				t.Fatalf("room %s was erased", code)
			}
		}
		if _, _, code := enter(t, ctx, srv, "", create); code != "" {
			t.Fatalf("the address has its rooms back: %q", code)
		}
	})
}

// TestFloodingWithReconnectsStaysWithinTheAllowance: a seat that floods
// and connects again after every burst gets no more actions evaluated than
// its allowance (20 a second, bursts of 40), however often it reconnects,
// and it may not reconnect as often as it likes either.
func TestFloodingWithReconnectsStaysWithinTheAllowance(t *testing.T) {
	var evaluated atomic.Int64
	srv := gametest.Start(t, gametest.Options{Acted: func(string, rules.SeatID, uint64) { evaluated.Add(1) }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, hw := hostRoom(t, ctx, srv)
	h.Close()
	const flood = 3 * time.Second
	began := time.Now()
	id := uint64(0)
	conns, refused := 0, 0
	for time.Since(began) < flood {
		r, _, code := enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantResume, Token: hw.Token})
		if code != "" {
			// Let go at once, as a client turned away does, and knock
			// again a millisecond later (a thousand times the allowance):
			// kept open, and as fast as the loop goes, the refused ran the
			// test process (client and server) out of files.
			r.Close()
			if code != protocol.ErrRateLimited {
				t.Fatalf("resume: %q", code)
			}
			refused++
			time.Sleep(time.Millisecond)
			continue
		}
		conns++
		for range 100 {
			id++
			if r.Send(ctx, protocol.Act{ID: id, Action: rules.Action{Kind: rules.ActLock, On: id%2 == 0}}) != nil {
				break
			}
		}
		r.Close()
	}
	took := time.Since(began)
	// What is on its way is evaluated soon; the allowance is spent by then.
	time.Sleep(200 * time.Millisecond)
	got := evaluated.Load()
	allowed := 40 + int64(20*took.Seconds()) + 2
	t.Logf("%d actions sent over %d connections in %v (%d reconnections refused); %d evaluated, the allowance is %d",
		id, conns, took.Round(time.Millisecond), refused, got, allowed)
	// At least half the burst, so that the flood was measured at all: what
	// a connection closed right after its burst left in the room's inbox is
	// not evaluated once the seat's next connection has taken its place (39
	// of 40 now and then).
	if got > allowed || got < 20 {
		t.Fatalf("%d actions evaluated in %v: the allowance is %d, and its burst of 40 is the seat's", got, took, allowed)
	}
	if refused == 0 || conns > place.ReattachBurst+int(took/place.ReattachEvery)+1 {
		t.Fatalf("the seat reconnected %d times (%d refused)", conns, refused)
	}
}

// TestKnockingAndLeavingNeverShutsTheDoor: knocks that go away free their
// places at once, however many come and go; one address never holds every
// place at the door; the host can send everyone knocking away.
func TestKnockingAndLeavingNeverShutsTheDoor(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, hw := hostRoom(t, ctx, srv)
	knock := protocol.Hello{Want: protocol.WantJoin, Code: hw.Code, Lang: "fi"}
	// Knock and leave, far more often than a room has seats, from many
	// addresses.
	knocking := func() int {
		views, _ := srv.Hub.Views(ctx, hw.Code)
		n := 0
		for _, s := range views[0].Seats {
			if s.Status == rules.Knocking {
				n++
			}
		}
		return n
	}
	for i := range 2 * rules.MaxSeats {
		r, _, code := enter(t, ctx, srv, addr(1, i%300), knock)
		if code != "" {
			t.Fatalf("knock %d: %q", i+1, code)
		}
		r.Close()
		// The room hears of the knock going in a moment (a loaded
		// machine can take a while).
		for deadline := time.Now().Add(5 * time.Second); knocking() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	// The young person knocks, and gets in.
	_, yw, code := enter(t, ctx, srv, "127.0.0.2", knock)
	if code != "" {
		t.Fatalf("the young person at the door: %q", code)
	}
	views, _ := srv.Hub.Views(ctx, hw.Code)
	n := knocking()
	if n != 1 || len(views) > 10 {
		t.Fatalf("the host sees %d knocking, the room has %d seats", n, len(views))
	}

	// One address knocks and stays, as often as it may.
	stayed := stays(t, ctx, srv, "127.0.0.9", knock, rules.MaxKnocking)
	if stayed >= rules.MaxKnocking-1 {
		t.Fatalf("one address holds %d of the %d places at the door", stayed, rules.MaxKnocking)
	}
	// Someone else still knocks.
	if _, _, code := enter(t, ctx, srv, "127.0.0.3", knock); code != "" {
		t.Fatalf("a knock from elsewhere: %q", code)
	}
	// The host (back on a connection of its own: this one read nothing
	// of all that knocking) clears the door.
	h.Close()
	h, _, code = enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantResume, Token: hw.Token})
	if code != "" {
		t.Fatal(code)
	}
	if ack := h.Act(ctx, 1, rules.Action{Kind: rules.ActClearKnocks}); ack.Code != "" {
		t.Fatal(ack.Code)
	}
	if _, _, code := enter(t, ctx, srv, "127.0.0.2", knock); code != "" {
		t.Fatalf("knocking again after the door was cleared: %q", code)
	}
	_ = yw
}

// TestSpectatorsWhoLeaveFreeTheirPlaces: watchers who come and go never fill
// the audience; one address never holds all of it; the host can close the
// door to spectators and change the code.
func TestSpectatorsWhoLeaveFreeTheirPlaces(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h, hw := hostRoom(t, ctx, srv)
	watch := protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch, Lang: "fi"}
	for i := range rules.MaxSpectators + 50 {
		r, _, code := enter(t, ctx, srv, addr(2, i%100), watch)
		if code != "" {
			t.Fatalf("watcher %d: %q", i+1, code)
		}
		r.Close()
	}
	if _, _, code := enter(t, ctx, srv, "127.0.0.2", watch); code != "" {
		t.Fatalf("the projector: %q", code)
	}
	// One address watches and stays as often as it may: a classroom of 60
	// phones does, an attacker cannot take the whole audience.
	stayed := stays(t, ctx, srv, "127.0.0.9", watch, rules.MaxSpectators)
	if stayed < 60 || stayed >= rules.MaxSpectators-1 {
		t.Fatalf("one address holds %d places in the audience", stayed)
	}

	// The host (back on a connection of its own: this one read nothing of
	// the audience coming and going) closes the door, opens it, and makes
	// a new code.
	h.Close()
	h, _, code := enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantResume, Token: hw.Token})
	if code != "" {
		t.Fatal(code)
	}
	h.Act(ctx, 1, rules.Action{Kind: rules.ActLockWatch, On: true})
	if _, _, code := enter(t, ctx, srv, "127.0.0.3", watch); code != rules.ErrRoomLocked {
		t.Fatalf("a spectator at a closed door: %q", code)
	}
	h.Act(ctx, 2, rules.Action{Kind: rules.ActLockWatch, On: false})
	if err := h.Send(ctx, protocol.Act{ID: 3, Action: rules.Action{Kind: rules.ActNewWatch}}); err != nil {
		t.Fatal(err)
	}
	n := h.Until(ctx, "the new code", func(m protocol.Message) bool {
		n, ok := m.(protocol.Notice)
		return ok && n.Kind == protocol.NoticeWatch
	}).(protocol.Notice)
	if n.Text == "" || n.Text == hw.Watch {
		t.Fatalf("new code %q", n.Text)
	}
	if _, _, code := enter(t, ctx, srv, "127.0.0.3", watch); code != protocol.ErrNoRoom {
		t.Fatalf("the old code: %q", code)
	}
	if _, _, code := enter(t, ctx, srv, "127.0.0.3", protocol.Hello{Want: protocol.WantWatch, Code: n.Text, Lang: "fi"}); code != "" {
		t.Fatalf("the new code: %q", code)
	}
	// A host who comes back is told the new code.
	h.Close()
	_, back, code := enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantResume, Token: hw.Token})
	if code != "" || back.Watch != n.Text {
		t.Fatalf("the host back: %q, code %q", code, back.Watch)
	}
}

// TestAKnockOrSpectatorThatComesBackGetsAPlaceAgain: someone at the door or
// in the audience whose connection drops is gone at once, and comes back
// with the token they have, as a new knock or a new spectator.
func TestAKnockOrSpectatorThatComesBackGetsAPlaceAgain(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, hw := hostRoom(t, ctx, srv)
	for _, h := range []protocol.Hello{
		{Want: protocol.WantJoin, Code: hw.Code, Nick: "Nuori", Lang: "sv"},
		{Want: protocol.WantWatch, Code: hw.Watch, Lang: "en"},
	} {
		r, w, code := enter(t, ctx, srv, "", h)
		if code != "" {
			t.Fatal(code)
		}
		r.Close()
		var mu sync.Mutex
		var back protocol.Welcome
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			views, _ := srv.Hub.Views(ctx, hw.Code)
			if len(views) <= int(w.Seat) || views[0].Seat(w.Seat) == nil {
				break // gone
			}
			if time.Now().After(deadline) {
				t.Fatal("the seat stayed after its connection went")
			}
		}
		_, back, code = enter(t, ctx, srv, "", protocol.Hello{Want: protocol.WantResume, Token: w.Token})
		mu.Lock()
		if code != "" || back.Role != w.Role {
			t.Fatalf("back with the token: %q, %+v", code, back)
		}
		mu.Unlock()
		views, _ := srv.Hub.Views(ctx, hw.Code)
		if me := views[back.Seat].Seat(back.Seat); me == nil || me.Lang != h.Lang || (h.Nick != "" && me.Nick != h.Nick) {
			t.Fatalf("the new seat: %+v", me)
		}
	}
}
