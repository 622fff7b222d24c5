package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
)

func TestFullGame(t *testing.T) {
	s := lobby(t)
	s, _ = play(t, s, "host decks q,s,r -violence", "host start")
	if s.Phase != Playing {
		t.Fatalf("phase %v after start", s.Phase)
	}
	// The first and last question stay in place; q2 is left out by its tag.
	var ids []string
	for _, r := range append([]CardRef{s.Path[0].Card}, s.Queue...) {
		ids = append(ids, r.Card)
	}
	if got := strings.Join(ids, " "); !strings.HasPrefix(got, "q1 ") || !strings.Contains(got, " q5 a r1 r2") || strings.Contains(got, "q2") {
		t.Fatalf("dealt order %q", got)
	}
	var seen []string
	for s.Phase == Playing {
		st := s.Step()
		c := s.Card(st.Card)
		seen = append(seen, c.ID)
		switch {
		case c.Kind == deck.Blank:
			s, _ = play(t, s, "p write-blank Mikä on lempiruokasi?")
			if s.Card(s.Step().Card).Text.In("en") != "Mikä on lempiruokasi?" {
				t.Fatalf("own question not on the table: %+v", s.Step())
			}
			s, _ = play(t, s, "p answer pizza", "host answer keitto")
		case c.ID == "a":
			s, _ = play(t, s, "p choose 1", "p bookmark")
		case c.ID == "c":
			s, _ = play(t, s, "p pass") // nobody chooses: the story goes on by itself
		case c.Kind == deck.Story:
		case c.Kind == deck.Reflection:
			s, _ = play(t, s, "p rate 7")
		case st.Turn == 0:
			s, _ = play(t, s, "host answer")
		default:
			s, _ = play(t, s, "p pass")
		}
		s, _ = play(t, s, "host next")
	}
	if s.Phase != Summary {
		t.Fatalf("phase %v at the end", s.Phase)
	}
	joined := strings.Join(seen, " ")
	if !strings.Contains(joined, "a c ") || !(strings.Contains(joined, "c d r1") || strings.Contains(joined, "c e r1")) {
		t.Fatalf("story path %q", joined)
	}
	v := ViewOf(&s, 1)
	if v.Summary == nil || len(v.Summary.Steps) != len(seen) || len(v.Summary.Help) != 2 {
		t.Fatalf("summary %+v", v.Summary)
	}
	var marked []string
	for _, st := range v.Summary.Steps {
		if st.Bookmarked {
			marked = append(marked, st.Text)
		}
	}
	if !slices.Equal(marked, []string{"text a en"}) {
		t.Fatalf("bookmarks %q", marked)
	}
	if v.Summary.Steps[len(seen)-2].Ratings[0] != 7 {
		t.Fatalf("rating missing: %+v", v.Summary.Steps)
	}
	s, _ = play(t, s, "host close")
	if s.Phase != Closed {
		t.Fatalf("phase %v after close", s.Phase)
	}
}

