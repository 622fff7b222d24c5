package ui

import (
	"testing"
	"time"

	"github.com/pore/elamanipeli/shared/deck"
)

// pressedOn is whether the mirror shows the toggle id pressed, and whether
// the screen has id at all.
func pressedOn(g *Game, p *fakePlatform, id string) (on, shown bool) {
	g.build()
	g.mirror()
	for _, a := range p.acts {
		if a.ID == id {
			return a.Pressed == 1, true
		}
	}
	return false, false
}

// TestScenesKeepTheirStateAcrossTheSettings: a scene's state outlives a
// visit to the settings. The table does not reveal its card again, and
// keeps the worker note open and the question asked again; the dashboard
// keeps the participants picked to pair.
func TestScenesKeepTheirStateAcrossTheSettings(t *testing.T) {
	visitSettings := func(t *testing.T, g *Game) {
		t.Helper()
		press(t, g, "settings")
		if g.screen() != "settings" {
			t.Fatalf("the settings button shows %q", g.screen())
		}
		press(t, g, "done")
	}

	t.Run("table", func(t *testing.T) {
		seat := seatOf(until(t, room(t, playing("tutustutaan")...), deck.Question, false), 0)
		if seat.st.View.Step.Card.Note == "" {
			t.Fatal("the card has no worker note to open")
		}
		g, p := newTestGame(t, 768, 1024, 1, seat)
		now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		g.now = func() time.Time { return now }
		g.follow()
		if !g.moving() {
			t.Fatal("a new card is not revealed")
		}
		now = now.Add(time.Second)
		if g.moving() {
			t.Fatal("the reveal still plays a second later")
		}
		press(t, g, "note")
		press(t, g, "end")
		visitSettings(t, g)
		g.follow()
		if g.screen() != "table" || g.moving() {
			t.Errorf("back at %q, the card's reveal plays again: %v", g.screen(), g.moving())
		}
		if on, _ := pressedOn(g, p, "note"); !on {
			t.Error("the worker note closed")
		}
		if _, shown := pressedOn(g, p, "end-yes"); !shown {
			t.Error("the question asked again is gone")
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		g, p := newTestGame(t, 1280, 800, 1, trainerSeat(workshopDay(0, 4)))
		press(t, g, "person-1")
		press(t, g, "person-3")
		visitSettings(t, g)
		for _, id := range []string{"person-1", "person-3"} {
			if on, _ := pressedOn(g, p, id); !on {
				t.Errorf("%s is no longer picked", id)
			}
		}
		if _, shown := pressedOn(g, p, "pair"); !shown {
			t.Error("the pair button is gone")
		}
	})
}
