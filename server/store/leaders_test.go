package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pore/elamanipeli/server/node"
)

// TestWhatWasAnsweredSurvivesLeaderChangesAndATakeOver: on a service of
// three nodes, a room's owner appends to its log and saves its snapshot
// while JetStream's leaders of the log, the rooms' bucket and the owners'
// bucket step down, and another node takes the room over just after.
// Whatever the owner was told was kept (an append or a save answered
// without an error) is in what the new owner finds; nothing the old owner
// appends after the takeover lands after the new owner's first message;
// and the room, erased, leaves nothing, though a read of the rooms' bucket
// may come from a replica a moment behind (an erasure once failed on that,
// "no message found", and left the room's key and snapshot for good). The
// conditions of TestServiceOfThreeSurvivesACrashADeployAndAPause (leaders
// elected again and again), on the store alone.
func TestWhatWasAnsweredSurvivesLeaderChangesAndATakeOver(t *testing.T) {
	if testing.Short() {
		t.Skip("three clustered nodes")
	}
	stores := cluster3(t)
	a, b := stores[0], stores[1]
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// A leader of the log, the rooms' bucket or the owners' bucket steps
	// down.
	steps := 0
	stepDown := func() {
		name := []string{logStream, "KV_" + DefaultBucket, "KV_owners"}[rand.IntN(3)]
		if _, err := stores[rand.IntN(3)].n.Conn().Request("$JS.API.STREAM.LEADER.STEPDOWN."+name, nil, 2*time.Second); err == nil {
			steps++
		}
	}

	nodes, err := b.n.JetStream().KeyValue(ctx, "nodes")
	must(t, err)
	for round := range 4 {
		room := fmt.Sprintf("ROOM%d", round)
		var ca *Claim
		err := a.n.Retry(ctx, func(ctx context.Context) error {
			var err error
			ca, err = a.Create(ctx, room, []byte("0"))
			if err != nil {
				room += "+" // a try whose answer was lost may have made it
			}
			return err
		})
		must(t, err)

		// The owner appends entry after entry, one at a time as a room
		// does, and saves every few entries beside the appends.
		var mu sync.Mutex
		answered := map[uint64]bool{} // entries whose append was answered
		saved := uint64(0)            // the highest save answered
		var saving sync.WaitGroup
		written := make(chan error, 1)
		go func() {
			for n := uint64(1); ; n++ {
				err := ca.Log(ctx, []byte("a "+strconv.FormatUint(n, 10)), n)
				if err != nil {
					written <- err
					return
				}
				mu.Lock()
				answered[n] = true
				mu.Unlock()
				if n%7 == 0 {
					saving.Add(1)
					go func() {
						defer saving.Done()
						sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
						defer scancel()
						if ca.Save(sctx, []byte(strconv.FormatUint(n, 10)), n) == nil {
							mu.Lock()
							saved = max(saved, n)
							mu.Unlock()
						}
					}()
				}
			}
		}()

		// Meanwhile leaders step down, twice, and then a's lease goes (as
		// a paused node's would) and b takes the room over, as the last
		// leader is elected and its replicas catch up. (One election at a
		// time: on two busy cores, with a leader stepping down every
		// second or two, the store stalled for a minute and more.)
		for range 2 {
			time.Sleep(time.Duration(500+rand.IntN(1000)) * time.Millisecond)
			stepDown()
		}
		dctx, dcancel := context.WithTimeout(ctx, 20*time.Second)
		err = b.n.Retry(dctx, func(ctx context.Context) error { return nodes.Delete(ctx, "a") })
		dcancel()
		if err != nil {
			t.Fatalf("round %d: a's lease not taken: %v", round, err)
		}
		cb, k := takeOver(ctx, t, b, room)
		if err := <-written; !errors.Is(err, ErrFenced) {
			t.Fatalf("round %d: a's appends ended with %v, want ErrFenced", round, err)
		}
		saving.Wait()

		// What b found: the snapshot's entries, then the log's after them.
		has := map[uint64]bool{}
		snap, _ := strconv.ParseUint(string(k.Snapshot), 10, 64)
		for _, batch := range k.Log {
			has[batch.Last] = true
		}
		mu.Lock()
		for n := range answered {
			if n > snap && !has[n] {
				t.Fatalf("round %d: entry %d was answered and b found the snapshot up to %d and the log %v", round, n, snap, lasts(k.Log))
			}
		}
		if saved > snap && !has[saved] {
			t.Fatalf("round %d: a save up to %d was answered and b found the snapshot up to %d", round, saved, snap)
		}
		last := uint64(len(answered))
		mu.Unlock()

		// b writes on; a third reader finds nothing of a's after b's.
		next := max(snap, lastEntry(k.Log)) + 1
		must(t, cb.Log(ctx, []byte("b "+strconv.FormatUint(next, 10)), next))
		must(t, cb.Release(ctx))
		cc, kc := takeOver(ctx, t, stores[2], room)
		if n := len(kc.Log); n == 0 || string(kc.Log[n-1].Data) != "b "+strconv.FormatUint(next, 10) {
			t.Fatalf("round %d: after b's append the log ends %v", round, lasts(kc.Log))
		}
		must(t, cc.s.node.Retry(ctx, cc.Erase))
		if left := remains(t, cc); len(left) > 0 {
			t.Fatalf("round %d: the room was erased and its store keeps %v", round, left)
		}
		t.Logf("round %d: %d entries answered, a snapshot up to %d answered (b found %d), %d in b's log", round, last, saved, snap, len(k.Log))
	}
	if steps == 0 {
		t.Fatal("no leader stepped down")
	}
	t.Logf("%d leaders stepped down", steps)
}

