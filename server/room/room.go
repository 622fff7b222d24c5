package room

import (
	"context"
	"hash/fnv"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Room is one game room. Everything below inbox belongs to its goroutine.
type Room struct {
	hub   *Hub
	id    string // internal: for logs and the store, never shown to anyone
	code  string
	watch string
	inbox chan any
	done  chan struct{}
	log   zerolog.Logger
	over  atomic.Bool // the room has closed for good, not just stopped for a restart

	// near holds the keys of the addresses its members came from. The
	// hub's mutex guards it.
	near map[string]bool

	state  rules.State
	seq    uint64
	seats  []*seat    // by SeatID
	dirty  bool       // changed since it was last saved
	saving bool       // a save is in flight; its outcome comes on saved
	saved  chan error // capacity 1
	wrote  time.Time  // when the last snapshot was taken (zero: never)
	ended  bool       // the goroutine should stop
}

// seat is what the server keeps of a rules seat beyond the rules' state.
type seat struct {
	id      rules.SeatID
	key     tokenKey
	lastAct uint64    // newest action id evaluated for this seat
	member  *Member   // the live connection, or nil
	away    time.Time // when the connection went; zero while connected
	recent  []frame   // updates sent lately, for a client that comes back
	trimmed uint64    // updates up to this seq are no longer in recent
}

type frame struct {
	seq uint64
	b   []byte
}

// Messages a room's inbox carries.
type (
	attach struct {
		peer  Peer
		hello protocol.Hello
		reply chan attached
	}
	attached struct {
		member *Member
		code   rules.Code
	}
	act struct {
		m   *Member
		act protocol.Act
		at  time.Time // when the connection handed it on, just after reading it
	}
	detach   struct{ m *Member }
	shutdown struct{}
	upload   struct {
		key   tokenKey
		deck  *deck.Deck
		reply chan rules.Code
	}
	peek struct{ reply chan []rules.View }
)

func newRoom(h *Hub, id, code, watch string, st rules.State) *Room {
	return &Room{
		hub: h, id: id, code: code, watch: watch, state: st,
		inbox: make(chan any, h.cfg.Inbox),
		saved: make(chan error, 1),
		done:  make(chan struct{}),
		log:   h.log.With().Str("room", id).Logger(),
		seats: make([]*seat, len(st.Seats)),
	}
}

func (r *Room) run() {
	defer close(r.done)
	// Rooms tick at their own phase, spread evenly over the tick, so that
	// no moment sees many rooms saving at once: with 16 phases, a sixteenth
	// of all rooms saved in the same instant and held up the actions
	// queued meanwhile.
	h := fnv.New64a()
	h.Write([]byte(r.id))
	jitter := time.Duration(h.Sum64() % uint64(r.hub.cfg.Tick))
	t := time.NewTimer(r.hub.cfg.Tick + jitter)
	defer t.Stop()
	for !r.ended {
		select {
		case m := <-r.inbox:
			r.handle(m)
		case err := <-r.saved:
			r.savedNow(err)
		case <-t.C:
			r.tick(r.hub.now())
			t.Reset(r.hub.cfg.Tick)
		}
	}
}

func (r *Room) handle(m any) {
	switch m := m.(type) {
	case attach:
		mem, code := r.attach(m.peer, m.hello)
		m.reply <- attached{member: mem, code: code}
	case act:
		r.act(m.m, m.act)
		r.hub.stats.actLatency.Observe(r.hub.now().Sub(m.at))
	case detach:
		r.detach(m.m)
	case upload:
		m.reply <- r.upload(m.key, m.deck)
	case peek:
		views := make([]rules.View, len(r.state.Seats))
		for i := range views {
			views[i] = r.viewFor(rules.SeatID(i))
		}
		m.reply <- views
	case call: // from a workshop (gate.go)
		m(r)
	case shutdown:
		r.save(true)
		for _, s := range r.seats {
			if s != nil && s.member != nil {
				r.sendTo(s, protocol.Notice{Kind: protocol.NoticeRestarting})
				r.unlink(s, StatusServerRestart, "server restarting")
			}
		}
		r.ended = true
	}
}

// attach gives a connection its seat: a new one (create, join, watch) or the
// one its token names (resume).
func (r *Room) attach(p Peer, hello protocol.Hello) (*Member, rules.Code) {
	var s *seat
	var token string
	switch hello.Want {
	case protocol.WantCreate:
		if r.seats[0] != nil {
			return nil, protocol.ErrBusy
		}
		s, token = r.newSeat(0)
	case protocol.WantJoin, protocol.WantWatch:
		role := rules.Player
		if hello.Want == protocol.WantWatch {
			role = rules.Spectator
		}
		lang := hello.Lang
		if lang == "" {
			lang = r.state.Host().Lang
		}
		if code := r.apply(rules.System, rules.Action{Kind: rules.ActJoin, Role: role, Text: hello.Nick, Lang: lang}); code != "" {
			return nil, code
		}
		s, token = r.newSeat(rules.SeatID(len(r.state.Seats) - 1))
	case protocol.WantResume:
		k := keyOf(hello.Token)
		for _, cand := range r.seats {
			if cand != nil && cand.key == k && r.state.Seats[cand.id].Status != rules.Gone {
				s = cand
			}
		}
		if s == nil {
			return nil, protocol.ErrBadToken
		}
		r.unlink(s, StatusPolicy, "replaced by a newer connection")
	}
	if s == nil {
		return nil, protocol.ErrBusy
	}
	m := &Member{room: r, seat: s.id, peer: p}
	m.seen.Store(r.hub.now().UnixNano())
	s.member, s.away = m, time.Time{}
	welcome := protocol.Welcome{
		V: protocol.Version, Seat: s.id, Role: r.state.Seats[s.id].Role, Token: token, Code: r.code,
		LastAct: s.lastAct, Resumed: token == "",
		Window: int(r.hub.cfg.Window / time.Second), Heartbeat: int(r.hub.cfg.Heartbeat / time.Second),
	}
	if s.id == 0 {
		welcome.Watch = r.watch
	}
	r.sendTo(s, welcome)
	// A client that comes back gets what it missed, when the seat still has
	// it; anyone else starts from the whole view.
	if token == "" && hello.LastSeq > 0 && hello.LastSeq >= s.trimmed && hello.LastSeq <= r.seq {
		for _, f := range s.recent {
			if f.seq > hello.LastSeq {
				r.sendFrame(s, f.b)
			}
		}
	} else {
		r.sendTo(s, protocol.Snapshot{Seq: r.seq, View: r.viewFor(s.id)})
	}
	r.hub.stats.conns.Add(1)
	r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: s.id, On: true})
	r.log.Debug().Int("seat", int(s.id)).Bool("resumed", token == "").Msg("seat attached")
	if s.member != m { // dropped while catching up
		return nil, protocol.ErrBusy
	}
	return m, ""
}

