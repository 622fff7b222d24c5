package room

import (
	"sync/atomic"
	"time"
)

// Stats are running counts for metrics. Everything here is an atomic add on
// the hot path; package metrics reads them when scraped.
// Connections and frames are counted by the directory (place.Stats), for
// every kind of place.
type Stats struct {
	rooms    atomic.Int64
	actions  atomic.Int64 // actions applied or refused
	unlogged atomic.Int64 // log entries not yet written: the log's lag
	lost     atomic.Int64 // rooms let go: another node owns them now, or the lease lapsed

	actLatency  Histogram // from an action's frame being read to every frame it caused being queued
	saveLatency Histogram // one snapshot written to the store
	logLag      Histogram // from the oldest entry of a log write being noted to the write being stored
}

// Counts is a copy of the stats at one moment.
type Counts struct {
	Rooms, Conns, In, Actions, Out, Slow int64
	Unlogged                             int64 // log entries not yet written: the log's lag
	Lost                                 int64 // rooms let go: another node owns them now, or the lease lapsed
}

// Counts returns the hub's running counts, with the connections and frames
// of its directory's places.
func (h *Hub) Counts() Counts {
	s, p := &h.stats, h.places.Counts()
	return Counts{
		Rooms: s.rooms.Load(), Conns: p.Conns, In: p.In, Actions: s.actions.Load(),
		Out: p.Out, Slow: p.Slow, Unlogged: s.unlogged.Load(), Lost: s.lost.Load(),
	}
}

// ActionLatency returns how long actions took inside the server: from the
// frame's read to the last frame it caused (updates and the ack) being queued
// for its connections.
func (h *Hub) ActionLatency() HistogramCounts { return h.stats.actLatency.Counts() }

// SaveLatency returns how long room snapshots took to write.
func (h *Hub) SaveLatency() HistogramCounts { return h.stats.saveLatency.Counts() }

// LogLag returns how long the rooms' log entries waited to be stored: from
// the oldest entry of each write being noted to the write being done. A
// crash loses about this much of a game.
func (h *Hub) LogLag() HistogramCounts { return h.stats.logLag.Counts() }

// Bounds are the histograms' upper bucket bounds, from 25 µs to 2.5 s.
var Bounds = [...]time.Duration{
	25 * time.Microsecond, 50 * time.Microsecond, 100 * time.Microsecond, 250 * time.Microsecond,
	500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond,
}

// Histogram counts durations into the buckets of Bounds, lock-free.
type Histogram struct {
	buckets [len(Bounds) + 1]atomic.Uint64 // the last one is +Inf
	sum     atomic.Int64                   // nanoseconds
}

// Observe counts one duration.
func (h *Histogram) Observe(d time.Duration) {
	i := 0
	for i < len(Bounds) && d > Bounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sum.Add(int64(d))
}

// HistogramCounts is a histogram at one moment: Buckets[i] counts the
// durations up to Bounds[i] (not cumulative); the last one counts the rest.
type HistogramCounts struct {
	Buckets [len(Bounds) + 1]uint64
	Sum     time.Duration
}

// Count is how many durations were observed.
func (c HistogramCounts) Count() uint64 {
	var n uint64
	for _, b := range c.Buckets {
		n += b
	}
	return n
}

// Counts returns the histogram's counts.
func (h *Histogram) Counts() HistogramCounts {
	var c HistogramCounts
	for i := range h.buckets {
		c.Buckets[i] = h.buckets[i].Load()
	}
	c.Sum = time.Duration(h.sum.Load())
	return c
}
