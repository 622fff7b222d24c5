package room

import (
	"context"
	"errors"

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
// already, both away until their clients resume with their tokens, and
// returns its id.
func (h *Hub) CreatePair(host, player PairSeat) (string, rules.Code) {
	st, code := h.newState(host.Nick, host.Lang)
	if code != "" {
		return "", code
	}
	st, _, err := rules.Apply(st, rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: player.Nick, Lang: player.Lang})
	if err == nil {
		st, _, err = rules.Apply(st, 0, rules.Action{Kind: rules.ActAdmit, Seat: 1})
	}
	if err != nil {
		code, _ := err.(rules.Code)
		return "", code
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
		return "", code
	}
	h.log.Info().Str("room", r.id).Msg("room created for a workshop")
	return r.id, ""
}

// Report is a room's answer to Ask: its progress, or that it is gone (it
// ended, or is kept nowhere).
type Report struct {
	ID       string
	Progress rules.Progress
	Gone     bool
}

// Remote reaches rooms that run on other nodes of the service (package
// cluster). Like the hub's own calls, none of them waits on the room.
type Remote interface {
	Ask(id string, reply func(Report)) bool
	Tell(id string, n protocol.Notice) bool
	Close(id string) bool
}

// SetRemote lets the hub reach rooms on other nodes. Call it before the hub
// serves.
func (h *Hub) SetRemote(r Remote) { h.remote = r }

// Local returns the room id if it runs here, or nil.
func (h *Hub) Local(id string) *Room { return h.room(place.Name{NS: place.ID, S: id}) }

// Ask asks room id for its progress, to be handed to reply (on the room's
// goroutine, or the cluster's): it must not block. Ask never blocks, and
// neither does the room: false means the room is too busy, or away between
// nodes, to be asked now.
func (h *Hub) Ask(id string, reply func(Report)) bool {
	if r := h.Local(id); r != nil {
		return r.k.TryCall(func() { reply(Report{ID: id, Progress: rules.ProgressOf(&r.state)}) })
	}
	if h.remote != nil {
		return h.remote.Ask(id, reply)
	}
	reply(Report{ID: id, Gone: true})
	return true
}

// Tell hands every connected seat of room id the notice; NoticeEnding also
// takes the room to its summary. It never blocks: false means the room is
// too busy, or away between nodes, and the notice should be told again
// later.
func (h *Hub) Tell(id string, n protocol.Notice) bool {
	if r := h.Local(id); r != nil {
		return r.k.TryCall(func() { r.tell(n) })
	}
	if h.remote != nil {
		return h.remote.Tell(id, n)
	}
	return true // gone: nobody to tell
}

// tell is Tell on the room's goroutine.
func (r *Room) tell(n protocol.Notice) {
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
}

// CloseRoom closes room id as its host would, and the room is forgotten.
// It never blocks: false means the room is too busy, or away between
// nodes; true that it was asked, or is gone already.
func (h *Hub) CloseRoom(id string) bool {
	if r := h.Local(id); r != nil {
		return r.k.TryCall(func() { r.apply(0, rules.Action{Kind: rules.ActClose}) })
	}
	if h.remote != nil {
		return h.remote.Close(id)
	}
	return true
}

// Ended reports whether the room's goroutine has stopped: the room is over,
// or the server is shutting down.
func (r *Room) Ended() bool { return r.k.Ended() }

// ID is the room's internal id.
func (r *Room) ID() string { return r.id }

// Kernel is the room's place.
func (r *Room) Kernel() *place.Kernel { return r.k }

// LetGo lets go of every room of this node taken under a lease it no
// longer holds, writing nothing more: the node's lease was lost, and other
// nodes take the rooms over. Their clients are sent to find them. A room
// taken since under the node's new lease stays: the loss may be heard late
// (the cluster test once saw such a room let go, its last action not yet
// kept, and that action evaluated again).
func (h *Hub) LetGo(why string) {
	h.places.Each(func(k *place.Kernel) {
		if r, ok := k.Handler().(*Room); ok {
			go k.Do(context.Background(), func() {
				if r.leaseGone() {
					r.lost(errors.New(why))
				}
			})
		}
	})
}
