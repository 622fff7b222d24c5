package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
)

// MaxSeats bounds the seats a room ever hands out, the gone ones included.
const MaxSeats = 2 * (MaxPlayers + MaxSpectators)

// Apply asks for action a on behalf of seat by. It returns the next state and
// what happened; on error it returns s unchanged, no events and a Code. The
// state passed in is never modified.
func Apply(s State, by SeatID, a Action) (State, []Event, error) {
	n := s
	var evs []Event
	var err Code
	if by == System {
		evs, err = n.system(a)
	} else {
		if err = factsOf(&s, by).check(a.Kind); err == "" {
			evs, err = n.act(by, a)
		}
	}
	if err != "" {
		return s, nil, err
	}
	return n, evs, nil
}

// act carries out an action whose kind check passed.
func (s *State) act(by SeatID, a Action) ([]Event, Code) {
	switch a.Kind {
	case ActAnswer:
		text := strings.TrimSpace(a.Text)
		if runes(text) > MaxText {
			return nil, ErrTooLong
		}
		if !cleanText(text) {
			return nil, ErrBadText
		}
		st := s.touchStep()
		st.Answers = append(st.Answers, Answer{Seat: by, Text: text})
		return one(Event{Kind: EvAnswer, Seat: by, Pos: s.Pos, Text: text}), ""
	case ActPass:
		st := s.touchStep()
		st.Answers = append(st.Answers, Answer{Seat: by, Passed: true})
		return one(Event{Kind: EvPass, Seat: by, Pos: s.Pos}), ""
	case ActChoose:
		c := s.Card(s.Step().Card)
		if a.Choice < 0 || a.Choice >= len(c.Choices) {
			return nil, ErrNoSuchChoice
		}
		st := s.touchStep()
		st.Choice, st.ChoiceBy = a.Choice, by
		return one(Event{Kind: EvChoose, Seat: by, Pos: s.Pos, Value: a.Choice}), ""
	case ActRate:
		sc := s.Card(s.Step().Card).Scale
		lo, hi := 0, 10
		if sc != nil {
			lo, hi = sc.Min, sc.Max
		}
		if a.Value < lo || a.Value > hi {
			return nil, ErrOutOfRange
		}
		st := s.touchStep()
		st.Answers = append(st.Answers, Answer{Seat: by, Rating: a.Value, Rated: true})
		return one(Event{Kind: EvRate, Seat: by, Pos: s.Pos, Value: a.Value}), ""
	case ActBookmark:
		st := s.touchStep()
		st.Bookmarked = a.On
		return one(Event{Kind: EvBookmark, Seat: by, Pos: s.Pos, On: a.On}), ""
	case ActReact:
		if a.Value < 0 || a.Value >= len(Reactions) {
			return nil, ErrOutOfRange
		}
		return one(Event{Kind: EvReact, Seat: by, Value: a.Value}), ""
	case ActRequestPause, ActPause:
		s.Paused, s.PausedBy = true, by
		return one(Event{Kind: EvPause, Seat: by, On: true}), ""
	case ActResume:
		s.Paused, s.PausedBy = false, NoSeat
		return one(Event{Kind: EvPause, Seat: by}), ""
	case ActWriteBlank:
		return s.writeBlank(by, a.Text)
	case ActLeave:
		s.vacate(by)
		return one(Event{Kind: EvGone, Seat: by}), ""
	case ActLanguage:
		if !knownLanguage(a.Lang) {
			return nil, ErrBadLanguage
		}
		s.touchSeats()
		s.Seats[by].Lang = a.Lang
		return one(Event{Kind: EvLanguage, Seat: by, Text: a.Lang}), ""
	case ActAdmit:
		t := s.Seat(a.Seat)
		if t == nil || t.Status != Knocking {
			return nil, ErrNoSuchSeat
		}
		if s.count(Player, In) >= MaxPlayers {
			return nil, ErrRoomFull
		}
		s.touchSeats()
		s.Seats[a.Seat].Status = In
		return one(Event{Kind: EvJoin, Seat: a.Seat}), ""
	case ActRemove:
		t := s.Seat(a.Seat)
		if t == nil || t.Role == Host || t.Status == Gone {
			return nil, ErrNoSuchSeat
		}
		s.vacate(a.Seat)
		return one(Event{Kind: EvGone, Seat: a.Seat, On: true}), ""
	case ActClearKnocks:
		var evs []Event
		for _, seat := range s.Seats {
			if seat.Role == Player && seat.Status == Knocking {
				s.vacate(seat.ID)
				evs = append(evs, Event{Kind: EvGone, Seat: seat.ID, On: true})
			}
		}
		return evs, ""
	case ActLock:
		s.Locked = a.On
		return one(Event{Kind: EvLock, Seat: by, On: a.On}), ""
	case ActLockWatch:
		s.Watch = a.On
		return one(Event{Kind: EvWatchLock, Seat: by, On: a.On}), ""
	case ActNewWatch:
		return one(Event{Kind: EvNewWatch, Seat: by}), ""
	case ActTraining:
		s.Training = a.On
		return one(Event{Kind: EvTraining, Seat: by, On: a.On}), ""
	case ActDecks:
		return s.chooseDecks(a.Decks, a.Tags)
	case ActPickDeck:
		return s.chooseDecks(Toggled(s.Chosen, a.Text, a.On), s.Excluded)
	case ActLeaveOut:
		return s.chooseDecks(s.Chosen, Toggled(s.Excluded, a.Text, a.On))
	case ActStart:
		return s.start()
	case ActNext:
		if s.Pos < len(s.Path)-1 {
			s.Pos++
			return one(Event{Kind: EvCard, Seat: by, Pos: s.Pos, Value: len(s.Path)}), ""
		}
		return s.advance(by, false), ""
	case ActSkip:
		return s.advance(by, true), ""
	case ActBack:
		s.Pos--
		return one(Event{Kind: EvCard, Seat: by, Pos: s.Pos, Value: len(s.Path)}), ""
	case ActEnd:
		s.Phase = Summary
		return one(Event{Kind: EvEnd, Seat: by}), ""
	case ActClose:
		s.Phase = Closed
		return one(Event{Kind: EvClose, Seat: by}), ""
	}
	return nil, ErrUnknownAction
}

