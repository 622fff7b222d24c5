package room

import (
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Trainers' workshops (package workshop) make rooms for their participants
// through the hub, and follow them without ever waiting on one: what a
// workshop asks of a room goes through the room's inbox, and an answer comes
// back through the workshop's.

// PairSeat is one side of a room a workshop makes: who sits there, and the
// key of the token that takes the seat.
type PairSeat struct {
	Key  place.Key
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
	keys := []place.Key{host.Key, player.Key}
	r, code := h.add(st, keys, "", func(r *Room) {
		r.dirty = true
		now := h.now()
		for i, k := range keys {
			r.seats[i] = &seat{id: rules.SeatID(i), key: k}
			r.k.SetAway(i, now)
		}
	})
	if code != "" {
		return nil, code
	}
	h.log.Info().Str("room", r.id).Msg("room created for a workshop")
	return r, ""
}

// Report is a room's answer to Ask.
type Report struct {
	Room     *Room
	Progress rules.Progress
}

// Ask asks r for its progress, to be handed to reply on the room's
// goroutine. It never blocks, and neither does the room (reply must not
// either): false means the room is over or too busy to be asked now.
func (h *Hub) Ask(r *Room, reply func(Report)) bool {
	return r.k.TryCall(func() { reply(Report{Room: r, Progress: rules.ProgressOf(&r.state)}) })
}

// Tell hands every connected seat of r the notice; NoticeEnding also takes
// the room to its summary. It never blocks: false means the room is over or
// too busy, and the notice should be told again later.
func (h *Hub) Tell(r *Room, n protocol.Notice) bool {
	return r.k.TryCall(func() {
		if b := r.k.Encode(n); b != nil {
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
	return r.k.TryCall(func() { r.apply(0, rules.Action{Kind: rules.ActClose}) })
}

// Ended reports whether the room's goroutine has stopped: the room is over,
// or the server is shutting down.
func (r *Room) Ended() bool { return r.k.Ended() }
