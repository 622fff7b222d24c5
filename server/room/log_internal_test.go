package room

import (
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/shared/rules"
)

// TestLogTicksSpreadOverGroups: the rooms of a node do not all write their
// logs at the same moment; they fall into ten groups or more, none larger
// than a fifth of the rooms, whose ticks come at different moments of each
// LogEvery, and none waits longer than LogEvery.
func TestLogTicksSpreadOverGroups(t *testing.T) {
	now := time.Unix(1_764_900_000, 123_456_789)
	h := NewHub(Options{Log: zerolog.Nop(), Now: func() time.Time { return now }})
	const rooms = 2000
	at := map[time.Duration]int{}
	for i := range rooms {
		r := newRoom(h, fmt.Sprintf("room%04d", i), rules.State{}, "")
		d := r.untilFlush()
		if d <= 0 || d > h.cfg.LogEvery {
			t.Fatalf("a room writes its log in %v, want within %v", d, h.cfg.LogEvery)
		}
		at[d]++
	}
	if len(at) < 10 {
		t.Fatalf("the rooms write at %d moments of each %v, want 10 or more", len(at), h.cfg.LogEvery)
	}
	for d, n := range at {
		if n > rooms/5 {
			t.Errorf("%d rooms of %d write together, %v from now", n, rooms, d)
		}
	}
}
