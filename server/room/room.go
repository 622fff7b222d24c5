package room

import (
	"context"
	"errors"
	"hash/fnv"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Room is one game room: the handler of a place (package place), whose
// kernel owns its goroutine, inbox and connections. Everything here belongs
// to that goroutine, apart from over.
type Room struct {
	hub   *Hub
	k     *place.Kernel
	id    string // internal: for logs and the store, never shown to anyone
	code  string
	watch string
	over  atomic.Bool // the room has closed for good, not just stopped for a restart

	state  rules.State
	seq    uint64
	seats  []*seat   // by SeatID
	dirty  bool      // changed since it was last saved
	saving bool      // a save is in flight
	wrote  time.Time // when the last snapshot was taken (zero: never)
	savedN uint64    // the last entry of the log it holds
	ended  bool      // over, stopped for a restart, or let go

	// What keeps the room (nil: nothing does), and its log (log.go): the
	// entries so far, those waiting to be written, and whether a write is
	// in flight or due.
	held    []held    // client actions waiting for the log to catch up
	acks    []heldAck // answers waiting for what they answer to be written
	claim   Claim
	work    context.Context    // what the room's writes wait for ends with it
	quit    context.CancelFunc // ends work
	n       uint64
	pending [][]byte
	// when the oldest entry waiting to be written, and the oldest being
	// written, happened (zero: none)
	pendingSince, flightSince time.Time
	logging                   bool
	flushing                  bool
	replaying                 bool          // the room is being rebuilt from its log: nothing is news
	logGroup                  time.Duration // the phase of the room's log ticks (untilFlush)

	// tickets are the knocks and spectators that went away, by their
	// token's key: their place is free at once, and coming back with the
	// token makes a new knock or a new spectator, with the allowance they
	// left.
	tickets map[place.Key]*ticket
}

// ticket is what a knock or a spectator that went away left behind.
type ticket struct {
	role  rules.Role
	nick  string
	lang  string
	allow place.Allowance
	until time.Time
}

// held is a client's action waiting for the room's log to catch up.
type held struct {
	m *place.Member
	a protocol.Act
}

// heldAck is the answer to a client's action, held until the log has
// everything up to entry n.
type heldAck struct {
	s   *seat
	m   *place.Member
	ack protocol.Ack
	n   uint64
}

// maxHeld bounds the actions a room holds: more than its seats can send in
// the time the log may lag before the room is let go.
const maxHeld = 256

// maxTickets bounds the tickets a room keeps; the oldest goes first.
const maxTickets = 2 * (rules.MaxKnocking + rules.MaxSpectators)

// seat is what the server keeps of a rules seat beyond the rules' state.
// Its connection, and since when it is away, are the kernel's slot of the
// same number.
type seat struct {
	id      rules.SeatID
	key     place.Key
	addr    string  // the key of the address it came from: limits per address, never logged or kept
	lastAct uint64  // newest action id evaluated for this seat
	recent  []frame // updates sent lately, for a client that comes back
	trimmed uint64  // updates up to this seq are no longer in recent
}

type frame struct {
	seq uint64
	b   []byte
}

// newRoom makes a room of st and its kernel; the hub adds it to the
// directory and runs it. by is the address that asked for it, if any.
func newRoom(h *Hub, id string, st rules.State, by string) *Room {
	r := &Room{
		hub: h, id: id, state: st,
		seats:   make([]*seat, len(st.Seats)),
		tickets: map[place.Key]*ticket{},
	}
	r.work, r.quit = context.WithCancel(context.Background())
	// Rooms tick at their own phase, spread evenly over the tick, so that
	// no moment sees many rooms saving at once: with 16 phases, a sixteenth
	// of all rooms saved in the same instant and held up the actions
	// queued meanwhile.
	f := fnv.New64a()
	f.Write([]byte(id))
	r.logGroup = time.Duration(f.Sum64()%logGroups) * h.cfg.LogEvery / logGroups
	r.k = place.NewKernel(r, place.KernelOptions{
		ID: id, Tick: h.cfg.Tick, Phase: time.Duration(f.Sum64() % uint64(h.cfg.Tick)),
		Inbox: h.cfg.Inbox, Near: maxNear, Log: h.log, Stats: h.places.Stats(), Now: h.now, Creator: by,
	})
	return r
}

// logAt starts a line of the hub's log at level, naming the room by its
// id: a logger of the room's own would hold a buffer (half a kilobyte a
// room) for the few lines a room writes.
func (r *Room) logAt(level zerolog.Level) *zerolog.Event {
	return r.hub.log.WithLevel(level).Str("room", r.id)
}

// maxNear bounds how many client addresses a room remembers: a device from
// one of them may still reach the room after its address guessed too many
// codes.
const maxNear = 64

// Message handles what a member's client sent: a game action. Trainers'
// commands belong to workshops.
func (r *Room) Message(m *place.Member, msg protocol.Message, at time.Time) {
	switch msg := msg.(type) {
	case protocol.Act:
		r.act(m, msg)
		r.hub.stats.actLatency.Observe(r.hub.now().Sub(at))
	case protocol.Train:
		r.k.SendMsg(m.Slot(), protocol.Ack{ID: msg.ID, Code: rules.ErrNotAllowed})
	}
}

// Stop writes the room down and tells every client that the server
// restarts.
func (r *Room) Stop() {
	// A log write waiting on JetStream (a leader being elected) waits no
	// more: the snapshot below holds everything.
	r.quit()
	r.save(true)
	if r.claim != nil {
		// Handed over: the first client to come back, here after a
		// restart or on another node, brings the room back there.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := r.claim.Release(ctx); err != nil {
			r.logAt(zerolog.WarnLevel).Err(err).Msg("room not handed over")
		}
		cancel()
	}
	for _, s := range r.seats {
		if s != nil && r.member(s) != nil {
			r.sendTo(s, protocol.Notice{Kind: protocol.NoticeRestarting})
			r.k.Unlink(int(s.id), place.StatusServerRestart, "server restarting")
		}
	}
	r.ended = true
}

