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
	"github.com/pore/elamanipeli/shared/rules"
)

// record is what a room's snapshot holds: enough to carry on after a restart.
// Tokens are kept only as hashes.
type record struct {
	ID      string         `msgpack:"id"`
	N       uint64         `msgpack:"n,omitempty"` // the log entries it holds
	Code    string         `msgpack:"c"`
	Watch   string         `msgpack:"w"`
	Seq     uint64         `msgpack:"q"`
	State   rules.State    `msgpack:"s"`
	Seats   []seatRecord   `msgpack:"se"`
	Tickets []ticketRecord `msgpack:"ti,omitempty"`
}

// ticketRecord is a ticket of a knock or spectator that went away.
type ticketRecord struct {
	Key   []byte     `msgpack:"k"`
	Role  rules.Role `msgpack:"r"`
	Nick  string     `msgpack:"n,omitempty"`
	Lang  string     `msgpack:"l"`
	Until int64      `msgpack:"u"` // unix seconds
}

type seatRecord struct {
	ID      rules.SeatID `msgpack:"id"`
	Key     []byte       `msgpack:"k"`
	LastAct uint64       `msgpack:"a"`
}

func (r *Room) record() record {
	rec := record{ID: r.id, N: r.n, Code: r.code, Watch: r.watch, Seq: r.seq, State: r.state}
	for _, s := range r.seats {
		if s != nil {
			rec.Seats = append(rec.Seats, seatRecord{ID: s.id, Key: s.key[:], LastAct: s.lastAct})
		}
	}
	for k, t := range r.tickets {
		rec.Tickets = append(rec.Tickets, ticketRecord{Key: k[:], Role: t.role, Nick: t.nick, Lang: t.lang, Until: t.until.Unix()})
	}
	return rec
}

// save writes the room's snapshot when it changed since the last one, or
// always when force is set. Unless forced, the write goes on on a goroutine
// of its own, one at a time for each room: a store that is slow for a
// moment (thousands of rooms save in every SaveEvery) must not hold up the
// room's actions meanwhile. A forced save waits for what is in flight, and
// writes before it returns.
func (r *Room) save(force bool) {
	if r.claim == nil {
		return
	}
	if force {
		r.k.Settle()
	} else if r.saving {
		return // the room stays dirty: the next tick saves it
	}
	if r.claim == nil || !r.dirty && !force {
		return // let go of meanwhile, or nothing new
	}
	b, err := msgpack.Marshal(r.record())
	if err != nil {
		r.logAt(zerolog.ErrorLevel).Err(err).Msg("snapshot not encoded")
		return
	}
	r.dirty, r.wrote, r.savedN = false, r.hub.now(), r.n
	claim, upTo := r.claim, r.n
	if force {
		r.savedNow(r.write(claim, b, upTo), upTo)
		return
	}
	r.saving = true
	r.k.Go(func() func() {
		err := r.write(claim, b, upTo)
		return func() { r.savedNow(err, upTo) }
	})
}

// write puts a snapshot in the store.
func (r *Room) write(c Claim, b []byte, upTo uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	err := c.Save(ctx, b, upTo)
	r.hub.stats.saveLatency.Observe(time.Since(began))
	return err
}

// savedNow takes the outcome of a save of the room up to entry upTo: one
// refused because another node owns the room now lets the room go; one that
// failed otherwise leaves the room dirty, to be saved again.
func (r *Room) savedNow(err error, upTo uint64) {
	r.saving = false
	switch {
	case err == nil:
		r.kept(upTo)
	case errors.Is(err, store.ErrFenced):
		r.lost(err)
	case err != nil:
		r.logAt(zerolog.WarnLevel).Err(err).Msg("snapshot not saved")
		r.dirty = true
	}
}

// restoreGap is how far a restored room's sequence jumps: more updates than
// a room can make between two saves.
const restoreGap = 1 << 20

