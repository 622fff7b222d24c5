package rules

import "slices"

// Personalize returns what seat viewer receives of evs, which Apply returned
// as it made s: events the viewer may not see are left out, and the rest
// carry what the viewer's View.Apply needs (a seat, the card in the viewer's
// language, the summary). Worker notes go to the host, and to spectators in
// training mode, never to anyone else.
func Personalize(s *State, evs []Event, viewer SeatID) []Event {
	me := s.Seat(viewer)
	if me == nil {
		return nil
	}
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		switch e.Kind {
		case EvKnock, EvJoin, EvGone, EvPresence, EvLanguage:
			seat := s.Seat(e.Seat)
			if seat == nil {
				continue
			}
			sv, visible := seatFor(s, seat, me)
			if !visible {
				if seat.Status != Gone {
					continue
				}
				sv = SeatView{ID: seat.ID, Role: seat.Role, Status: Gone}
			}
			e.SeatInfo = &sv
			if e.Kind == EvLanguage && e.Seat == viewer {
				e.Step = stepFor(s, s.Pos, me)
				if me.Role == Host {
					e.Decks = libraryFor(s, me.Lang)
				}
				if s.Phase >= Summary {
					e.Summary = summaryFor(s, me.Lang)
				}
			}
		case EvTraining:
			if me.Role == Spectator {
				e.Step = stepFor(s, s.Pos, me)
			}
		case EvDecks:
			e.Chosen, e.Excluded = slices.Clone(s.Chosen), slices.Clone(s.Excluded)
		case EvLibrary:
			if me.Role != Host {
				continue
			}
			e.Decks = libraryFor(s, me.Lang)
		case EvCard:
			e.Step = stepFor(s, e.Pos, me)
		case EvBlank:
			if e.On {
				e.Step = stepFor(s, e.Pos, me)
			}
		case EvEnd, EvClose:
			e.Value = len(s.Path)
			e.Summary = summaryFor(s, me.Lang)
		case EvNewWatch:
			if me.Role != Host {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// Apply brings the view up to date with one event that Personalize made for
// it. Events arrive in the order they happened.
func (v *View) Apply(e Event) {
	switch e.Kind {
	case EvKnock, EvJoin, EvGone, EvPresence, EvLanguage:
		if e.SeatInfo == nil {
			return
		}
		v.upsertSeat(*e.SeatInfo)
		if e.Kind == EvLanguage && e.Seat == v.Me {
			v.Lang = e.SeatInfo.Lang
			v.Step = e.Step
			if v.Role == Host {
				v.Library = e.Decks
			}
			if e.Summary != nil {
				v.Summary = e.Summary
			}
		}
	case EvLock:
		v.Locked = e.On
	case EvWatchLock:
		v.Watch = e.On
	case EvTraining:
		v.Training = e.On
		if v.Role == Spectator {
			v.Step = e.Step
		}
	case EvDecks:
		v.Chosen, v.Excluded = e.Chosen, e.Excluded
	case EvLibrary:
		v.Library = e.Decks
	case EvStart:
		v.Phase = Playing
	case EvCard:
		v.Step, v.Played = e.Step, e.Value
	case EvAnswer, EvPass, EvRate:
		if st := v.stepAt(e.Pos); st != nil {
			a := Answer{Seat: e.Seat, Text: e.Text, Passed: e.Kind == EvPass}
			if e.Kind == EvRate {
				a.Rating, a.Rated = e.Value, true
			}
			st.Answers = append(st.Answers, a)
		}
	case EvChoose:
		if st := v.stepAt(e.Pos); st != nil {
			st.Choice, st.ChoiceBy = e.Value, e.Seat
		}
	case EvBookmark:
		if st := v.stepAt(e.Pos); st != nil {
			st.Bookmarked = e.On
		}
	case EvPause:
		v.Paused, v.PausedBy = e.On, NoSeat
		if e.On {
			v.PausedBy = e.Seat
		}
	case EvBlank:
		if e.On {
			v.Step = e.Step
		}
	case EvEnd, EvClose:
		v.Phase, v.Step, v.Played, v.Summary = Summary, nil, e.Value, e.Summary
		if e.Kind == EvClose {
			v.Phase = Closed
		}
	}
}

func (v *View) stepAt(pos int) *StepView {
	if v.Step == nil || v.Step.Pos != pos {
		return nil
	}
	return v.Step
}

// upsertSeat puts a seat into the view in id order, or takes a gone one out.
func (v *View) upsertSeat(sv SeatView) {
	i, found := slices.BinarySearchFunc(v.Seats, sv.ID, func(a SeatView, id SeatID) int { return int(a.ID - id) })
	switch {
	case sv.Status == Gone && found:
		v.Seats = slices.Delete(v.Seats, i, i+1)
	case sv.Status == Gone:
	case found:
		v.Seats[i] = sv
	default:
		v.Seats = slices.Insert(v.Seats, i, sv)
	}
}
