package node

import (
	"context"
	"testing"
	"time"

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