// Enter gives a connection from addr its seat: a new one (create, join,
// watch) or the one its token names (resume).
func (r *Room) Enter(hello protocol.Hello, p place.Peer, addr string) (*place.Member, rules.Code) {
	var s *seat
	var token string
	fresh := false // a seat new to a client that has its token already
	switch hello.Want {
	case protocol.WantCreate:
		if r.seats[0] != nil {
			return nil, protocol.ErrBusy
		}
		s, token = r.newSeat(0, addr)
	case protocol.WantJoin, protocol.WantWatch:
		role := rules.Player
		if hello.Want == protocol.WantWatch {
			role = rules.Spectator
		}
		if r.crowded(role, addr) {
			return nil, rules.ErrRoomFull
		}
		lang := hello.Lang
		if lang == "" {
			lang = r.state.Host().Lang
		}
		var id rules.SeatID
		code := r.applyThen(rules.System, rules.Action{Kind: rules.ActJoin, Role: role, Text: hello.Nick, Lang: lang}, 0, func(evs []rules.Event) {
			// The seat exists before anyone hears of it, so that its
			// own connection is there to be told.
			id = evs[0].Seat
			s, token = r.newSeat(id, addr)
		})
		if code != "" {
			return nil, code
		}
	case protocol.WantResume:
		k := place.KeyOf(hello.Token)
		for _, cand := range r.seats {
			if cand != nil && cand.key == k && r.state.Seats[cand.id].Status != rules.Gone {
				s = cand
			}
		}
		if t := r.tickets[k]; s == nil && t != nil {
			var code rules.Code
			if s, code = r.comeBack(k, t, addr); code != "" {
				return nil, code
			}
			fresh = true
		}
		if s == nil {
			return nil, protocol.ErrBadToken
		}
	}
	if s == nil {
		return nil, protocol.ErrBusy
	}
	m := r.k.Attach(int(s.id), p)
	if m == nil {
		return nil, protocol.ErrRateLimited // comes back too often
	}
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
	if token == "" && !fresh && hello.LastSeq > 0 && hello.LastSeq >= s.trimmed && hello.LastSeq <= r.seq {
		for _, f := range s.recent {
			if f.seq > hello.LastSeq {
				r.sendFrame(s, f.b)
			}
		}
	} else {
		r.sendTo(s, protocol.Snapshot{Seq: r.seq, View: r.viewFor(s.id)})
	}
	r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: s.id, On: true})
	r.logAt(zerolog.DebugLevel).Int("seat", int(s.id)).Bool("resumed", token == "").Msg("seat attached")
	if r.member(s) != m { // dropped while catching up
		return nil, protocol.ErrBusy
	}
	return m, ""
}

// member is the seat's live connection, or nil.
func (r *Room) member(s *seat) *place.Member { return r.k.Member(int(s.id)) }