// newSeat records a seat for id and hands out its token.
func (r *Room) newSeat(id rules.SeatID) (*seat, string) {
	token, err := newToken(r.hub.rand)
	if err != nil {
		return nil, ""
	}
	s := &seat{id: id, key: keyOf(token)}
	for len(r.seats) <= int(id) {
		r.seats = append(r.seats, nil)
	}
	r.seats[id] = s
	r.hub.addToken(s.key, r)
	r.dirty = true
	return s, token
}

// act applies an action a member asked for, once: an id the seat has had
// before is acknowledged again without applying it.
func (r *Room) act(m *Member, a protocol.Act) {
	s := r.seats[m.seat]
	if m.detached.Load() || s == nil || s.member != m {
		return
	}
	if a.ID <= s.lastAct {
		r.sendTo(s, protocol.Ack{ID: a.ID, Dup: true})
		return
	}
	s.lastAct = a.ID
	r.dirty = true
	a.Action.Deck = nil // decks arrive only by upload
	code := r.apply(m.seat, a.Action)
	r.hub.stats.actions.Add(1)
	if r.hub.acted != nil {
		r.hub.acted(r.code, m.seat, a.ID)
	}
	if s.member == m {
		r.sendTo(s, protocol.Ack{ID: a.ID, Code: code})
	}
}

// apply runs an action through the rules and tells everyone what happened.
func (r *Room) apply(by rules.SeatID, a rules.Action) rules.Code {
	next, evs, err := rules.Apply(r.state, by, a)
	if err != nil {
		code, _ := err.(rules.Code)
		return code
	}
	r.state = next
	if len(evs) == 0 {
		return ""
	}
	r.seq++
	r.dirty = true
	r.broadcast(evs)
	for _, e := range evs {
		switch e.Kind {
		case rules.EvGone:
			if s := r.seat(e.Seat); s != nil {
				if e.On && s.member != nil {
					r.sendTo(s, protocol.Error{Code: protocol.ErrRemoved})
				}
				r.unlink(s, StatusNormal, "left the room")
				r.hub.dropToken(s.key)
				s.recent = nil
			}
		case rules.EvClose:
			r.close()
		}
	}
	return ""
}

// audience groups the seats that receive the same bytes for a batch of
// events, so a frame is encoded once for all of them.
type audience struct {
	role rules.Role
	lang string
	self rules.SeatID // set when the events concern this seat in particular
}

// broadcast hands every seat its view of evs.
func (r *Room) broadcast(evs []rules.Event) {
	personal := map[rules.SeatID]bool{}
	admitted := map[rules.SeatID]bool{}
	for _, e := range evs {
		switch e.Kind {
		case rules.EvKnock, rules.EvLanguage, rules.EvGone, rules.EvJoin, rules.EvPresence:
			personal[e.Seat] = true
		}
		if e.Kind == rules.EvJoin {
			admitted[e.Seat] = true
		}
	}
	frames := map[audience][]byte{}
	for _, s := range r.seats {
		if s == nil {
			continue
		}
		st := &r.state.Seats[s.id]
		if st.Status == rules.Gone && !personal[s.id] {
			continue
		}
		if admitted[s.id] {
			r.letIn(s)
			continue
		}
		key := audience{role: st.Role, lang: st.Lang, self: rules.NoSeat}
		if personal[s.id] || st.Status == rules.Knocking {
			key.self = s.id
		}
		b, ok := frames[key]
		if !ok {
			pe := rules.Personalize(&r.state, evs, s.id)
			if st.Status == rules.Knocking {
				pe = atTheDoor(pe, s.id)
			}
			if len(pe) > 0 {
				b = r.encode(protocol.Update{Seq: r.seq, Events: pe})
			}
			frames[key] = b
		}
		if b == nil {
			continue
		}
		s.remember(frame{seq: r.seq, b: b}, r.hub.cfg.Recent)
		r.sendFrame(s, b)
	}
}

