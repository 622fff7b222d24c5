package room

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// A room's log is what happened to it since its snapshot, appended shortly
// after it happened: a crash loses at most the last LogEvery of a game,
// while nothing waits for the disk. Replaying the log on the snapshot gives
// the room as it was, since the rules are pure: the same actions on the
// same state give the same state.

// entry is one thing that happened to a room: a rules action applied (with
// the id of the client's action it was, if it was one), the id of a
// client's action the rules refused, a seat given, a ticket kept or
// dropped, a new spectator code. Entries are numbered from 1 in the order
// they happened; a snapshot holds the entries up to its N.
type entry struct {
	N      uint64        `msgpack:"n"`
	By     rules.SeatID  `msgpack:"b,omitempty"`
	Act    *rules.Action `msgpack:"a,omitempty"`
	Deck   *deck.Deck    `msgpack:"d,omitempty"` // an uploaded deck (Act's own is not encoded)
	ActID  uint64        `msgpack:"i,omitempty"` // seat By's client's action, evaluated
	Seat   *seatRecord   `msgpack:"s,omitempty"`
	Ticket *ticketRecord `msgpack:"t,omitempty"`
	Drop   []byte        `msgpack:"x,omitempty"` // the key of a ticket used or dropped
	Watch  string        `msgpack:"w,omitempty"`
}

// note appends e to the room's log, to be written within LogEvery.
func (r *Room) note(e entry) {
	if r.claim == nil || r.replaying {
		return
	}
	r.n++
	e.N = r.n
	b, err := msgpack.Marshal(e)
	if err != nil {
		r.logAt(zerolog.ErrorLevel).Err(err).Msg("log entry not encoded")
		return
	}
	if len(r.pending) == 0 {
		r.pendingSince = r.hub.now()
	}
	r.pending = append(r.pending, b)
	r.hub.stats.unlogged.Add(1)
	if !r.logging && !r.flushing {
		r.flushing = true
		r.k.After(r.untilFlush(), r.flush)
	}
}

// flush writes what the log is waiting for, one write at a time.
func (r *Room) flush() {
	r.flushing = false
	if r.logging || len(r.pending) == 0 || r.claim == nil {
		return
	}
	batch, err := msgpack.Marshal(r.pending)
	if err != nil {
		r.logAt(zerolog.ErrorLevel).Err(err).Msg("log not encoded")
		return
	}
	last, claim, count := r.n, r.claim, int64(len(r.pending))
	r.pending, r.logging = nil, true
	r.flightSince, r.pendingSince = r.pendingSince, time.Time{}
	finish := r.k.Await()
	claim.Append(r.work, batch, last, func(err error) {
		finish(func() { r.logged(err, last, count) })
	})
}

// logged takes the outcome of a log write of count entries, up to last.
func (r *Room) logged(err error, last uint64, count int64) {
	if err == nil && !r.flightSince.IsZero() {
		r.hub.stats.logLag.Observe(r.hub.now().Sub(r.flightSince))
	}
	r.logging = false
	r.flightSince = time.Time{}
	r.hub.stats.unlogged.Add(-count)
	if err != nil && r.work.Err() != nil {
		return // stopping, or over: what was not logged is saved, or erased
	}
	if err != nil {
		// Whether it was written or not cannot be known: the room stops
		// and comes back from what the store has, here or on another node.
		r.lost(fmt.Errorf("log: %w", err))
		return
	}
	if len(r.pending) > 0 && !r.flushing {
		r.flushing = true
		r.k.After(r.untilFlush(), r.flush)
	}
	r.kept(last)
	// What waited for the log goes on, while the log keeps up.
	for len(r.held) > 0 && !r.behind() && !r.ended {
		h := r.held[0]
		r.held = r.held[1:]
		r.act(h.m, h.a)
	}
}

// kept sends the answers held for what the store now has: every entry up
// to last.
func (r *Room) kept(last uint64) {
	done := 0
	for _, h := range r.acks {
		if h.n > last {
			break
		}
		if r.hub.keptAct != nil {
			r.hub.keptAct(r.code, h.s.id, h.ack.ID)
		}
		if r.member(h.s) == h.m {
			r.sendTo(h.s, h.ack)
		}
		done++
	}
	r.acks = append(r.acks[:0], r.acks[done:]...)
}

// behind reports whether the log lags more than LogLag: what happened
// longest ago and is not yet written happened more than LogLag ago.
func (r *Room) behind() bool {
	if r.claim == nil {
		return false
	}
	oldest := r.flightSince
	if oldest.IsZero() || !r.pendingSince.IsZero() && r.pendingSince.Before(oldest) {
		oldest = r.pendingSince
	}
	return !oldest.IsZero() && r.hub.now().Sub(oldest) > r.hub.cfg.LogLag
}

