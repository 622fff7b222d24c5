package place

import (
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/pore/elamanipeli/shared/protocol"
)

// Member is a connection's hold on its slot in a place. The connection's
// reader calls it; everything it does goes through the place's inbox.
type Member struct {
	k        *Kernel
	slot     int
	peer     Peer
	seen     atomic.Int64 // unix nanoseconds of the last frame from the client
	detached atomic.Bool  // the place no longer sends to this member
	frames   *rate.Limiter
}

// Allow reports whether the client may send another frame now: the
// allowance is its slot's, and a client that connects again starts with
// what it left.
func (m *Member) Allow() bool { return m.frames.Allow() }

// Slot returns the member's slot.
func (m *Member) Slot() int { return m.slot }

// Touch notes that the client said something: the connection calls it for
// every frame it reads.
func (m *Member) Touch(now time.Time) {
	m.seen.Store(now.UnixNano())
	if st := m.k.opt.Stats; st != nil {
		st.in.Add(1)
	}
}

// Seen returns when the client last said something.
func (m *Member) Seen() time.Time { return time.Unix(0, m.seen.Load()) }

// Detached reports whether the place has let go of this member.
func (m *Member) Detached() bool { return m.detached.Load() }

// Deliver hands a frame the client sent (an Act or a Train) to the place.
// It waits while the place's inbox is full, and fails once the place has
// stopped or ctx ends.
func (m *Member) Deliver(ctx context.Context, msg protocol.Message) error {
	return m.k.post(ctx, &envelope{kind: frameMsg, m: m, msg: msg, at: m.k.Now()})
}

// Leave tells the place that the connection has ended.
func (m *Member) Leave() {
	if m.detached.Load() && m.k.Ended() {
		return
	}
	m.k.post(context.Background(), &envelope{kind: leaveMsg, m: m}) // fails only once the place has stopped
}