func TestIllegalActionsChangeNothing(t *testing.T) {
	playing := []string{"host decks q,s,r", "host start"} // q1 is on the table; the host's turn
	tests := []struct {
		name  string
		setup []string
		act   string
		want  Code
	}{
		{"player starts", []string{"host decks q"}, "p start", ErrNotAllowed},
		{"spectator answers", playing, "2 answer hei", ErrNotAllowed},
		{"next in the lobby", nil, "host next", ErrWrongPhase},
		{"start without decks", nil, "host start", ErrNoDecks},
		{"unknown deck", nil, "host decks q,nope", ErrNoSuchDeck},
		{"help deck is not for play", nil, "host decks h", ErrNoSuchDeck},
		{"the same deck twice", nil, "host decks q,q", ErrNoSuchDeck},
		{"unknown tag", nil, "host decks q -nope", ErrOutOfRange},
		{"not your turn", playing, "p answer hei", ErrNotYours},
		{"answer twice", append(playing, "host answer"), "host answer", ErrAlreadyDone},
		{"choose on a question", playing, "host choose 0", ErrNoCard},
		{"rate a question", playing, "host rate 3", ErrNoCard},
		{"the worker chooses for the youth", []string{"host decks s", "host start"}, "host choose 0", ErrNotYours},
		{"no such choice", []string{"host decks s", "host start"}, "p choose 2", ErrNoSuchChoice},
		{"rating off the scale", []string{"host decks r", "host start"}, "p rate 11", ErrOutOfRange},
		{"back from the first card", playing, "host back", ErrAtStart},
		{"answer while paused", append(playing, "p request-pause"), "host answer", ErrPaused},
		{"pause twice", append(playing, "host pause"), "p request-pause", ErrPaused},
		{"resume when not paused", playing, "host resume", ErrWrongPhase},
		{"player resumes", append(playing, "host pause"), "p resume", ErrNotAllowed},
		{"next while the host is away", append(playing, "sys presence 0 off"), "host next", ErrPaused},
		{"knock on a locked room", []string{"host lock on"}, "sys join player Nick fi", ErrRoomLocked},
		{"knocker answers", append(playing, "sys join player Nick fi"), "3 answer hei", ErrNotAllowed},
		{"join as host", nil, "sys join host Nick fi", ErrNotAllowed},
		{"join in an unknown language", nil, "sys join player Nick xx", ErrBadLanguage},
		{"a client acts as the system", nil, "p join player Nick fi", ErrUnknownAction},
		{"unknown seat", playing, "99 answer", ErrNoSeat},
		{"admit nobody", nil, "host admit 7", ErrNoSuchSeat},
		{"remove the host", nil, "host remove 0", ErrNoSuchSeat},
		{"empty own question", playing, "p write-blank", ErrEmpty},
		{"own question too long", playing, "p write-blank " + strings.Repeat("ä", MaxBlank+1), ErrTooLong},
		{"answer too long", playing, "host answer " + strings.Repeat("x", MaxText+1), ErrTooLong},
		{"unknown language", playing, "p language xx", ErrBadLanguage},
		{"an answer that reorders text", playing, "host answer abc\u202edef", ErrBadText},
		{"a question with a control character", playing, "p write-blank mitä\x07", ErrBadText},
		{"a nickname that is not UTF-8", nil, "sys join player \xff\xfe fi", ErrBadText},
		{"react out of range", playing, "p react 9", ErrOutOfRange},
		{"host leaves", nil, "host leave", ErrNotAllowed},
		{"decks after start", playing, "host decks q", ErrWrongPhase},
		{"anything after close", []string{"host close"}, "p leave", ErrWrongPhase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := play(t, lobby(t), tt.setup...)
			by, a := parseAction(t, tt.act)
			before := encode(t, s)
			n, evs, err := Apply(s, by, a)
			var code Code
			if !errors.As(err, &code) || code != tt.want {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if evs != nil {
				t.Fatalf("events on error: %+v", evs)
			}
			if !slices.Equal(encode(t, n), before) || !slices.Equal(encode(t, s), before) {
				t.Fatal("state changed")
			}
			// A kind that is legal may still fail on its parameters; a
			// kind refused outright must not be offered to the client.
			if LegalFor(&s, by).Has(a.Kind) != (factsOf(&s, by).check(a.Kind) == "") {
				t.Fatalf("%v: legal set disagrees with check", a.Kind)
			}
			if by != System && !paramCode(code) && LegalFor(&s, by).Has(a.Kind) {
				t.Fatalf("%v is listed as legal", a.Kind)
			}
		})
	}
}

// paramCode reports whether c is about an action's parameters rather than
// its kind.
func paramCode(c Code) bool {
	switch c {
	case ErrNoSuchDeck, ErrOutOfRange, ErrTooLong, ErrEmpty, ErrBadLanguage, ErrNoSuchSeat, ErrNoSuchChoice, ErrBadText:
		return true
	}
	return false
}

func TestStoryChoices(t *testing.T) {
	tests := []struct {
		name  string
		moves []string
		path  string
	}{
		{"first options", []string{"p choose 0", "host next", "p choose 0", "host next"}, "a b d"},
		{"change of mind", []string{"p choose 0", "p choose 1", "host next", "p choose 1", "host next"}, "a c e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := play(t, lobby(t), "host decks s,r", "host start")
			s, _ = play(t, s, tt.moves...)
			var ids []string
			for _, st := range s.Path {
				ids = append(ids, st.Card.Card)
			}
			if got := strings.Join(ids, " "); got != tt.path {
				t.Fatalf("path %q, want %q", got, tt.path)
			}
		})
	}
}

func TestBackAndForthKeepsThePath(t *testing.T) {
	s, _ := play(t, lobby(t), "host decks s", "host start", "p choose 1", "host next", "p choose 0", "host back")
	if s.Pos != 0 || len(s.Path) != 2 {
		t.Fatalf("pos %d of %d", s.Pos, len(s.Path))
	}
	if _, _, err := Apply(s, 1, Action{Kind: ActChoose, Choice: 0}); !errors.Is(err, ErrChoiceLocked) {
		t.Fatalf("changing an earlier choice: %v", err)
	}
	s, _ = play(t, s, "host next", "host next") // back to c, then onward along its choice
	if got := s.Step().Card.Card; got != "d" {
		t.Fatalf("after c came %q", got)
	}
}

