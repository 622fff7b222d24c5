package conn_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// A spectator that stops reading while its room is busy is dropped within
// seconds, and the frames waiting for it never take more than a bounded
// amount of the server's memory.
func TestClientThatStopsReadingIsDropped(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx := testCtx(t, 60*time.Second)
	h, hw := host(t, ctx, srv)

	// The non-reader: it takes its seat, reads its welcome and snapshot,
	// and then never reads again. Its receive window is small, as a
	// client's is once its kernel stops taking data: what the server can
	// see of a client that stops reading is its send buffer filling. (A
	// client whose kernel goes on buffering costs the server nothing but
	// bandwidth; when it falls silent too, the heartbeat drops it.)
	slow := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{RecvBuffer: 4 << 10})
	sw, code := slow.Hello(ctx, protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch})
	if code != "" {
		t.Fatalf("watch: %s", code)
	}
	slow.Until(ctx, "the snapshot", func(m protocol.Message) bool { _, ok := m.(protocol.Snapshot); return ok })

	// The host notices the drop: a spectator who goes frees their place at
	// once (earlier, the seat went offline and waited for the window).
	dropped := make(chan time.Time, 1)
	go func() {
		for {
			m, err := h.Recv(ctx)
			if err != nil {
				return
			}
			if u, ok := m.(protocol.Update); ok {
				for _, e := range u.Events {
					if e.Seat == sw.Seat && (e.Kind == rules.EvGone || e.Kind == rules.EvPresence && !e.On) {
						dropped <- time.Now()
						return
					}
				}
			}
		}
	}()

	// The room is busy: spectators switch their language back and forth
	// at a pace under the rate limit, and everyone hears of it.
	busyCtx, stop := context.WithCancel(ctx)
	defer stop()
	var busy sync.WaitGroup
	for range 20 {
		r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
		if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch}); code != "" {
			t.Fatalf("watch: %s", code)
		}
		busy.Add(2)
		go func() {
			defer busy.Done()
			for busyCtx.Err() == nil {
				if _, err := r.Recv(busyCtx); err != nil {
					return
				}
			}
		}()
		go func() {
			defer busy.Done()
			defer r.Close()
			for id := uint64(1); busyCtx.Err() == nil; id++ {
				lang := []string{"sv", "fi"}[id%2]
				if r.Send(busyCtx, protocol.Act{ID: id, Action: rules.Action{Kind: rules.ActLanguage, Lang: lang}}) != nil {
					return
				}
				time.Sleep(60 * time.Millisecond)
			}
		}()
	}

	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	start := time.Now()
	var peak uint64
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var at time.Time
wait:
	for {
		select {
		case at = <-dropped:
			break wait
		case <-tick.C:
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		case <-ctx.Done():
			t.Fatalf("the non-reader was not dropped in %v", time.Since(start))
		}
	}
	stop()
	busy.Wait()
	took := at.Sub(start)
	growth := int64(peak) - int64(base.HeapAlloc)
	t.Logf("dropped after %v; heap %d KiB before, peak growth %d KiB; %d frames queued to clients, %d slow drops",
		took.Round(time.Millisecond), base.HeapAlloc>>10, growth>>10, srv.Hub.Counts().Out, srv.Hub.Counts().Slow)
	if took > 10*time.Second {
		t.Errorf("the non-reader was dropped only after %v", took)
	}
	if growth > 4<<20 {
		t.Errorf("the heap grew by %d KiB while the non-reader was flooded", growth>>10)
	}
}