// takeOver takes room over on s, trying again until ctx ends. Each try
// has a few seconds: a request that reaches a stream while it elects a
// leader is never answered.
func takeOver(ctx context.Context, t *testing.T, s kept, room string) (*Claim, Kept) {
	t.Helper()
	tries := map[string]int{}
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, k, err := s.TakeOver(tctx, room)
		cancel()
		if err == nil {
			return c, k
		}
		tries[err.Error()]++
		if ctx.Err() != nil {
			t.Fatalf("%s never took %s over: %v", s.n.Name(), room, tries)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// remains lists what the stream leaders still hold of c's room: its key,
// its snapshot, its log.
func remains(t testing.TB, c *Claim) map[string]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	left := map[string]uint64{}
	for _, key := range []string{keyKey(c.name), snapKey(c.name)} {
		n, err := c.s.left(ctx, key)
		must(t, err)
		if n > 0 {
			left[key] = n
		}
	}
	if n := logged(t, c); n > 0 {
		left["log"] = n
	}
	return left
}

func lasts(log []Batch) []uint64 {
	var out []uint64
	for _, b := range log {
		out = append(out, b.Last)
	}
	return out
}

// cluster3 starts three nodes of one service on loopback, their embedded
// NATS servers clustered (everything kept three times), and opens a store
// on each: a, b and c.
func cluster3(t *testing.T) []kept {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "service.key")
	var addrs []string
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	stores := make([]kept, 3)
	var wg sync.WaitGroup
	var failed sync.Once
	var failure string
	for i, name := range []string{"a", "b", "c"} {
		var routes []string
		for j, addr := range addrs {
			if j != i {
				routes = append(routes, "nats://"+addr)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					failed.Do(func() { failure = fmt.Sprint(r) })
				}
			}()
			stores[i] = openWith(&fatalPanics{t}, node.Options{Name: name, Dir: filepath.Join(dir, name), Cluster: addrs[i], Routes: routes}, keyFile)
		}()
	}
	wg.Wait()
	if failure != "" {
		t.Fatal(failure)
	}
	return stores
}

// fatalPanics lets a helper that calls Fatal run on a goroutine of its own:
// it panics instead, and cluster3 reports it.
type fatalPanics struct{ *testing.T }

func (f *fatalPanics) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