func TestSkipPutsTheStoryAside(t *testing.T) {
	tests := []struct {
		name  string
		moves []string
		path  string
	}{
		{"untouched scene leaves no trace", nil, "r1"},
		{"a chosen scene stays", []string{"p choose 1"}, "a r1"},
		{"a bookmarked scene stays", []string{"p bookmark"}, "a r1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := play(t, lobby(t), "host decks s,r", "host start")
			s, _ = play(t, s, append(tt.moves, "host skip")...)
			var ids []string
			for _, st := range s.Path {
				ids = append(ids, st.Card.Card)
			}
			if got := strings.Join(ids, " "); got != tt.path {
				t.Fatalf("path %q, want %q", got, tt.path)
			}
		})
	}
}

func TestReplayGivesTheSameState(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		actions := randomGame(seed, 300)
		a, b := New(seed, testLibrary(), "W", "fi"), New(seed, testLibrary(), "W", "fi")
		for _, ra := range actions {
			a, _, _ = Apply(a, ra.by, ra.a)
		}
		for _, ra := range actions {
			b, _, _ = Apply(b, ra.by, ra.a)
		}
		sameEncoding(t, "replayed states", a, b)
	}
}

func TestViewsFollowEvents(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		checkGame(t, New(seed, testLibrary(), "W", "fi"), randomGame(seed, 400))
	}
}

func TestOwnQuestionComesNext(t *testing.T) {
	s, _ := play(t, lobby(t), "host decks r", "host start", "p write-blank Mitä kuuluu?", "host next")
	c := s.Card(s.Step().Card)
	if c.Text.In("fi") != "Mitä kuuluu?" || ViewOf(&s, 0).Step.Card.By != 1 {
		t.Fatalf("next card %+v", c)
	}
}

func TestHostAloneAnswersYouthCards(t *testing.T) {
	s, _ := play(t, New(1, testLibrary(), "W", "fi"), "host decks r", "host start", "host rate 5", "host next", "host pass", "host next")
	if s.Phase != Summary {
		t.Fatalf("phase %v", s.Phase)
	}
}

// TestThoseWhoComeAndGoNeverUseUpARoom: a knock that goes away and a
// spectator who leaves leave their ids for the next newcomer, so knocking
// and leaving again and again never fills a room; a seat that took part
// keeps its id for good.
func TestThoseWhoComeAndGoNeverUseUpARoom(t *testing.T) {
	s := lobby(t) // the host, the player in seat 1, a spectator in seat 2
	for range 3 * MaxSeats {
		s, _ = play(t, s, "sys join player Koputtaja fi", "3 leave", "sys join spectator - fi", "3 leave")
	}
	if len(s.Seats) != 4 {
		t.Fatalf("%d seats after knocks and spectators came and went: ids are not reused", len(s.Seats))
	}
	s, _ = play(t, s, "2 leave", "p leave", "sys join player Uusi fi")
	if s.Seats[1].Vacant || s.Seats[1].Status != Gone || s.Seats[2].Nick != "Uusi" {
		t.Fatalf("a player who took part gave up their id, or a spectator's was not taken: %+v", s.Seats)
	}
	s, _ = play(t, s, "sys join player Toinen fi")
	s, evs := play(t, s, "host clear-knocks")
	if len(evs) != 2 || s.count(Player, Knocking) != 0 || !s.Seats[2].Vacant || !s.Seats[3].Vacant {
		t.Fatalf("clear-knocks: %d events, seats %+v", len(evs), s.Seats)
	}
	if _, _, err := Apply(s, 0, Action{Kind: ActClearKnocks}); !errors.Is(err, ErrNoSuchSeat) {
		t.Fatalf("clearing an empty door: %v", err)
	}
}

// TestTheHostClosesTheSpectatorDoor: with the door closed no spectator
// joins, while players still knock; a new spectator code is the host's
// business alone.
func TestTheHostClosesTheSpectatorDoor(t *testing.T) {
	s := lobby(t)
	s, _ = play(t, s, "2 leave", "host lock-watch on")
	var evs []Event
	if _, _, err := Apply(s, System, Action{Kind: ActJoin, Role: Spectator, Lang: "fi"}); !errors.Is(err, ErrRoomLocked) {
		t.Fatalf("a spectator at a closed door: %v", err)
	}
	s, _ = play(t, s, "sys join player Toinen fi", "host lock-watch off", "sys join spectator - fi")
	s, evs = play(t, s, "host new-watch")
	if len(evs) != 1 || evs[0].Kind != EvNewWatch {
		t.Fatalf("new-watch: %+v", evs)
	}
	for id, want := range map[SeatID]int{0: 1, 1: 0, 3: 0} { // 2: the knock took the spectator's old id
		if got := len(Personalize(&s, evs, id)); got != want {
			t.Errorf("seat %d sees %d new-watch events, want %d", id, got, want)
		}
	}
	if _, _, err := Apply(s, 1, Action{Kind: ActNewWatch}); err == nil {
		t.Fatal("a player made a new spectator code")
	}
}

