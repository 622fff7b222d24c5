package workshop

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Member is a connection's hold on its place in a workshop (a room.Handle).
// The connection's reader calls it; everything it does goes through the
// workshop's inbox.
type Member struct {
	w        *Workshop
	id       int // the place: 0 for the trainer
	peer     room.Peer
	seen     atomic.Int64 // unix nanoseconds of the last frame from the client
	detached atomic.Bool  // the workshop no longer sends to this member
}

// Touch notes that the client said something.
func (m *Member) Touch(now time.Time) { m.seen.Store(now.UnixNano()) }

// Seen returns when the client last said something.
func (m *Member) Seen() time.Time { return time.Unix(0, m.seen.Load()) }

// Detached reports whether the workshop has let go of this member.
func (m *Member) Detached() bool { return m.detached.Load() }

// Act answers a game action: in a workshop there is no table to act at
// until one's seat in a room is taken.
func (m *Member) Act(_ context.Context, a protocol.Act) error {
	if b, err := protocol.Encode(protocol.Ack{ID: a.ID, Code: rules.ErrNotAllowed}); err == nil {
		m.peer.Send(b)
	}
	return nil
}

// Train hands a trainer's command to the workshop. It waits while the
// workshop's inbox is full.
func (m *Member) Train(ctx context.Context, t protocol.Train) error {
	select {
	case m.w.inbox <- train{m: m, cmd: t}:
		return nil
	case <-m.w.done:
		return context.Canceled
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Leave tells the workshop that the connection has ended.
func (m *Member) Leave() {
	select {
	case m.w.inbox <- leave{m: m}:
	case <-m.w.done:
	}
}
