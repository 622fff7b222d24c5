package room

import "sync/atomic"

// Stats are running counts for metrics.
type Stats struct {
	rooms   atomic.Int64
	conns   atomic.Int64
	actions atomic.Int64 // actions applied or refused
	out     atomic.Int64 // frames queued to clients
	slow    atomic.Int64 // connections dropped for falling behind
}

// Counts is a copy of the stats at one moment.
type Counts struct {
	Rooms, Conns, Actions, Out, Slow int64
}

// Counts returns the hub's running counts.
func (h *Hub) Counts() Counts {
	s := &h.stats
	return Counts{Rooms: s.rooms.Load(), Conns: s.conns.Load(), Actions: s.actions.Load(), Out: s.out.Load(), Slow: s.slow.Load()}
}