// comeBack makes a new knock or spectator of someone who went away and
// came back from addr with the token of key, which stays theirs: if this
// connection is cut too, they come back to the new seat with it.
func (r *Room) comeBack(k place.Key, t *ticket, addr string) (*seat, rules.Code) {
	if !t.allow.Spare(r.hub.now()) {
		return nil, protocol.ErrRateLimited // comes back too often
	}
	if r.crowded(t.role, addr) {
		return nil, rules.ErrRoomFull
	}
	var s *seat
	code := r.applyThen(rules.System, rules.Action{Kind: rules.ActJoin, Role: t.role, Text: t.nick, Lang: t.lang}, 0, func(evs []rules.Event) {
		s = r.seatFor(evs[0].Seat, addr, k)
		r.k.Adopt(int(s.id), t.allow)
	})
	if code != "" {
		return nil, code
	}
	delete(r.tickets, k)
	r.note(entry{Drop: k[:]})
	return s, ""
}

// dropTicket forgets the ticket of key, and the token with it.
func (r *Room) dropTicket(k place.Key) {
	delete(r.tickets, k)
	r.hub.places.Release(r.k, place.TokenName(k))
	r.note(entry{Drop: k[:]})
}

// crowded reports whether addr has as many seats of role waiting at the
// door or watching as it may have at once.
func (r *Room) crowded(role rules.Role, addr string) bool {
	n, max := 0, r.hub.cfg.KnocksPerAddress
	if role == rules.Spectator {
		max = r.hub.cfg.WatchersPerAddress
	}
	for _, s := range r.seats {
		if s == nil || s.addr != addr {
			continue
		}
		st := r.state.Seats[s.id]
		if st.Role == role && (st.Status == rules.Knocking || role == rules.Spectator && st.Status == rules.In) {
			n++
		}
	}
	return n >= max
}

// newSeat records a seat for id, for a client from addr, and hands out its
// token. An id a newcomer takes over (rules.Seat.Vacant) starts afresh.
func (r *Room) newSeat(id rules.SeatID, addr string) (*seat, string) {
	token, err := place.NewToken(r.hub.places.Rand())
	if err != nil {
		return nil, ""
	}
	return r.seatFor(id, addr, place.KeyOf(token)), token
}

// seatFor records a seat for id, for a client from addr whose token has key.
func (r *Room) seatFor(id rules.SeatID, addr string, key place.Key) *seat {
	s := &seat{id: id, key: key, addr: addr}
	for len(r.seats) <= int(id) {
		r.seats = append(r.seats, nil)
	}
	r.k.Vacate(int(id))
	r.seats[id] = s
	r.hub.places.Claim(r.k, place.TokenName(s.key))
	r.note(entry{Seat: &seatRecord{ID: id, Key: key[:]}})
	r.dirty = true
	return s
}

// errLeaseLapsed is why a room lets itself go when its node's lease has
// lapsed (leaseGone).
var errLeaseLapsed = errors.New("the node's lease lapsed")

// leaseGone reports whether the node no longer holds the lease the room
// was taken under.
func (r *Room) leaseGone() bool {
	return r.claim != nil && r.hub.holds != nil && !r.hub.holds(r.claim.Epoch())
}

// act applies an action a member asked for, once: an id the seat has had
// before is acknowledged again without applying it.
func (r *Room) act(m *place.Member, a protocol.Act) {
	s := r.seat(rules.SeatID(m.Slot()))
	if s == nil {
		return
	}
	if a.ID <= s.lastAct {
		r.answer(s, m, protocol.Ack{ID: a.ID, Dup: true})
		return
	}
	if r.leaseGone() {
		// This node's lease has lapsed (it was paused, or cut off): the
		// room may be another node's by now, so nothing more is applied
		// here. The client sends the action again where the room is.
		r.lost(errLeaseLapsed)
		return
	}
	if r.behind() {
		// The log has not kept up (its store is slow for a moment): the
		// action waits, unanswered, rather than be applied and shown to
		// everyone before it can be kept. If the room is let go meanwhile
		// its client sends it again wherever the room is then.
		if len(r.held) < maxHeld {
			r.held = append(r.held, held{m: m, a: a})
		}
		return
	}
	if r.hub.acted != nil {
		// Told before the action is applied, right after the lease was
		// checked: a test that pauses the node tells by the time of this
		// call whether the room acted under a lease that held.
		r.hub.acted(r.code, s.id, a.ID)
	}
	s.lastAct = a.ID
	r.dirty = true
	a.Action.Deck = nil // decks arrive only by upload
	code := r.applyThen(s.id, a.Action, a.ID, nil)
	r.hub.stats.actions.Add(1)
	r.answer(s, m, protocol.Ack{ID: a.ID, Code: code})
}

