package cluster

import (
	"testing"
	"time"

	"github.com/pore/elamanipeli/server/store"
)

// A room the store gives to this node and that does not run here is given
// back once it has stayed so, with the same owner entry, for the grace; a
// room that runs here, or whose entry changed, is not.
func TestStrandedRoomsAreGivenBackAfterTheGrace(t *testing.T) {
	t0 := time.Now()
	const grace = 10 * time.Second
	running := map[string]bool{"HERE": true}
	here := func(id string) bool { return running[id] }
	mine := []store.Owned{{ID: "HERE", Rev: 1}, {ID: "LOST", Rev: 2}, {ID: "MOVED", Rev: 3}}

	var s stranded
	var back []store.Owned
	s, back = s.sweep(mine, here, t0, grace)
	if len(back) != 0 || len(s) != 2 {
		t.Fatalf("first sweep: %d stranded, %v given back", len(s), back)
	}
	mine[2].Rev = 4 // taken over, say, and back here under a new entry
	s, back = s.sweep(mine, here, t0.Add(5*time.Second), grace)
	if len(back) != 0 {
		t.Fatalf("given back before the grace: %v", back)
	}
	s, back = s.sweep(mine, here, t0.Add(10*time.Second), grace)
	if len(back) != 1 || back[0].ID != "LOST" {
		t.Fatalf("after the grace, given back %v, want LOST", back)
	}
	if _, ok := s["MOVED"]; !ok || len(s) != 1 {
		t.Fatalf("stranded after the grace: %v, want MOVED still waiting", s)
	}
	mine = []store.Owned{mine[0], mine[2]} // LOST is nobody's now
	running["MOVED"] = true                // it came up here
	if s, back = s.sweep(mine, here, t0.Add(20*time.Second), grace); len(back) != 0 || len(s) != 0 {
		t.Fatalf("a room running here: %v stranded, %v given back", s, back)
	}
}
