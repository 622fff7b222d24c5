package session_test

import (
	"testing"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestATableOnThisDevicePlaysAWholeGame: with the decks a server hands out
// (GET /decks, decoded as the page decodes them) and no server, a worker
// and a young person play a story, a question deck and the reflection
// cards to the summary on one device: choices, answers, ratings, a
// bookmark, a pause, and the help services at the end; a refused action is
// reported to its seat; each seat sees its own view.
func TestATableOnThisDevicePlaysAWholeGame(t *testing.T) {
	b, err := protocol.EncodeDecks(gametest.Bundled(t).Decks())
	if err != nil {
		t.Fatal(err)
	}
	decks, err := protocol.DecodeDecks(b)
	if err != nil {
		t.Fatal(err)
	}
	woken := 0
	host, youth, err := session.NewTable(rules.NewLibrary(decks...), 7, "Sanna", "Eero", "fi", func() { woken++ })
	if err != nil {
		t.Fatal(err)
	}
	if st := host.State(); !st.Local || !st.HasView || st.View.Phase != rules.Lobby || len(st.View.Seats) != 2 || st.Role != rules.Host {
		t.Fatalf("the host's table: %+v", st)
	}
	if st := youth.State(); st.Role != rules.Player || st.View.Seat(1).Status != rules.In {
		t.Fatalf("the young person's seat: %+v", st)
	}
	youth.Act(rules.Action{Kind: rules.ActStart}) // only the host starts
	if e := <-youth.Events(); e.Ack == nil || e.Ack.Code != rules.ErrNotAllowed {
		t.Fatalf("a refused start: %+v", e)
	}
	host.Act(rules.Action{Kind: rules.ActPickDeck, Text: "tarina-opiskelu", On: true})
	host.Act(rules.Action{Kind: rules.ActPickDeck, Text: "lammittely", On: true})
	host.Act(rules.Action{Kind: rules.ActPickDeck, Text: "elamanalueet", On: true})
	host.Act(rules.Action{Kind: rules.ActStart})
	rated := 0
	for n := 0; host.State().View.Phase == rules.Playing && n < 300; n++ {
		v := host.State().View
		seat := map[rules.SeatID]*session.Local{0: host, 1: youth}
		for _, id := range v.Answerers() {
			s := seat[id]
			sv := s.State().View
			switch {
			case sv.Step.Card.IsScene() && sv.Step.Choice < 0:
				s.Act(rules.Action{Kind: rules.ActChoose, Choice: 0})
			case sv.Step.Card.Kind.Rated():
				s.Act(rules.Action{Kind: rules.ActRate, Value: 7})
				rated++
			case sv.Step.Card.Kind == deck.Blank:
				s.Act(rules.Action{Kind: rules.ActPass})
			default:
				s.Act(rules.Action{Kind: rules.ActAnswer})
			}
		}
		if n == 3 {
			youth.Act(rules.Action{Kind: rules.ActBookmark, On: true})
			youth.Act(rules.Action{Kind: rules.ActRequestPause})
			if !host.State().View.Paused {
				t.Fatal("the young person's pause did not pause the table")
			}
			host.Act(rules.Action{Kind: rules.ActResume})
		}
		host.Act(rules.Action{Kind: rules.ActNext})
	}
	st := youth.State()
	if st.View.Phase != rules.Summary || st.View.Summary == nil {
		t.Fatalf("the game did not reach its summary: %v", st.View.Phase)
	}
	if len(st.View.Summary.Help) == 0 || len(st.View.Summary.Steps) < 10 {
		t.Errorf("summary: %d help services, %d steps", len(st.View.Summary.Help), len(st.View.Summary.Steps))
	}
	marked, ratings := 0, 0
	for _, step := range st.View.Summary.Steps {
		if step.Bookmarked {
			marked++
		}
		ratings += len(step.Ratings)
	}
	if rated == 0 || ratings == 0 || marked != 1 {
		t.Errorf("%d ratings given, %d in the summary; %d bookmarks, want 1", rated, ratings, marked)
	}
	if woken == 0 {
		t.Error("the table never woke the screen")
	}
}
