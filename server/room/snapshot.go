package room

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/rules"
)

// record is what a room's snapshot holds: enough to carry on after a restart.
// Tokens are kept only as hashes.
type record struct {
	ID      string         `msgpack:"id"`
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
	rec := record{ID: r.id, Code: r.code, Watch: r.watch, Seq: r.seq, State: r.state}
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
// room's actions meanwhile. A forced save waits for the one in flight, and
// writes before it returns.
func (r *Room) save(force bool) {
	if force {
		r.k.Settle()
	} else if r.saving {
		return // the room stays dirty: the next tick saves it
	}
	if !r.dirty && !force {
		return
	}
	b, err := msgpack.Marshal(r.record())
	if err != nil {
		r.log.Error().Err(err).Msg("snapshot not encoded")
		return
	}
	r.dirty, r.wrote = false, r.hub.now()
	if force {
		r.savedNow(r.write(b))
		return
	}
	r.saving = true
	r.k.Go(func() func() {
		err := r.write(b)
		return func() { r.savedNow(err) }
	})
}

// write puts a snapshot in the store.
func (r *Room) write(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	began := time.Now()
	err := r.hub.store.Save(ctx, r.id, b)
	if _, none := r.hub.store.(nopStore); !none {
		r.hub.stats.saveLatency.Observe(time.Since(began))
	}
	return err
}

// savedNow takes the outcome of the save in flight; one that failed leaves
// the room dirty, to be saved again.
func (r *Room) savedNow(err error) {
	r.saving = false
	if err != nil {
		r.log.Warn().Err(err).Msg("snapshot not saved")
		r.dirty = true
	}
}

// restoreGap is how far a restored room's sequence jumps: more updates than
// a room can make between two saves.
const restoreGap = 1 << 20

// Restore recreates the rooms a store kept, so that their clients can come
// back after a restart, and keeps rooms in st from then on (nil: the store
// given to NewHub). Run it once, in the background: the server may serve
// meanwhile, and a client whose room is not back yet waits for it (see
// Options.Store). It returns how many rooms came back.
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
	n := 0
	err := h.store.Load(ctx, func(b []byte) bool {
		var rec record
		if err := msgpack.Unmarshal(b, &rec); err != nil {
			h.log.Warn().Err(err).Msg("a stored room could not be read; forgetting it")
			return false
		}
		keep, ok := h.restore(rec)
		if ok {
			n++
		}
		return keep
	})
	if err != nil {
		return n, fmt.Errorf("room: restore: %w", err)
	}
	return n, nil
}

// restore brings one room back: its state with the bundled decks attached,
// its seats with their token hashes and last action ids, and a fresh window
// for every client to come back in. keep is false for a record that should
// be erased; ok says the room runs again.
func (h *Hub) restore(rec record) (keep, ok bool) {
	st := rec.State
	if rec.ID == "" || len(st.Seats) == 0 || st.Seats[0].Role != rules.Host || st.Phase == rules.Closed {
		return false, false
	}
	st.Attach(h.lib)
	r := newRoom(h, rec.ID, st, "")
	r.code, r.watch, r.seq = rec.Code, rec.Watch, rec.Seq
	now := h.now()
	names := []place.Name{{NS: place.ID, S: rec.ID}, {NS: place.Code, S: rec.Code}, {NS: place.Watch, S: rec.Watch}}
	for _, sr := range rec.Seats {
		if sr.ID < 0 || int(sr.ID) >= len(r.seats) || len(sr.Key) != len(place.Key{}) {
			return false, false
		}
		s := &seat{id: sr.ID, lastAct: sr.LastAct}
		copy(s.key[:], sr.Key)
		r.seats[sr.ID] = s
		r.k.SetAway(int(sr.ID), now)
		if st.Seats[sr.ID].Status != rules.Gone {
			names = append(names, place.TokenName(s.key))
		}
	}
	for _, tr := range rec.Tickets {
		if len(tr.Key) != len(place.Key{}) || len(r.tickets) >= maxTickets {
			continue
		}
		var k place.Key
		copy(k[:], tr.Key)
		r.tickets[k] = &ticket{role: tr.Role, nick: tr.Nick, lang: tr.Lang, until: time.Unix(tr.Until, 0)}
		names = append(names, place.TokenName(k))
	}
	// Nobody is connected yet.
	for _, seat := range st.Seats {
		if seat.Online {
			r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: seat.ID, On: false})
		}
	}
	// Every client that comes back starts from a fresh snapshot, and the
	// sequence jumps so that none can mistake this room's updates for the
	// ones it had before the restart: after a crash, a client may have seen
	// updates that never reached the store.
	r.seq += restoreGap
	for _, s := range r.seats {
		if s != nil {
			s.recent, s.trimmed = nil, r.seq
		}
	}
	if _, err := h.places.Add(r.k, names); errors.Is(err, place.ErrClosing) {
		return true, false // still stored, for the next start
	} else if err != nil {
		h.log.Warn().Str("room", r.id).Msg("a stored room clashes with a running one; forgetting it")
		return false, false
	}
	h.stats.rooms.Add(1)
	h.places.Run(r.k)
	r.log.Debug().Msg("room restored")
	return true, true
}