// answer acknowledges a client's action once the room's log has everything
// that happened until now. Everyone sees the action at once; only its
// answer waits (LogEvery and a write, some 50 ms), so that a client whose
// action is answered never needs it again: a crash right after cannot lose
// it, since the client sends an unanswered action again wherever the room
// comes back.
func (r *Room) answer(s *seat, m *place.Member, a protocol.Ack) {
	if r.claim != nil && (len(r.pending) > 0 || r.logging) {
		r.acks = append(r.acks, heldAck{s: s, m: m, ack: a, n: r.n})
		return
	}
	if r.member(s) == m {
		r.sendTo(s, a)
	}
}

// apply runs an action through the rules and tells everyone what happened.
func (r *Room) apply(by rules.SeatID, a rules.Action) rules.Code {
	return r.applyThen(by, a, 0, nil)
}

// applyThen is apply, with then run on the events before anyone is told.
// actID, when not 0, is the id of the client's action a is: the log's one
// entry for it holds the id too, or the id alone when the rules refuse it,
// so that the action is never evaluated again.
func (r *Room) applyThen(by rules.SeatID, a rules.Action, actID uint64, then func([]rules.Event)) rules.Code {
	next, evs, err := rules.Apply(r.state, by, a)
	if err != nil {
		if actID != 0 {
			r.note(entry{By: by, ActID: actID})
		}
		code, _ := err.(rules.Code)
		return code
	}
	r.state = next
	e := entry{By: by, Act: &a, ActID: actID}
	if a.Kind == rules.ActAddDeck {
		e.Deck = a.Deck
	}
	r.note(e)
	if len(evs) == 0 {
		return ""
	}
	if then != nil {
		then(evs)
	}
	r.seq++
	r.dirty = true
	r.broadcast(evs)
	for _, e := range evs {
		switch e.Kind {
		case rules.EvGone:
			if s := r.seat(e.Seat); s != nil {
				if e.On && r.member(s) != nil {
					r.sendTo(s, protocol.Error{Code: protocol.ErrRemoved})
				}
				r.k.Unlink(int(s.id), place.StatusNormal, "left the room")
				if r.tickets[s.key] == nil {
					r.hub.places.Release(r.k, place.TokenName(s.key))
				}
				s.recent = nil
			}
		case rules.EvNewWatch:
			r.newWatch()
		case rules.EvClose:
			r.close()
		}
	}
	return ""
}

