package conn_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/shared/protocol"
)

// quietRooms opens n rooms on srv, each from an address of its own, and
// returns their hosts' connections, the rooms' first frames read.
func quietRooms(t *testing.T, ctx context.Context, srv *gametest.Server, n int) []*gametest.Raw {
	t.Helper()
	var rs []*gametest.Raw
	for i := range n {
		r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{From: fmt.Sprintf("127.0.%d.%d", 2+i/200, 1+i%200)})
		t.Cleanup(r.Close)
		if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}); code != "" {
			t.Fatalf("room %d: %s", i, code)
		}
		r.Until(ctx, "a snapshot", func(m protocol.Message) bool { return m.Type() == protocol.TypeSnapshot })
		rs = append(rs, r)
	}
	return rs
}

// goroutinesSettle waits until the count of goroutines stops falling and
// returns it.
func goroutinesSettle() int {
	last := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n >= last {
			return n
		}
		last = n
	}
	return last
}

// TestQuietConnectionsHoldNoGoroutine: on Linux a connection whose client
// says nothing waits with no goroutine of its own (its socket waits in an
// epoll set), where a server told to keep its readers holds one for each.
func TestQuietConnectionsHoldNoGoroutine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("connections wait without a goroutine on Linux only")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const n = 60
	grew := map[bool]int{}
	for _, keep := range []bool{true, false} {
		srv := gametest.Start(t, gametest.Options{Conn: conn.Config{KeepReaders: keep, PongAfter: answerEveryPing}})
		before := goroutinesSettle()
		rs := quietRooms(t, ctx, srv, n)
		grew[keep] = goroutinesSettle() - before
		// Each still answers.
		for i, r := range rs {
			if err := r.Send(ctx, protocol.Ping{N: uint64(i + 1)}); err != nil {
				t.Fatal(err)
			}
			r.Until(ctx, "a pong", func(m protocol.Message) bool { p, ok := m.(protocol.Pong); return ok && p.N == uint64(i+1) })
			r.Close()
		}
		srv.Stop()
	}
	t.Logf("goroutines for %d quiet connections and their rooms: %d with readers kept, %d without", n, grew[true], grew[false])
	if grew[true]-grew[false] < n*3/4 {
		t.Fatalf("quiet connections hold %d goroutines more than with their readers kept, want about %d fewer", grew[false]-grew[true], n)
	}
}

// TestQuietConnectionsAlwaysWake: clients that pause and speak again, again
// and again, with every core busy, are always answered: a connection that
// waits without a goroutine wakes for every frame, however the frame's
// arrival and the connection's going to sleep fall.
func TestQuietConnectionsAlwaysWake(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := gametest.Start(t, gametest.Options{Conn: conn.Config{PongAfter: answerEveryPing}})
	const clients = 64
	rs := quietRooms(t, ctx, srv, clients)

	// Every core busy meanwhile.
	var spin atomic.Bool
	spin.Store(true)
	defer spin.Store(false)
	for range 2 * runtime.GOMAXPROCS(0) {
		go func() {
			for x := 0; spin.Load(); x++ {
				_ = x * x
			}
		}()
	}

	// Each client pings, waits for its pong, pauses and pings again, for
	// four seconds: pauses from nothing at all (the ping lands as the
	// connection goes to sleep) to a tenth of a second, sometimes two
	// pings in one write. The pace keeps within a seat's allowance of
	// frames.
	const lasting = 4 * time.Second
	var wakes atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			n := uint64(0)
			// Frames are paid for at 55 ms each, at most 1.5 s ahead: within
			// a seat's allowance (20 a second, 40 at once).
			paid := time.Now()
			for end := time.Now().Add(lasting); time.Now().Before(end); {
				switch k := rng.IntN(8); {
				case k < 2: // at once: the ping lands as the connection goes to sleep
				case k < 4:
					time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
				default:
					time.Sleep(time.Duration(60+rng.IntN(60)) * time.Millisecond)
				}
				pings := 1 + rng.IntN(2)
				if now := time.Now(); paid.Before(now) {
					paid = now
				}
				paid = paid.Add(time.Duration(pings) * 55 * time.Millisecond)
				if ahead := time.Until(paid) - 1500*time.Millisecond; ahead > 0 {
					time.Sleep(ahead)
				}
				for range pings {
					n++
					if err := r.Send(ctx, protocol.Ping{N: n}); err != nil {
						errs <- fmt.Errorf("client %d, ping %d: %w", i, n, err)
						return
					}
				}
				wait, cancel := context.WithTimeout(ctx, 10*time.Second)
				for {
					m, err := r.Recv(wait)
					if err != nil {
						cancel()
						errs <- fmt.Errorf("client %d: no pong for ping %d: %w", i, n, err)
						return
					}
					if p, ok := m.(protocol.Pong); ok && p.N == n {
						break
					}
				}
				cancel()
				wakes.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d clients were answered %d times", clients, wakes.Load())
	if wakes.Load() < clients*10 {
		t.Fatalf("only %d answers: the test did not exercise the connections", wakes.Load())
	}
}
