package ui

import (
	"testing"

	"github.com/pore/elamanipeli/shared/rules"
)

// TestHostControlsTheDoors: the host can send every knock away, copy the
// spectator link, close the door to new spectators and make a new spectator
// code, and each of these is a button the screen-reader mirror offers too.
func TestHostControlsTheDoors(t *testing.T) {
	s := room(t,
		func(rules.State) (rules.SeatID, rules.Action) {
			return rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: "Eetu", Lang: "fi"}
		})
	seat := seatOf(s, 0)
	g, p := newTestGame(t, 768, 1024, 1, seat)
	g.build()
	g.mirror()
	offered := map[string]bool{}
	for _, a := range p.acts {
		offered[a.ID] = true
	}
	for _, id := range []string{"clear-knocks", "copy-watch", "watch-lock", "new-watch"} {
		if !offered[id] {
			t.Errorf("the mirror does not offer %q (offers %v)", id, offered)
		}
	}
	press(t, g, "clear-knocks")
	press(t, g, "watch-lock")
	press(t, g, "new-watch")
	press(t, g, "copy-watch")
	want := []rules.Action{{Kind: rules.ActClearKnocks}, {Kind: rules.ActLockWatch, On: true}, {Kind: rules.ActNewWatch}}
	if len(seat.acts) != len(want) {
		t.Fatalf("sent %+v, want %+v", seat.acts, want)
	}
	for i, a := range seat.acts {
		if a.Kind != want[i].Kind || a.On != want[i].On {
			t.Errorf("action %d: %+v, want %+v", i, a, want[i])
		}
	}
	// Each action is one the rules allow the host here.
	for _, a := range want {
		if _, _, err := rules.Apply(s, 0, a); err != nil {
			t.Errorf("%v refused by the rules: %v", a.Kind, err)
		}
	}
	// A single knock needs no "everyone" button.
	one := seatOf(room(t), 0)
	g1, _ := newTestGame(t, 768, 1024, 1, one)
	g1.build()
	for _, w := range g1.frame.widgets {
		if w.ID == "clear-knocks" {
			t.Error("one knock offers the button for sending everyone away")
		}
	}
}

// TestMirrorButtonsActWithoutCanvasInput: a screen reader presses the
// mirror's button with a DOM click or Enter, and no pointer or key reaches
// the canvas; the press must still act, once.
func TestMirrorButtonsActWithoutCanvasInput(t *testing.T) {
	seat := seatOf(room(t), 0)
	g, p := newTestGame(t, 390, 844, 1, seat)
	if err := g.Update(); err != nil {
		t.Fatal(err)
	}
	p.mirrored = []string{"watch-lock"}
	for range 3 {
		if err := g.Update(); err != nil {
			t.Fatal(err)
		}
	}
	if len(seat.acts) != 1 || seat.acts[0].Kind != rules.ActLockWatch || !seat.acts[0].On {
		t.Fatalf("after a mirror press: sent %+v, want one lock-watch", seat.acts)
	}
}
