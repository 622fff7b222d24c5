package room

import (
	"context"
	"errors"
	"time"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Trainers' workshops (package workshop) live beside the rooms: a Hello that
// no room answers may lead to one, and a workshop makes rooms for its
// participants through the hub. What a workshop asks of a room goes through
// the room's inbox without ever waiting on it.

// Handle is a connection's hold on its place: a seat in a room (*Member) or
// a place in a workshop. The connection's reader calls it.
type Handle interface {
	Touch(now time.Time)
	Act(ctx context.Context, a protocol.Act) error
	Train(ctx context.Context, t protocol.Train) error
	Detached() bool
	Leave()
}

// Gates are places besides rooms that a Hello may lead to: workshops. The
// hub asks them only about a Hello no room answers.
type Gates interface {
	// Knows reports, without blocking, whether hello's code or token is a
	// workshop's, and whether a member of it came from addr.
	Knows(hello protocol.Hello, addr string) (known, near bool)
	// Enter gives the connection its place, as Hub.Open does for rooms:
	// a new workshop (WantWorkshop), a participant's place (WantJoin) or
	// one taken back (WantResume).
	Enter(ctx context.Context, addr string, p Peer, hello protocol.Hello) (Handle, rules.Code)
	// Shutdown tells every connection that the server restarts and closes
	// it, as the rooms do.
	Shutdown(ctx context.Context) error
}

// SetGates lets Hellos reach gates. Call it once, before the hub serves.
func (h *Hub) SetGates(g Gates) {
	h.mu.Lock()
	h.gates = g
	h.mu.Unlock()
}

// openGate hands a Hello to the gates: a new workshop, or a code or token no
// room has. ok is false when the Hello is not theirs either.
func (h *Hub) openGate(ctx context.Context, addr string, p Peer, hello protocol.Hello, limited bool) (_ Handle, _ rules.Code, ok bool) {
	h.mu.Lock()
	g, closing := h.gates, h.closing
	h.mu.Unlock()
	if g == nil {
		return nil, "", false
	}
	if hello.Want == protocol.WantWorkshop {
		// Its code must not clash with a room still being restored.
		if closing || !h.waitRestored(ctx) {
			return nil, protocol.ErrBusy, true
		}
		m, code := g.Enter(ctx, addr, p, hello)
		return m, code, true
	}
	known, near := g.Knows(hello, addr)
	if !known {
		return nil, "", false
	}
	if closing {
		return nil, protocol.ErrBusy, true
	}
	if limited && !near {
		return nil, protocol.ErrRateLimited, true
	}
	m, code := g.Enter(ctx, addr, p, hello)
	return m, code, true
}

// Key is what the hub keeps of a seat's token: its hash.
type Key = tokenKey

// KeyOf returns the key of token.
func KeyOf(token string) Key { return keyOf(token) }

// NewToken returns a new secret token (128 random bits from the hub's
// source) and its key.
func (h *Hub) NewToken() (string, Key, error) {
	t, err := newToken(h.rand)
	return t, keyOf(t), err
}

var errNoCode = errors.New("room: no free code")

// ReserveCode hands out a code that no room has, and that no room will get
// until ReleaseCode: a workshop's code, typed like a room's.
func (h *Hub) ReserveCode() (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for range 100 {
		code, err := newCode(h.rand, CodeLen)
		if err != nil {
			return "", err
		}
		if h.byCode[code] == nil && !h.reserved[code] {
			if h.reserved == nil {
				h.reserved = map[string]bool{}
			}
			h.reserved[code] = true
			return code, nil
		}
	}
	return "", errNoCode
}

// ReleaseCode gives a reserved code back.
func (h *Hub) ReleaseCode(code string) {
	h.mu.Lock()
	delete(h.reserved, code)
	h.mu.Unlock()
}

// PairSeat is one side of a room a workshop makes: who sits there, and the
// key of the token that takes the seat.
type PairSeat struct {
	Key  Key
	Nick string
	Lang string
}

// CreatePair makes a room with host as its host and player at the table
// already, both away until their clients resume with their tokens.
func (h *Hub) CreatePair(host, player PairSeat) (*Room, rules.Code) {
	st, code := h.newState(host.Nick, host.Lang)
	if code != "" {
		return nil, code
	}
	st, _, err := rules.Apply(st, rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: player.Nick, Lang: player.Lang})
	if err == nil {
		st, _, err = rules.Apply(st, 0, rules.Action{Kind: rules.ActAdmit, Seat: 1})
	}
	if err != nil {
		code, _ := err.(rules.Code)
		return nil, code
	}
	st.Seats[0].Online, st.Seats[1].Online = false, false
	now := h.now()
	r, code := h.add(st, func(r *Room) {
		r.dirty = true
		for i, k := range []Key{host.Key, player.Key} {
			r.seats[i] = &seat{id: rules.SeatID(i), key: k, away: now}
			h.byToken[k] = r
		}
	})
	if code != "" {
		return nil, code
	}
	h.log.Info().Str("room", r.id).Msg("room created for a workshop")
	return r, ""
}