// system carries out what the server asks for on its own behalf.
func (s *State) system(a Action) ([]Event, Code) {
	switch a.Kind {
	case ActJoin:
		return s.join(a)
	case ActPresence:
		t := s.Seat(a.Seat)
		if t == nil || t.Status == Gone {
			return nil, ErrNoSuchSeat
		}
		if t.Online == a.On {
			return nil, ""
		}
		s.touchSeats()
		s.Seats[a.Seat].Online = a.On
		return one(Event{Kind: EvPresence, Seat: a.Seat, On: a.On}), ""
	case ActAddDeck:
		if s.Phase != Lobby {
			return nil, ErrWrongPhase
		}
		if a.Deck == nil || !a.Deck.Kind.Played() {
			return nil, ErrNoSuchDeck
		}
		i := slices.IndexFunc(s.Custom, func(d *deck.Deck) bool { return d.ID == a.Deck.ID })
		switch {
		case i >= 0:
			s.Custom = slices.Clone(s.Custom)
			s.Custom[i] = a.Deck
		case s.Lib.Deck(a.Deck.ID) != nil:
			return nil, ErrNoSuchDeck // never shadow a bundled deck
		case len(s.Custom) >= MaxCustom:
			return nil, ErrRoomFull
		default:
			s.Custom = append(slices.Clip(s.Custom), a.Deck)
		}
		s.Lib = s.Lib.With(a.Deck)
		return one(Event{Kind: EvLibrary, Seat: System, Text: a.Deck.ID}), ""
	}
	return nil, ErrUnknownAction
}

func (s *State) join(a Action) ([]Event, Code) {
	// The audience may watch the summary too (a projector that lost its
	// connection comes back to it); nobody knocks on a game that is over.
	if s.Phase == Closed || s.Phase == Summary && a.Role != Spectator {
		return nil, ErrWrongPhase
	}
	if a.Role != Player && a.Role != Spectator {
		return nil, ErrNotAllowed
	}
	nick := strings.TrimSpace(a.Text)
	if runes(nick) > MaxNick {
		return nil, ErrTooLong
	}
	if !cleanText(nick) || strings.Contains(nick, "\n") {
		return nil, ErrBadText
	}
	if !knownLanguage(a.Lang) {
		return nil, ErrBadLanguage
	}
	id := SeatID(slices.IndexFunc(s.Seats, func(t Seat) bool { return t.Vacant }))
	if id < 0 && len(s.Seats) >= MaxSeats {
		return nil, ErrRoomFull
	}
	if id < 0 {
		id = SeatID(len(s.Seats))
	}
	seat := Seat{ID: id, Role: a.Role, Nick: nick, Lang: a.Lang, Online: true}
	kind := EvJoin
	if a.Role == Player {
		if s.Locked {
			return nil, ErrRoomLocked
		}
		if s.count(Player, Knocking) >= MaxKnocking || s.count(Player, In) >= MaxPlayers {
			return nil, ErrRoomFull
		}
		seat.Status, kind = Knocking, EvKnock
	} else {
		if s.Watch {
			return nil, ErrRoomLocked
		}
		if s.count(Spectator, In) >= MaxSpectators {
			return nil, ErrRoomFull
		}
		seat.Status = In
	}
	s.touchSeats()
	if int(id) == len(s.Seats) {
		s.Seats = append(s.Seats, seat)
	} else {
		s.Seats[id] = seat
	}
	return one(Event{Kind: kind, Seat: seat.ID}), ""
}

