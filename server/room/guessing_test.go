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
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// hello dials from addr, says hello and returns the answer: "" for a
// welcome, or the error's code. The connection stays open until the test
// ends.
func hello(t *testing.T, ctx context.Context, srv *gametest.Server, from string, h protocol.Hello) (protocol.Welcome, rules.Code) {
	t.Helper()
	r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{From: from})
	return r.Hello(ctx, h)
}

// wrongCode returns a well-formed room code that no room has.
func wrongCode(srv *gametest.Server, i int) string {
	return fmt.Sprintf("%c%c%c%c%c%c", place.CodeAlphabet[i%22], place.CodeAlphabet[i/22%22], 'X', 'X', 'X', place.CodeAlphabet[i/484%22])
}

// Wrong codes from one address are slowed to the configured pace, and once
// its allowance is used up the address learns nothing more: a room's right
// code gets the same answer as a wrong one. Other addresses are not
// affected, and token holders always come back.
func TestGuessingCodesIsSlowed(t *testing.T) {
	const burst, refill = 10, 300 * time.Millisecond
	srv := gametest.Start(t, gametest.Options{Places: place.Options{FailedJoins: burst, FailRefill: refill}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const guesser, other, trainer = "127.0.0.2", "127.0.0.3", "127.0.0.4"
	hw, code := hello(t, ctx, srv, trainer, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatal(code)
	}

	for i := range burst {
		if _, code := hello(t, ctx, srv, guesser, protocol.Hello{Want: protocol.WantJoin, Code: wrongCode(srv, i)}); code != protocol.ErrNoRoom {
			t.Fatalf("guess %d: %q, want %q", i, code, protocol.ErrNoRoom)
		}
	}
	tests := []struct {
		name string
		from string
		h    protocol.Hello
		want rules.Code
	}{
		{"the guesser's next wrong code", guesser, protocol.Hello{Want: protocol.WantJoin, Code: wrongCode(srv, 99)}, protocol.ErrRateLimited},
		{"the guesser hits a room's code", guesser, protocol.Hello{Want: protocol.WantJoin, Code: hw.Code}, protocol.ErrRateLimited},
		{"the guesser hits a spectator code", guesser, protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch}, protocol.ErrRateLimited},
		{"the guesser tries a token", guesser, protocol.Hello{Want: protocol.WantResume, Token: "AAAAAAAAAAAAAAAAAAAAAA"}, protocol.ErrBadToken},
		{"the guesser holds a seat's token", guesser, protocol.Hello{Want: protocol.WantResume, Token: hw.Token}, ""},
		{"another address's wrong code", other, protocol.Hello{Want: protocol.WantJoin, Code: wrongCode(srv, 99)}, protocol.ErrNoRoom},
		{"another address's right code", other, protocol.Hello{Want: protocol.WantJoin, Code: hw.Code, Lang: "fi"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, code := hello(t, ctx, srv, tt.from, tt.h); code != tt.want {
				t.Fatalf("%q, want %q", code, tt.want)
			}
		})
	}

	// The allowance comes back at one guess per refill.
	var allowed int
	start := time.Now()
	for time.Since(start) < 5*refill {
		if _, code := hello(t, ctx, srv, guesser, protocol.Hello{Want: protocol.WantJoin, Code: wrongCode(srv, 200+allowed)}); code == protocol.ErrNoRoom {
			allowed++
		}
		time.Sleep(refill / 10)
	}
	if allowed < 3 || allowed > 7 {
		t.Fatalf("%d guesses got through in %v at one per %v", allowed, time.Since(start).Round(time.Millisecond), refill)
	}
}

// A classroom shares one address: sixty devices join their trainers' rooms
// while someone in the same class guesses codes, and none of them is held
// back; the guesser is.
func TestClassroomBehindOneAddressJoinsWhileAGuesserIsSlowed(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{}) // the defaults: 10 wrong codes, then one a 6 s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const school, elsewhere = "127.0.0.1", "127.0.0.9"

	// A room hosted from elsewhere, which nobody at the school is in.
	far, code := hello(t, ctx, srv, elsewhere, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatal(code)
	}
	// Ten trainers' rooms, hosted at the school.
	const rooms, devices = 10, 60
	codes := make([]string, rooms)
	for i := range codes {
		w, code := hello(t, ctx, srv, school, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
		if code != "" {
			t.Fatal(code)
		}
		codes[i] = w.Code
	}

	// The guesser uses up the school's allowance first, and goes on.
	var guesses, limited, hits atomic.Int64
	guessCtx, stop := context.WithCancel(ctx)
	var guessing sync.WaitGroup
	guessing.Add(1)
	go func() {
		defer guessing.Done()
		for i := 0; guessCtx.Err() == nil; i++ {
			c := wrongCode(srv, i)
			if i%5 == 4 && limited.Load() > 0 {
				c = far.Code // now and then the right code of a room elsewhere
			}
			r, _, err := gametest.Dial(t, guessCtx, srv.WS, gametest.DialOptions{From: school})
			if err != nil {
				return
			}
			r.Send(guessCtx, protocol.Hello{V: protocol.Version, Want: protocol.WantJoin, Code: c, Lang: "fi"})
			m, err := r.Recv(guessCtx)
			r.Close()
			if err != nil {
				return
			}
			guesses.Add(1)
			switch m := m.(type) {
			case protocol.Error:
				if m.Code == protocol.ErrRateLimited {
					limited.Add(1)
				}
			case protocol.Welcome:
				hits.Add(1)
			}
		}
	}()
	for guesses.Load() < 20 {
		time.Sleep(5 * time.Millisecond)
	}

	// Sixty devices join, all at once.
	var joined atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, devices)
	for i := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := gametest.Dial(t, ctx, srv.WS, gametest.DialOptions{From: school})
			if err != nil {
				errs <- err.Error()
				return
			}
			if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantJoin, Code: codes[i%rooms], Lang: "fi"}); code != "" {
				errs <- string(code)
				return
			}
			joined.Add(1)
		}()
	}
	wg.Wait()
	stop()
	guessing.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a device at the school was refused: %s", e)
	}
	t.Logf("%d devices joined; the guesser made %d guesses, %d answered rate-limited, %d got in", joined.Load(), guesses.Load(), limited.Load(), hits.Load())
	if joined.Load() != devices {
		t.Fatalf("%d of %d devices joined", joined.Load(), devices)
	}
	// Ten wrong codes, and perhaps one more as the allowance refills.
	if hits.Load() > 0 || guesses.Load()-limited.Load() > 11 {
		t.Fatalf("the guesser got %d answers that were not rate-limited (%d welcomes)", guesses.Load()-limited.Load(), hits.Load())
	}
}
