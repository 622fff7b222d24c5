package room

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Member is a connection's handle on its seat. The connection's reader calls
// it; everything it does goes through the room's inbox.
type Member struct {
	room     *Room
	seat     rules.SeatID
	peer     Peer
	seen     atomic.Int64 // unix nanoseconds of the last frame from the client
	detached atomic.Bool  // the room no longer sends to this member
}

// Seat returns the member's seat.
func (m *Member) Seat() rules.SeatID { return m.seat }

// Touch notes that the client said something: the connection calls it for
// every frame it reads.
func (m *Member) Touch(now time.Time) {
	m.seen.Store(now.UnixNano())
	m.room.hub.stats.in.Add(1)
}

// Seen returns when the client last said something.
func (m *Member) Seen() time.Time { return time.Unix(0, m.seen.Load()) }

// Detached reports whether the room has let go of this member.
func (m *Member) Detached() bool { return m.detached.Load() }

// Act hands an action to the room. It waits while the room's inbox is full.
func (m *Member) Act(ctx context.Context, a protocol.Act) error {
	select {
	case m.room.inbox <- act{m: m, act: a, at: m.room.hub.now()}:
		return nil
	case <-m.room.done:
		return context.Canceled
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Leave tells the room that the connection has ended.
func (m *Member) Leave() {
	if m.detached.Load() {
		select {
		case <-m.room.done:
			return
		default:
		}
	}
	select {
	case m.room.inbox <- detach{m: m}:
	case <-m.room.done:
	}
}