// newWatch gives the room a new spectator code, and tells the host: the old
// one lets nobody in any more.
func (r *Room) newWatch() {
	c, err := r.hub.places.Renew(r.k, place.Name{NS: place.Watch, S: r.watch}, place.WatchLen)
	if err != nil {
		r.logAt(zerolog.WarnLevel).Err(err).Msg("no new spectator code")
		return
	}
	r.watch, r.dirty = c, true
	r.note(entry{Watch: c})
	for k, t := range r.tickets {
		if t.role == rules.Spectator {
			r.dropTicket(k) // the old code's spectators do not come back
		}
	}
	if s := r.seat(0); s != nil {
		r.sendTo(s, protocol.Notice{Kind: protocol.NoticeWatch, Text: c})
	}
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
				b = r.k.Encode(protocol.Update{Seq: r.seq, Events: pe})
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

// sendTo encodes m for one seat and sends it.
func (r *Room) sendTo(s *seat, m protocol.Message) { r.k.SendMsg(int(s.id), m) }

// sendFrame queues b for the seat's connection; one that cannot keep up is
// dropped (and Left follows).
func (r *Room) sendFrame(s *seat, b []byte) { r.k.Send(int(s.id), b) }

// Left starts the seat's wait for its client, whose connection went, and
// tells the room. Someone at the door or in the audience has no place to
// wait for: they are gone at once, and their place is free for others
// (coming back is knocking or watching again).
func (r *Room) Left(slot int) {
	s := r.seat(rules.SeatID(slot))
	if s == nil {
		return
	}
	switch st := r.state.Seats[s.id]; {
	case st.Status == rules.Gone:
	case st.Status == rules.Knocking, st.Role == rules.Spectator:
		r.keepTicket(s, st)
		r.apply(s.id, rules.Action{Kind: rules.ActLeave})
	default:
		r.apply(rules.System, rules.Action{Kind: rules.ActPresence, Seat: s.id, On: false})
	}
}

// keepTicket lets the knock or spectator in s come back with its token
// within the window.
func (r *Room) keepTicket(s *seat, st rules.Seat) {
	if r.tickets == nil {
		r.tickets = map[place.Key]*ticket{}
	}
	if len(r.tickets) >= maxTickets {
		var oldest place.Key
		var first time.Time
		for k, t := range r.tickets {
			if first.IsZero() || t.until.Before(first) {
				oldest, first = k, t.until
			}
		}
		r.dropTicket(oldest)
	}
	t := &ticket{
		role: st.Role, nick: st.Nick, lang: st.Lang,
		allow: r.k.Allowance(int(s.id)), until: r.hub.now().Add(r.hub.cfg.Window),
	}
	r.tickets[s.key] = t
	r.note(entry{Ticket: &ticketRecord{Key: s.key[:], Role: t.role, Nick: t.nick, Lang: t.lang, Until: t.until.Unix()}})
}

// Tick drops silent connections, lets go of seats whose clients stayed away
// past the window, erases a room nobody came back to, and saves a changed
// room.
func (r *Room) Tick(now time.Time) {
	if r.leaseGone() {
		// A node paused past its lease ticks before it hears of the loss:
		// its rooms may run elsewhere by now, so none of them may end here
		// (and be erased) or let a seat go.
		r.lost(errLeaseLapsed)
		return
	}
	cfg := r.hub.cfg
	for k, t := range r.tickets {
		if now.After(t.until) {
			r.dropTicket(k)
		}
	}
	anyone := false
	for _, s := range r.seats {
		if s == nil || r.state.Seats[s.id].Status == rules.Gone {
			continue
		}
		if m := r.member(s); m != nil {
			if now.Sub(m.Seen()) > cfg.DeadAfter {
				r.k.Drop(int(s.id), "no heartbeat")
			} else {
				anyone = true
				continue
			}
		}
		if now.Sub(r.k.AwaySince(int(s.id))) < cfg.Window {
			anyone = true
		} else if s.id != 0 {
			r.apply(s.id, rules.Action{Kind: rules.ActLeave})
		}
	}
	if r.ended {
		return // closed while letting go of a seat
	}
	if !anyone || r.state.Phase == rules.Closed {
		r.logAt(zerolog.InfoLevel).Msg("room forgotten: everyone left")
		r.close()
		return
	}
	if r.state.Phase == rules.Lobby && !r.k.Connected(0) && !r.tookPart() && now.Sub(r.k.AwaySince(0)) >= cfg.LobbyWindow {
		r.logAt(zerolog.InfoLevel).Msg("room forgotten: its host went before anyone took part")
		r.close()
		return
	}
	if now.Sub(r.wrote) >= cfg.SaveEvery || r.n-r.savedN >= uint64(cfg.SaveAfter) {
		r.save(false)
	}
}

// tookPart reports whether a player has ever been let in: the window is
// for people who were playing.
func (r *Room) tookPart() bool {
	for _, st := range r.state.Seats {
		if st.Role == rules.Player && (st.Status == rules.In || st.Status == rules.Gone && !st.Vacant) {
			return true
		}
	}
	return false
}

// close ends the room: connections close, and the hub and the store forget
// everything about it.
func (r *Room) close() {
	if r.ended {
		return
	}
	r.ended = true
	r.over.Store(true)
	r.k.End()
	for _, s := range r.seats {
		if s != nil {
			r.k.Unlink(int(s.id), place.StatusNormal, "room closed")
		}
	}
	r.hub.forget(r, true)
	r.quit()
	r.k.Settle() // no write of the room may land after its erasure
	if c := r.claim; c != nil {
		r.claim = nil
		r.hub.stats.unlogged.Add(-int64(len(r.pending)))
		r.pending = nil
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		switch err := c.Erase(ctx); {
		case errors.Is(err, store.ErrFenced):
			r.logAt(zerolog.WarnLevel).Msg("room ended here, and is another node's now: not erased")
		case err != nil:
			r.logAt(zerolog.WarnLevel).Err(err).Msg("room not erased from the store yet; trying again")
			go r.hub.eraseLater(r.id, c)
		}
	}
	r.logAt(zerolog.InfoLevel).Msg("room closed")
}

// Gone is what a client is told when the room's goroutine has stopped: the
// room is over, or the server is restarting and the client should come
// back.
func (r *Room) Gone() rules.Code {
	if r.over.Load() {
		return protocol.ErrRoomClosed
	}
	return protocol.ErrBusy
}

// upload adds a deck the host brought, if key is the host's.
func (r *Room) upload(key place.Key, d *deck.Deck) rules.Code {
	if r.seats[0] == nil || r.seats[0].key != key {
		return protocol.ErrBadToken
	}
	return r.apply(rules.System, rules.Action{Kind: rules.ActAddDeck, Deck: d})
}
