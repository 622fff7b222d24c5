package rules

import (
	"slices"

	"github.com/pore/elamanipeli/shared/deck"
)

// facts are what decides whether a seat may ask for an action. Both a state
// and a view can produce them, so the server and the client agree on what is
// legal without the client holding the whole state.
type facts struct {
	phase      Phase
	role       Role
	status     Status
	halted     bool // paused or the host away
	paused     bool // paused by someone (the host away is not a pause to resume)
	hasStep    bool
	atStart    bool // the first card of the path
	atEdge     bool // the newest card of the path
	kind       deck.Kind
	scene      bool // a story scene with choices
	mine       bool // this seat is expected to answer the card
	done       bool // this seat has answered or passed
	open       bool // a blank card waiting for its question
	hasChosen  bool // at least one deck is chosen
	canKnock   bool // room for another knocking player
	hasKnocker bool // someone waits at the door
}

func factsOf(s *State, id SeatID) facts {
	seat := s.Seat(id)
	if seat == nil {
		return facts{status: Gone}
	}
	f := facts{
		phase: s.Phase, role: seat.Role, status: seat.Status, halted: s.Halted(), paused: s.Paused,
		hasChosen: len(s.Chosen) > 0, hasKnocker: s.count(Player, Knocking) > 0,
	}
	if st := s.Step(); st != nil {
		c := s.Card(st.Card)
		f.hasStep = c != nil
		f.atStart, f.atEdge = s.Pos == 0, s.Pos == len(s.Path)-1
		if c != nil {
			f.kind, f.scene, f.open = c.Kind, c.IsScene(), c.Kind.Written()
		}
		f.mine = slices.Contains(s.answerers(st), id)
		f.done = answerOf(st, id) != nil
	}
	return f
}

func factsOfView(v *View) facts {
	me := v.Seat(v.Me)
	if me == nil {
		return facts{status: Gone}
	}
	f := facts{
		phase: v.Phase, role: me.Role, status: me.Status, halted: v.Paused || v.HostAway(), paused: v.Paused,
		hasChosen: len(v.Chosen) > 0,
	}
	for _, s := range v.Seats {
		if s.Role == Player && s.Status == Knocking {
			f.hasKnocker = true
		}
	}
	if st := v.Step; st != nil && v.Phase == Playing {
		f.hasStep = st.Card.Kind != ""
		f.atStart, f.atEdge = st.Pos == 0, st.Pos == v.Played-1
		f.kind, f.scene, f.open = st.Card.Kind, st.Card.IsScene(), st.Card.Kind.Written()
		f.mine = slices.Contains(v.Answerers(), v.Me)
		f.done = slices.ContainsFunc(st.Answers, func(a Answer) bool { return a.Seat == v.Me })
	}
	return f
}

// check says why the seat may not ask for k, or "" when it may. Parameters
// are checked later, by the handler.
func (f facts) check(k ActionKind) Code {
	if k == ActNone || k >= actCount || k.system() {
		return ErrUnknownAction
	}
	if f.status == Gone {
		return ErrNoSeat
	}
	if f.status == Knocking {
		if k == ActLeave || k == ActLanguage {
			return ""
		}
		return ErrNotAllowed
	}
	if f.phase == Closed {
		return ErrWrongPhase
	}
	if k.hostOnly() && f.role != Host {
		return ErrNotAllowed
	}
	if f.role == Spectator && k != ActLeave && k != ActLanguage {
		return ErrNotAllowed
	}
	switch k {
	case ActLeave:
		if f.role == Host {
			return ErrNotAllowed // the host ends or closes the room instead
		}
	case ActLanguage:
	case ActAdmit, ActRemove, ActLock, ActTraining, ActClearKnocks:
		if f.phase == Summary {
			return ErrWrongPhase
		}
		if (k == ActAdmit || k == ActClearKnocks) && !f.hasKnocker {
			return ErrNoSuchSeat
		}
	case ActLockWatch, ActNewWatch:
	case ActDecks, ActPickDeck, ActLeaveOut, ActStart:
		if f.phase != Lobby {
			return ErrWrongPhase
		}
		if k == ActStart && !f.hasChosen {
			return ErrNoDecks
		}
	case ActPause:
		if f.phase != Playing {
			return ErrWrongPhase
		}
		if f.paused {
			return ErrPaused
		}
	case ActResume:
		if f.phase != Playing || !f.paused {
			return ErrWrongPhase
		}
	case ActEnd:
		if f.phase != Playing && f.phase != Lobby {
			return ErrWrongPhase
		}
	case ActClose:
	case ActRequestPause:
		if f.phase != Playing {
			return ErrWrongPhase
		}
		if f.paused {
			return ErrPaused
		}
	case ActBookmark, ActReact:
		if f.phase != Playing || !f.hasStep {
			return ErrWrongPhase
		}
	case ActWriteBlank:
		if f.phase != Playing {
			return ErrWrongPhase
		}
		if f.halted {
			return ErrPaused
		}
	case ActNext, ActSkip, ActBack:
		if f.phase != Playing || !f.hasStep {
			return ErrWrongPhase
		}
		if f.halted {
			return ErrPaused
		}
		if k == ActBack && f.atStart {
			return ErrAtStart
		}
		if k == ActSkip && !f.atEdge {
			return ErrChoiceLocked
		}
	case ActAnswer, ActPass, ActChoose, ActRate:
		if f.phase != Playing || !f.hasStep {
			return ErrWrongPhase
		}
		if f.halted {
			return ErrPaused
		}
		if !f.mine {
			return ErrNotYours
		}
		switch k {
		case ActChoose:
			if !f.scene {
				return ErrNoCard
			}
			if !f.atEdge {
				return ErrChoiceLocked
			}
		case ActRate:
			if !f.kind.Rated() {
				return ErrNoCard
			}
			if f.done {
				return ErrAlreadyDone
			}
		case ActAnswer, ActPass:
			if f.open && k == ActAnswer {
				return ErrNoCard // write the question first
			}
			if f.done {
				return ErrAlreadyDone
			}
		}
	}
	return ""
}

// Legal is the set of actions a seat may ask for now.
type Legal uint64

// Has reports whether k is in the set.
func (l Legal) Has(k ActionKind) bool { return l&(1<<k) != 0 }

func (f facts) legal() Legal {
	var l Legal
	for k := ActNone + 1; k < actCount; k++ {
		if f.check(k) == "" {
			l |= 1 << k
		}
	}
	return l
}

// LegalFor returns what seat id may ask for in s.
func LegalFor(s *State, id SeatID) Legal { return factsOf(s, id).legal() }

// Legal returns what the view's own seat may ask for. It agrees with
// LegalFor on the state the view was made from.
func (v *View) Legal() Legal { return factsOfView(v).legal() }