// lost stops a room that is not this node's any more (another node took it
// over, or this node's lease lapsed) or whose store failed: it writes
// nothing more, and its clients are sent to find it wherever it runs now.
func (r *Room) lost(why error) {
	if r.ended {
		return
	}
	fenced := errors.Is(why, store.ErrFenced)
	if fenced {
		r.logAt(zerolog.WarnLevel).Msg("room owned by another node now: let go")
	} else {
		r.logAt(zerolog.WarnLevel).Err(why).Msg("room let go")
	}
	if c := r.claim; c != nil {
		// The store may still name this node, alive, as the room's owner:
		// every other node would send the room's clients here, and this
		// one would wait for the room to come back. Handed back, it comes
		// back from what the store kept wherever its clients come first,
		// this node too. A claim another node has taken meanwhile is not
		// handed back (Release fails with ErrFenced), which is what a
		// fenced write mostly means; but a write of this node's own whose
		// answer was lost may have fenced the next. A store that has just
		// failed may take a while to answer again (a JetStream leader
		// being elected): Release tries again meanwhile.
		r.k.Go(func() func() {
			r.hub.handBack(context.Background(), r.id, c)
			return func() {}
		})
	}
	r.ended = true
	r.quit()
	r.claim, r.held, r.acks = nil, nil, nil
	r.hub.stats.unlogged.Add(-int64(len(r.pending)))
	r.pending = nil
	r.k.End()
	for _, s := range r.seats {
		if s != nil && r.member(s) != nil {
			r.sendTo(s, protocol.Notice{Kind: protocol.NoticeRestarting})
			r.k.Unlink(int(s.id), place.StatusServerRestart, "the room moved")
		}
	}
	r.hub.forget(r, false)
	r.hub.stats.lost.Add(1)
}

// replay brings the room up to date with an entry of its log.
func (r *Room) replay(e entry) error {
	switch {
	case e.Act != nil:
		a := *e.Act
		a.Deck = e.Deck
		next, evs, err := rules.Apply(r.state, e.By, a)
		if err != nil {
			return fmt.Errorf("room: entry %d (%v) does not apply: %w", e.N, a.Kind, err)
		}
		r.state = next
		if len(evs) > 0 {
			r.seq++
		}
		fallthrough // the client's action id, if it was one
	case e.ActID != 0:
		if s := r.seat(e.By); s != nil && e.ActID != 0 {
			s.lastAct = e.ActID
		}
	case e.Seat != nil:
		if e.Seat.ID < 0 || int(e.Seat.ID) >= rules.MaxSeats || len(e.Seat.Key) != len(place.Key{}) {
			return fmt.Errorf("room: entry %d: a seat out of range", e.N)
		}
		s := &seat{id: e.Seat.ID, lastAct: e.Seat.LastAct}
		copy(s.key[:], e.Seat.Key)
		for len(r.seats) <= int(s.id) {
			r.seats = append(r.seats, nil)
		}
		r.seats[s.id] = s
	case e.Ticket != nil:
		r.restoreTicket(*e.Ticket)
	case e.Drop != nil:
		var k place.Key
		copy(k[:], e.Drop)
		delete(r.tickets, k)
	case e.Watch != "":
		r.watch = e.Watch
	}
	r.n = e.N
	return nil
}

// untilFlush is how long what happens now waits to be written: until the
// next log tick of the room's group, when every room of the group with
// something to write writes it. The node's rooms fall into logGroups
// groups, whose ticks come every LogEvery, spread evenly over it (at a
// phase of the node's own, so that the nodes of a service do not all
// write at once either).
//
// The rooms of a group write together: their appends cross to JetStream
// and back in a few wake-ups of NATS's goroutines rather than a few for
// each room (a room of its own timer cost a workshop's load 8–17 % more
// CPU than the server before the log, one tick for all 3 %: BENCHMARKS.md,
// "Two servers side by side"). But one tick for all made a burst every
// LogEvery that held up what was sent meanwhile, on both cores: at
// 18,000 connections p99 4.9–5.9 ms, ten groups 3.6 ms ("The log's ticks
// spread").
func (r *Room) untilFlush() time.Duration {
	h := r.hub
	every := h.cfg.LogEvery
	return every - (time.Duration(h.now().UnixNano())+h.phase+r.logGroup)%every
}

// logGroups is how many groups the rooms' log ticks are spread over.
const logGroups = 10