// TestShuffleKeepsParts deals a deck of three parts under many seeds: the
// first and last cards stay in place, no card of a later part comes before
// one of an earlier part, and within a part the order does change.
func TestShuffleKeepsParts(t *testing.T) {
	t3 := func(s string) deck.Text { return deck.Text{"fi": s} }
	parts := []int{0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3}
	d := &deck.Deck{ID: "p", Kind: deck.Questions, Title: t3("Parts"), Shuffle: true}
	for i, p := range parts {
		d.Cards = append(d.Cards, deck.Card{ID: fmt.Sprintf("c%d", i), Kind: deck.Question, Part: p, Text: t3("q"), Note: t3("n")})
	}
	orders := map[string]bool{}
	for seed := range uint64(1000) {
		s := New(seed, NewLibrary(d), "Worker", "fi")
		s, _ = play(t, s, "host decks p", "host start")
		ids := []string{s.Path[0].Card.Card}
		for _, r := range s.Queue {
			ids = append(ids, r.Card)
		}
		if len(ids) != len(parts) || ids[0] != "c0" || ids[len(ids)-1] != fmt.Sprintf("c%d", len(parts)-1) {
			t.Fatalf("seed %d: %v: the first and last card moved", seed, ids)
		}
		last := 0
		for _, id := range ids {
			p := d.Card(id).InPart()
			if p < last {
				t.Fatalf("seed %d: %v: part %d after part %d", seed, ids, p, last)
			}
			last = p
		}
		orders[fmt.Sprint(ids)] = true
	}
	// 4! · 3! · 2! = 288 orders are possible; a thousand seeds meet most.
	if len(orders) < 100 {
		t.Errorf("only %d orders in 1000 shuffles", len(orders))
	}
}

// TestPickingDecksOneAtATime: a deck or a tag at a time, each tap counts
// whatever came before it, a tap sent twice counts once, and the order of
// the picks is the order of play.
func TestPickingDecksOneAtATime(t *testing.T) {
	s := lobby(t)
	s, _ = play(t, s, "host pick-deck r", "host pick-deck q", "host pick-deck s", "host pick-deck q on", "host leave-out violence")
	if !slices.Equal(s.Chosen, []string{"r", "q", "s"}) || !slices.Equal(s.Excluded, []string{"violence"}) {
		t.Fatalf("chosen %v, left out %v", s.Chosen, s.Excluded)
	}
	s, _ = play(t, s, "host pick-deck q off", "host pick-deck q off", "host leave-out violence off", "host leave-out violence off")
	if !slices.Equal(s.Chosen, []string{"r", "s"}) || len(s.Excluded) != 0 {
		t.Fatalf("after taking back: chosen %v, left out %v", s.Chosen, s.Excluded)
	}
	for _, tt := range []struct {
		by   SeatID
		a    Action
		want Code
	}{
		{0, Action{Kind: ActPickDeck, Text: "x", On: true}, ErrNoSuchDeck},
		{0, Action{Kind: ActPickDeck, Text: "h", On: true}, ErrNoSuchDeck}, // help services are not played
		{0, Action{Kind: ActLeaveOut, Text: "sleep", On: true}, ErrOutOfRange},
		{1, Action{Kind: ActPickDeck, Text: "q", On: true}, ErrNotAllowed},
		{1, Action{Kind: ActLeaveOut, Text: "violence", On: true}, ErrNotAllowed},
	} {
		if _, _, err := Apply(s, tt.by, tt.a); !errors.Is(err, tt.want) {
			t.Errorf("%d %v %q: %v, want %v", tt.by, tt.a.Kind, tt.a.Text, err, tt.want)
		}
	}
	s, _ = play(t, s, "host start")
	if _, _, err := Apply(s, 0, Action{Kind: ActPickDeck, Text: "q", On: true}); !errors.Is(err, ErrWrongPhase) {
		t.Errorf("picking a deck while playing: %v", err)
	}
}