// Restore takes over the rooms a store kept that no live node owns, so that
// their clients can come back after a restart, and keeps rooms in st from
// then on (nil: the store given to NewHub). Run it once, in the background:
// the server may serve meanwhile, and a client whose room is not back yet
// waits for it (see Options.Store). It returns how many rooms came back.
func (h *Hub) Restore(ctx context.Context, st Store) (int, error) {
	if h.places.IsReady() {
		return 0, errors.New("room: restore: done already")
	}
	defer h.places.MarkReady()
	if st != nil {
		// No room runs yet: new ones wait for the directory to be ready,
		// restored ones start below.
		h.store = st
	}
	if h.store == nil {
		return 0, nil
	}
	ids, err := h.store.Orphans(ctx)
	if err != nil {
		return 0, fmt.Errorf("room: restore: %w", err)
	}
	n := 0
	var errs []error
	for _, id := range ids {
		if _, err := h.TakeOver(ctx, id); err == nil {
			n++
		} else if !errors.Is(err, store.ErrOwned) && !errors.Is(err, store.ErrGone) {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// TakeOver brings room id back on this node from what the store kept: its
// snapshot with the bundled decks attached, its log replayed, its seats
// with their token hashes and last action ids, and a fresh window for every
// client to come back in. store.ErrOwned: a live node owns it.
func (h *Hub) TakeOver(ctx context.Context, id string) (*Room, error) {
	claim, kept, err := h.store.TakeOver(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := h.restore(claim, kept)
	var broken brokenError
	switch {
	case errors.As(err, &broken):
		h.log.Warn().Err(err).Msg("a stored room could not be brought back; erasing it")
		claim.Erase(ctx)
		return nil, err
	case err != nil:
		// Handed back: the next client to come, here or on another node,
		// tries again.
		h.handBack(ctx, id, claim)
		return nil, err
	}
	if r == nil {
		h.handBack(ctx, id, claim) // the server is closing: the next start takes it
		return nil, store.ErrOwned
	}
	return r, nil
}

// handBack gives up a claim on room id, which does not run here: one let go
// (Room.lost), or one taken over that did not come up. Not within ctx, a
// client's, which may be what ran out (a JetStream leader being elected):
// a claim kept would leave the room owned by a node that does not run it,
// and every client of it told to wait for as long as that node lives.
// Release tries again while the store does not answer.
func (h *Hub) handBack(ctx context.Context, id string, claim Claim) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handBackWithin)
	defer cancel()
	if err := claim.Release(ctx); err != nil && !errors.Is(err, store.ErrFenced) {
		h.log.Warn().Err(err).Str("room", id).Msg("a room not run here not handed back")
	}
}

// handBackWithin bounds how long handBack tries.
const handBackWithin = 30 * time.Second

// eraseLater tries again to erase room id, whose erasure the store refused
// when the room ended (JetStream without a leader for a while, a disk that
// failed a write): after Config.EraseAgain, then twice as long each time up
// to a minute, for eraseFor at most. It stops once the store has erased it,
// once another node has taken the room (the erasure is then that node's),
// or when the server stops (its next start, or the next node to take the
// room up, finishes the erasure). Without it, on a single server an ended
// room would stay in the store until the server's next start.
func (h *Hub) eraseLater(id string, c Claim) {
	wait := h.cfg.EraseAgain
	for end := time.Now().Add(eraseFor); time.Now().Before(end); wait = min(2*wait, time.Minute) {
		time.Sleep(wait)
		if h.places.Closing() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := c.Erase(ctx)
		cancel()
		switch {
		case err == nil:
			h.log.Info().Str("room", id).Msg("room erased from the store, on a later try")
			return
		case errors.Is(err, store.ErrFenced):
			return
		}
	}
	h.log.Warn().Str("room", id).Msg("room not erased from the store; the next node to take it up (this one, at its next start) erases it")
}

// eraseFor bounds how long eraseLater tries.
const eraseFor = 10 * time.Minute

// brokenError is a room kept that cannot be brought back: its snapshot or
// log cannot be read, or it had ended. It is erased.
type brokenError struct{ error }

// restore builds a room of what the store kept and runs it; nil with no
// error when the server is closing.
func (h *Hub) restore(claim Claim, kept store.Kept) (*Room, error) {
	r, err := h.rebuild(kept)
	if err != nil {
		return nil, brokenError{err}
	}
	return h.resume(r, claim)
}

// rebuild makes the room the store kept: its snapshot, and its log after it.
func (h *Hub) rebuild(kept store.Kept) (*Room, error) {
	var rec record
	if err := msgpack.Unmarshal(kept.Snapshot, &rec); err != nil {
		return nil, fmt.Errorf("room: snapshot: %w", err)
	}
	st := rec.State
	if rec.ID == "" || len(st.Seats) == 0 || st.Seats[0].Role != rules.Host {
		return nil, errors.New("room: a snapshot without its room")
	}
	st.Attach(h.lib)
	r := newRoom(h, rec.ID, st, "")
	r.code, r.watch, r.seq, r.n = rec.Code, rec.Watch, rec.Seq, rec.N
	for _, sr := range rec.Seats {
		if err := r.replay(entry{N: r.n, Seat: &sr}); err != nil {
			return nil, err
		}
	}
	for _, tr := range rec.Tickets {
		r.restoreTicket(tr)
	}
	// What happened after the snapshot.
	for _, b := range kept.Log {
		if b.Last <= rec.N {
			continue
		}
		var raw [][]byte
		if err := msgpack.Unmarshal(b.Data, &raw); err != nil {
			return nil, fmt.Errorf("room: log: %w", err)
		}
		for _, eb := range raw {
			var e entry
			if err := msgpack.Unmarshal(eb, &e); err != nil {
				return nil, fmt.Errorf("room: log: %w", err)
			}
			if e.N <= r.n {
				continue
			}
			if err := r.replay(e); err != nil {
				return nil, err
			}
		}
	}
	if r.state.Phase == rules.Closed {
		return nil, errors.New("room: it had closed")
	}
	return r, nil
}

// resume runs a room rebuilt from the store, under claim.
func (h *Hub) resume(r *Room, claim Claim) (*Room, error) {
	r.claim = claim
	// Nobody is connected yet, and everyone has a window from now.
	now := h.now()
	names := []place.Name{{NS: place.ID, S: r.id}, {NS: place.Code, S: r.code}, {NS: place.Watch, S: r.watch}}
	for _, s := range r.seats {
		if s == nil {
			continue
		}
		r.k.SetAway(int(s.id), now)
		if r.state.Seats[s.id].Status != rules.Gone {
			names = append(names, place.TokenName(s.key))
		}
	}
	for k := range r.tickets {
		names = append(names, place.TokenName(k))
	}
	r.replaying = true // presence is not news: it is not logged
	for _, seat := range r.state.Seats {
		if seat.Online {
			r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: seat.ID, On: false})
		}
	}
	r.replaying = false
	// Every client that comes back starts from a fresh snapshot, and the
	// sequence jumps so that none can mistake this room's updates for the
	// ones it had before: after a crash, a client may have seen updates
	// that never reached the store.
	r.seq += restoreGap
	for _, s := range r.seats {
		if s != nil {
			s.recent, s.trimmed = nil, r.seq
		}
	}
	// A snapshot of the room as it is now: the log from here on is
	// written on it, not on what this node found.
	b, err := msgpack.Marshal(r.record())
	if err == nil {
		err = r.write(claim, b, r.n)
	}
	if err != nil {
		return nil, fmt.Errorf("room: taken over but not saved: %w", err)
	}
	r.dirty, r.wrote, r.savedN = false, h.now(), r.n
	if h.stats.rooms.Add(1) > int64(h.cfg.MaxRooms) {
		h.stats.rooms.Add(-1)
		return nil, nil
	}
	if _, err := h.places.Add(r.k, names); errors.Is(err, place.ErrClosing) {
		h.stats.rooms.Add(-1)
		return nil, nil
	} else if err != nil {
		h.stats.rooms.Add(-1)
		return nil, fmt.Errorf("room: it clashes with a running one: %w", err)
	}
	if h.resumed != nil {
		for _, s := range r.seats {
			if s != nil {
				h.resumed(r.code, s.id, s.lastAct)
			}
		}
	}
	h.places.Run(r.k)
	r.logAt(zerolog.DebugLevel).Msg("room restored")
	return r, nil
}

// restoreTicket brings back a ticket that has not run out.
func (r *Room) restoreTicket(tr ticketRecord) {
	if len(tr.Key) != len(place.Key{}) || len(r.tickets) >= maxTickets {
		return
	}
	var k place.Key
	copy(k[:], tr.Key)
	r.tickets[k] = &ticket{role: tr.Role, nick: tr.Nick, lang: tr.Lang, until: time.Unix(tr.Until, 0)}
}