// vacate marks seat id gone; a seat that never took part (at the door, or
// in the audience) leaves its id for the next newcomer.
func (s *State) vacate(id SeatID) {
	s.touchSeats()
	t := &s.Seats[id]
	t.Vacant = t.Status == Knocking || t.Role == Spectator
	t.Status, t.Online = Gone, false
}

func (s *State) chooseDecks(ids, tags []string) ([]Event, Code) {
	if len(ids) > MaxDecks || len(tags) > MaxTags {
		return nil, ErrTooLong
	}
	for i, id := range ids {
		d := s.Lib.Deck(id)
		if d == nil || !d.Kind.Played() || slices.Contains(ids[:i], id) {
			return nil, ErrNoSuchDeck
		}
	}
	for i, t := range tags {
		if !slices.Contains(deck.Tags, t) || slices.Contains(tags[:i], t) {
			return nil, ErrOutOfRange
		}
	}
	s.Chosen, s.Excluded = slices.Clone(ids), slices.Clone(tags)
	return one(Event{Kind: EvDecks, Seat: 0}), ""
}

// Toggled is list with v in it (at the end, if it was not) or without it,
// as ActPickDeck and ActLeaveOut change the chosen decks and the tags left
// out. Asking twice for the same is asking once: a tap sent again after a
// reconnect changes nothing, and a client may show its taps at once by
// applying them to the last lists it saw. list itself is never changed.
func Toggled(list []string, v string, on bool) []string {
	i := slices.Index(list, v)
	switch {
	case on && i < 0:
		return append(slices.Clone(list), v)
	case !on && i >= 0:
		return slices.Delete(slices.Clone(list), i, i+1)
	}
	return list
}

// start lays out the chosen decks and deals the first card. Question decks
// lose the cards carrying a tag left out; a story with such a tag is left
// out whole, since its scenes only make sense together.
func (s *State) start() ([]Event, Code) {
	var q []CardRef
	for _, id := range s.Chosen {
		d := s.Lib.Deck(id)
		if d == nil {
			continue
		}
		if d.Kind.Branching() {
			if !slices.ContainsFunc(d.Tags, func(t string) bool { return slices.Contains(s.Excluded, t) }) && d.Card(d.Start) != nil {
				q = append(q, CardRef{Deck: d.ID, Card: d.Start})
			}
			continue
		}
		var refs []CardRef
		for i := range d.Cards {
			c := &d.Cards[i]
			if c.Kind.Played() && !c.HasAnyTag(s.Excluded) {
				refs = append(refs, CardRef{Deck: d.ID, Card: c.ID})
			}
		}
		if d.Shuffle && len(refs) > 3 {
			s.shuffle(d, refs[1:len(refs)-1])
		}
		q = append(q, refs...)
	}
	if len(q) == 0 {
		return nil, ErrNoDecks
	}
	s.Phase, s.Queue, s.Path, s.Pos = Playing, q, nil, 0
	evs := []Event{{Kind: EvStart, Seat: 0}}
	ref, _ := s.nextRef()
	s.deal(ref)
	return append(evs, Event{Kind: EvCard, Seat: 0, Pos: 0, Value: 1}), ""
}

// shuffle shuffles refs, cards of d, each among the cards of its own part,
// so a deck that opens light and goes deeper still does whatever the seed.
// The checker keeps a deck's parts in order in its file.
func (s *State) shuffle(d *deck.Deck, refs []CardRef) {
	part := func(r CardRef) int {
		if c := d.Card(r.Card); c != nil {
			return c.InPart()
		}
		return 0
	}
	for len(refs) > 0 {
		n := 1
		for n < len(refs) && part(refs[n]) == part(refs[0]) {
			n++
		}
		run := refs[:n]
		for i := len(run) - 1; i > 0; i-- {
			j := s.rand(i + 1)
			run[i], run[j] = run[j], run[i]
		}
		refs = refs[n:]
	}
}

