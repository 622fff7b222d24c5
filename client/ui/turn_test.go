package ui

import (
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestAStoryTurnFromChoiceToDone: a scene asks the one who chooses what
// happens next and names them to the others; after the choice its question
// can be answered aloud ("Vastasin"); once answered, both sides see that
// the turn is taken and who moves on.
func TestAStoryTurnFromChoiceToDone(t *testing.T) {
	s := until(t, room(t, playing("tarina-opiskelu")...), deck.Story, false)
	hears := func(s rules.State, id rules.SeatID, want ...string) *fakePlatform {
		t.Helper()
		g, p := newTestGame(t, 390, 844, 1, seatOf(s, id))
		g.build()
		g.mirror()
		for _, w := range want {
			if !strings.Contains(p.live, w) {
				t.Errorf("seat %d hears %q, without %q", id, p.live, w)
			}
		}
		return p
	}
	hears(s, 1, "Mitä seuraavaksi tapahtuu? Valitse yksi: 1.", "Sinun vuorosi.")
	hears(s, 0, "Aino valitsee, mitä seuraavaksi tapahtuu. 1.", "Vuorossa: Aino.")

	s = room(t, append(playing("tarina-opiskelu"), act(1, rules.Action{Kind: rules.ActChoose, Choice: 0}))...)
	p := hears(s, 1)
	if label(p, "answered") == "" {
		t.Errorf("after the choice the youth has no 'Vastasin': %+v", p.acts)
	}
	if strings.Contains(p.live, "Valitse yksi") {
		t.Errorf("the choice is made, yet asked again: %q", p.live)
	}

	s = room(t, append(playing("tarina-opiskelu"), act(1, rules.Action{Kind: rules.ActChoose, Choice: 0}), act(1, rules.Action{Kind: rules.ActAnswer}))...)
	hears(s, 0, "Vuoro on käytetty – seuraava kortti, kun olette valmiita.")
	hears(s, 1, "Vuoro on käytetty – Ohjaaja vaihtaa kortin.")
}
