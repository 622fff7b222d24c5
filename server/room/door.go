package room

import (
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// A player who knocks is not in the room yet. Anyone who has the room's code
// can knock, so until the host lets them in they see the door and nothing
// else: their own seat, not the cards, the answers or who is at the table.
// Once let in they get the whole view at once.

// viewFor is what seat id is shown of the room: the rules' view, or the
// door's while the seat is knocking. At the door the game is always in its
// lobby; what phase the room is in is not the knocker's business.
func (r *Room) viewFor(id rules.SeatID) rules.View {
	v := rules.ViewOf(&r.state, id)
	if r.state.Seats[id].Status != rules.Knocking {
		return v
	}
	door := rules.View{Phase: rules.Lobby, Me: v.Me, Role: v.Role, Lang: v.Lang, PausedBy: rules.NoSeat}
	if v.Phase == rules.Closed {
		door.Phase = rules.Closed
	}
	for _, s := range v.Seats {
		if s.ID == id {
			door.Seats = append(door.Seats, s)
		}
	}
	return door
}

// atTheDoor keeps of evs, as Personalize made them for a knocking seat, what
// happens to the seat itself, and the room closing.
func atTheDoor(evs []rules.Event, id rules.SeatID) []rules.Event {
	var out []rules.Event
	for _, e := range evs {
		switch e.Kind {
		case rules.EvKnock, rules.EvPresence, rules.EvLanguage, rules.EvGone:
			if e.Seat != id {
				continue
			}
		case rules.EvClose:
			e.Value = 0
		default:
			continue
		}
		e.Step, e.Decks, e.Summary = nil, nil, nil
		out = append(out, e)
	}
	return out
}

// letIn shows a player the host has just admitted the room as it is. The
// frames a returning client could catch up from start after this snapshot.
func (r *Room) letIn(s *seat) {
	s.recent, s.trimmed = nil, r.seq
	r.sendTo(s, protocol.Snapshot{Seq: r.seq, View: r.viewFor(s.id)})
}