// advance puts the next card on the table; skip puts the current one aside
// first (with a story, the rest of the story too). With nothing left, the
// session goes to its summary.
func (s *State) advance(by SeatID, skip bool) []Event {
	var evs []Event
	var ref CardRef
	ok := false
	cur := s.Step()
	if c := s.Card(cur.Card); c != nil && !skip && c.IsScene() {
		if cur.Choice < 0 || cur.Choice >= len(c.Choices) {
			// Nobody chose (the card was passed): the story goes on by itself.
			st := s.touchStep()
			st.Choice, st.ChoiceBy = s.rand(len(c.Choices)), System
			evs = append(evs, Event{Kind: EvChoose, Seat: System, Pos: s.Pos, Value: st.Choice})
			cur = st
		}
		if next := c.Choices[cur.Choice].Next; next != "" && s.Card(CardRef{Deck: cur.Card.Deck, Card: next}) != nil {
			ref, ok = CardRef{Deck: cur.Card.Deck, Card: next}, true
		}
	}
	if st := &s.Path[s.Pos]; skip && len(st.Answers) == 0 && st.Choice < 0 && !st.Bookmarked {
		// A card nobody has touched leaves no trace; one that was played
		// or bookmarked stays in the path.
		s.Path = slices.Clip(s.Path[:s.Pos])
	}
	if !ok {
		ref, ok = s.nextRef()
	}
	if !ok || len(s.Path) >= MaxPath {
		s.Phase = Summary
		if skip && len(s.Path) > 0 {
			s.Pos = len(s.Path) - 1
		}
		return append(evs, Event{Kind: EvEnd, Seat: by})
	}
	s.deal(ref)
	return append(evs, Event{Kind: EvCard, Seat: by, Pos: s.Pos, Value: len(s.Path)})
}

// nextRef takes the next card from the queue.
func (s *State) nextRef() (CardRef, bool) {
	for len(s.Queue) > 0 {
		ref := s.Queue[0]
		s.Queue = s.Queue[1:]
		if s.Card(ref) != nil {
			return ref, true
		}
	}
	return CardRef{}, false
}

// deal puts the card ref on the table as the newest step, handing out the
// turn when the card is answered in turn.
func (s *State) deal(ref CardRef) {
	st := Step{Card: ref, Turn: NoSeat, Choice: -1, ChoiceBy: NoSeat}
	if c := s.Card(ref); c != nil && c.Answers() == deck.Turn {
		var table []SeatID
		for _, seat := range s.Seats {
			if seat.Status == In && seat.Role != Spectator {
				table = append(table, seat.ID)
			}
		}
		st.Turn = table[s.TurnNext%len(table)] // the host is always in
		s.TurnNext++
	}
	s.Path = append(slices.Clip(s.Path), st)
	s.Pos = len(s.Path) - 1
}

// writeBlank adds a player's own question. On an open blank card it becomes
// the card on the table; otherwise it comes next (after the story, if one is
// under way).
func (s *State) writeBlank(by SeatID, text string) ([]Event, Code) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, ErrEmpty
	}
	if runes(text) > MaxBlank {
		return nil, ErrTooLong
	}
	if !cleanText(text) {
		return nil, ErrBadText
	}
	if len(s.Blanks) >= MaxBlanks {
		return nil, ErrRoomFull
	}
	card := deck.Card{
		ID: fmt.Sprintf("own-%d", len(s.Blanks)+1), Kind: deck.Question, Answerer: deck.Both, Theme: "own",
		Text: deck.Text{s.Seats[by].Lang: text},
	}
	s.Blanks = append(slices.Clip(s.Blanks), Blank{Card: card, By: by})
	ref := CardRef{Card: card.ID}
	if st := s.Step(); st != nil && s.Pos == len(s.Path)-1 && s.Card(st.Card) != nil && s.Card(st.Card).Kind.Written() {
		st := s.touchStep()
		st.Card, st.Turn, st.Answers = ref, NoSeat, nil
		return one(Event{Kind: EvBlank, Seat: by, Pos: s.Pos, On: true}), ""
	}
	s.Queue = append([]CardRef{ref}, s.Queue...)
	return one(Event{Kind: EvBlank, Seat: by, Pos: s.Pos}), ""
}

// rand returns a number in [0, n) from the state's seed (splitmix64).
func (s *State) rand(n int) int {
	s.Seed += 0x9e3779b97f4a7c15
	z := s.Seed
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(n))
}

func one(e Event) []Event { return []Event{e} }