// remember keeps a frame for a client that may come back.
func (s *seat) remember(f frame, max int) {
	if len(s.recent) >= max {
		s.trimmed = s.recent[0].seq
		s.recent = append(s.recent[:0], s.recent[1:]...)
	}
	s.recent = append(s.recent, f)
}

func (r *Room) seat(id rules.SeatID) *seat {
	if id < 0 || int(id) >= len(r.seats) {
		return nil
	}
	return r.seats[id]
}

func (r *Room) encode(m protocol.Message) []byte {
	b, err := protocol.Encode(m)
	if err != nil { // our own messages always encode; this is a bug
		r.log.Error().Err(err).Msg("encode")
		return nil
	}
	return b
}

// sendTo encodes m for one seat and sends it.
func (r *Room) sendTo(s *seat, m protocol.Message) {
	if b := r.encode(m); b != nil {
		r.sendFrame(s, b)
	}
}

// sendFrame queues b for the seat's connection, dropping a connection that
// cannot keep up.
func (r *Room) sendFrame(s *seat, b []byte) {
	if s.member == nil {
		return
	}
	if !s.member.peer.Send(b) {
		r.hub.stats.slow.Add(1)
		r.drop(s, "too slow")
		return
	}
	r.hub.stats.out.Add(1)
}

// unlink ends the seat's connection, if it has one.
func (r *Room) unlink(s *seat, status int, reason string) {
	m := s.member
	if m == nil {
		return
	}
	m.detached.Store(true)
	m.peer.Close(status, reason)
	s.member = nil
	r.hub.stats.conns.Add(-1)
}

// drop closes a seat's connection; the seat waits for the client to return.
func (r *Room) drop(s *seat, reason string) {
	if s.member == nil {
		return
	}
	r.unlink(s, StatusPolicy, reason)
	r.away(s)
}

// detach notes that a member's connection ended.
func (r *Room) detach(m *Member) {
	m.detached.Store(true)
	if s := r.seat(m.seat); s != nil && s.member == m {
		r.unlink(s, StatusNormal, "")
		r.away(s)
	}
}

// away starts the seat's wait for its client and tells the room.
func (r *Room) away(s *seat) {
	s.away = r.hub.now()
	if r.state.Seats[s.id].Status != rules.Gone {
		r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: s.id, On: false})
	}
}

// tick drops silent connections, lets go of seats whose clients stayed away
// past the window, erases a room nobody came back to, and saves a changed
// room.
func (r *Room) tick(now time.Time) {
	cfg := r.hub.cfg
	anyone := false
	for _, s := range r.seats {
		if s == nil || r.state.Seats[s.id].Status == rules.Gone {
			continue
		}
		if m := s.member; m != nil {
			if now.Sub(m.Seen()) > cfg.DeadAfter {
				r.drop(s, "no heartbeat")
			} else {
				anyone = true
				continue
			}
		}
		if now.Sub(s.away) < cfg.Window {
			anyone = true
		} else if s.id != 0 {
			r.apply(s.id, rules.Action{Kind: rules.ActLeave})
		}
	}
	if !anyone || r.state.Phase == rules.Closed {
		r.log.Info().Msg("room forgotten: everyone left")
		r.close()
		return
	}
	if now.Sub(r.wrote) >= cfg.SaveEvery {
		r.save(false)
	}
}

// close ends the room: connections close, and the hub and the store forget
// everything about it.
func (r *Room) close() {
	if r.ended {
		return
	}
	r.ended = true
	r.over.Store(true)
	keys := make([]tokenKey, 0, len(r.seats))
	for _, s := range r.seats {
		if s != nil {
			keys = append(keys, s.key)
			r.unlink(s, StatusNormal, "room closed")
		}
	}
	r.hub.forget(r, keys)
	r.waitSaved() // no write of the room may land after its erasure
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.hub.store.Delete(ctx, r.id); err != nil {
		r.log.Warn().Err(err).Msg("room not erased from the store")
	}
	r.log.Info().Msg("room closed")
}

// endCode is what a client is told when the room's goroutine has stopped:
// the room is over, or the server is restarting and the client should come
// back.
func (r *Room) endCode() rules.Code {
	if r.over.Load() {
		return protocol.ErrRoomClosed
	}
	return protocol.ErrBusy
}

// upload adds a deck the host brought, if key is the host's.
func (r *Room) upload(key tokenKey, d *deck.Deck) rules.Code {
	if r.seats[0] == nil || r.seats[0].key != key {
		return protocol.ErrBadToken
	}
	return r.apply(rules.System, rules.Action{Kind: rules.ActAddDeck, Deck: d})
}
