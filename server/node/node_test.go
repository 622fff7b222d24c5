package node

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// TestALeaseLostAgainIsHeardAgain: a node whose lease is taken from it
// (another node's doing, or a lapse) hears of it, takes a new lease under a
// new epoch, and hears of that one's loss too, on the new lease's own
// channel (the one the cluster's sweep waits on again once the node holds a
// lease): every loss is heard, not only the first.
func TestALeaseLostAgainIsHeardAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := Start(ctx, Options{Dir: t.TempDir(), Lease: 3 * time.Second, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	epochs := []string{n.Epoch()}
	for loss := 1; loss <= 2; loss++ {
		lost, epoch := n.Lost(), n.Epoch()
		if !n.Holds(epoch) {
			t.Fatalf("before loss %d: the node does not hold its lease", loss)
		}
		// Another node's doing: the key no longer holds this lease.
		if err := n.nodes.Delete(ctx, n.Name()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-lost:
		case <-ctx.Done():
			t.Fatalf("loss %d was not heard", loss)
		}
		if n.Holds(epoch) {
			t.Fatalf("after loss %d the node still holds the lost lease", loss)
		}
		for n.Epoch() == epoch || !n.LeaseValid() {
			if ctx.Err() != nil {
				t.Fatalf("after loss %d the node took no new lease", loss)
			}
			time.Sleep(20 * time.Millisecond)
		}
		epochs = append(epochs, n.Epoch())
	}
	if epochs[0] == epochs[2] {
		t.Fatalf("epochs %q: a lease came back under an old epoch", epochs)
	}
	for i, e := range epochs[:2] {
		if n.Holds(e) {
			t.Fatalf("the node holds lease %d (%s) again", i, e)
		}
	}
	if got := n.Stats().Losses.Load(); got < 2 {
		t.Fatalf("%d losses counted, want 2", got)
	}
	if !n.Holds(epochs[2]) {
		t.Fatal("the node does not hold its third lease")
	}
}

// lateAnswers is the nodes bucket of a node whose process pauses once,
// when armed, between the store taking a renewal and the node reading its
// answer: the answer is read after the lease has lapsed in the store.
type lateAnswers struct {
	jetstream.KeyValue
	armed    atomic.Bool
	pause    time.Duration
	answered chan struct{} // closed when the late answer is read
}

func (k *lateAnswers) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	got, err := k.KeyValue.Update(ctx, key, value, rev)
	if err == nil && k.armed.CompareAndSwap(true, false) {
		time.Sleep(k.pause)
		defer close(k.answered)
	}
	return got, err
}

// TestARenewalAnsweredAfterALapseVouchesForNothing: a renewal the store
// took before the node paused, whose answer the node reads after the pause,
// does not make the lapsed lease hold again. The store counts the lease
// from the renewal it took, and the other nodes take the node's rooms once
// it lapses; counted from the answer, the node's rooms would act under it
// for most of another lease.
func TestARenewalAnsweredAfterALapseVouchesForNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const leaseFor = 2 * time.Second
	n, err := Start(ctx, Options{Dir: t.TempDir(), Lease: leaseFor, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	// The renewing goroutine stopped, the bucket swapped, and the
	// goroutine started again.
	close(n.stop)
	<-n.done
	late := &lateAnswers{KeyValue: n.nodes, pause: leaseFor + leaseFor/2, answered: make(chan struct{})}
	late.armed.Store(true)
	n.nodes, n.stop, n.done = late, make(chan struct{}), make(chan struct{})
	epoch := n.Epoch()
	go n.renew()

	select {
	case <-late.answered:
	case <-ctx.Done():
		t.Fatal("no renewal was answered late")
	}
	// Until the next renewal finds the key gone and the node loses the
	// lease for good, the late answer must not vouch for it.
	for end := time.Now().Add(2 * n.every()); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if n.Holds(epoch) {
			t.Fatalf("a renewal answered %v late made the lapsed lease hold again", late.pause)
		}
	}
	// The node goes on under a new lease.
	for n.Epoch() == epoch || !n.LeaseValid() {
		if ctx.Err() != nil {
			t.Fatal("the node took no new lease")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