// call is a function a room runs on its own goroutine, from its inbox.
type call func(r *Room)

// send puts fn in r's inbox without waiting: false when the inbox is full
// or the room is over.
func (r *Room) send(fn call) bool {
	if r.Ended() {
		return false
	}
	select {
	case r.inbox <- fn:
		return true
	default:
		return false
	}
}

// Ended reports whether the room's goroutine has stopped: the room is over,
// or the server is shutting down.
func (r *Room) Ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Report is a room's answer to Ask.
type Report struct {
	Room     *Room
	Progress rules.Progress
}

// Ask asks r for its progress, to be sent on reply. It never blocks, and
// neither does the room: false means the room is over or too busy to be
// asked now, and an answer that finds reply full is dropped.
func (h *Hub) Ask(r *Room, reply chan<- Report) bool {
	return r.send(func(r *Room) {
		select {
		case reply <- Report{Room: r, Progress: rules.ProgressOf(&r.state)}:
		default:
		}
	})
}

// Tell hands every connected seat of r the notice; NoticeEnding also takes
// the room to its summary. It never blocks: false means the room is over or
// too busy, and the notice should be told again later.
func (h *Hub) Tell(r *Room, n protocol.Notice) bool {
	return r.send(func(r *Room) {
		if b := r.encode(n); b != nil {
			for _, s := range r.seats {
				if s != nil {
					r.sendFrame(s, b)
				}
			}
		}
		if n.Kind == protocol.NoticeEnding && r.state.Phase < rules.Summary {
			r.apply(0, rules.Action{Kind: rules.ActEnd})
		}
	})
}

// CloseRoom closes r as its host would, and the room is forgotten. It
// never blocks: false means the room is over already or too busy.
func (h *Hub) CloseRoom(r *Room) bool {
	return r.send(func(r *Room) { r.apply(0, rules.Action{Kind: rules.ActClose}) })
}

// Train answers a room seat's trainer command: only a workshop's trainer
// gives them.
func (m *Member) Train(_ context.Context, t protocol.Train) error {
	if b, err := protocol.Encode(protocol.Ack{ID: t.ID, Code: rules.ErrNotAllowed}); err == nil {
		m.peer.Send(b)
	}
	return nil
}

// Progress returns the progress of the room with code as the room sees it
// now, or false when no room has that code. Tests compare a trainer's
// dashboard with it.
func (h *Hub) Progress(ctx context.Context, code string) (rules.Progress, bool) {
	h.mu.Lock()
	r := h.byCode[NormalizeCode(code)]
	h.mu.Unlock()
	if r == nil {
		return rules.Progress{}, false
	}
	reply := make(chan rules.Progress, 1)
	select {
	case r.inbox <- call(func(r *Room) { reply <- rules.ProgressOf(&r.state) }):
	case <-r.done:
		return rules.Progress{}, false
	case <-ctx.Done():
		return rules.Progress{}, false
	}
	select {
	case p := <-reply:
		return p, true
	case <-r.done:
		return rules.Progress{}, false
	case <-ctx.Done():
		return rules.Progress{}, false
	}
}
