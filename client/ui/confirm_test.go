package ui

import (
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

func sent(seat *fakeSeat, kind rules.ActionKind) int {
	n := 0
	for _, a := range seat.acts {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

func mirrored(g *Game, p *fakePlatform, id string) bool {
	g.build()
	g.mirror()
	for _, a := range p.acts {
		if a.ID == id {
			return a.Enabled
		}
	}
	return false
}

// TestEndingAsksOnce: one tap on "end" does not end the game; the question
// and its answers are buttons the mirror offers; Cancel and Escape take it
// back; a yes ends the game.
func TestEndingAsksOnce(t *testing.T) {
	s := room(t, playing("tutustutaan")...)
	seat := seatOf(s, 0)
	g, p := newTestGame(t, 768, 1024, 1, seat)
	press(t, g, "end")
	if n := sent(seat, rules.ActEnd); n != 0 {
		t.Fatal("one tap ended the game")
	}
	if !mirrored(g, p, "end-yes") || !mirrored(g, p, "cancel-end") {
		t.Fatalf("the question is not in the mirror: %+v", p.acts)
	}
	if !strings.HasPrefix(p.live, "Lopetetaanko peli?") {
		t.Errorf("a screen reader hears %q, not the question first", p.live)
	}
	press(t, g, "cancel-end")
	if mirrored(g, p, "end-yes") {
		t.Fatal("cancel left the question open")
	}
	press(t, g, "end")
	g.back() // Escape
	if mirrored(g, p, "end-yes") {
		t.Fatal("Escape left the question open")
	}
	press(t, g, "end")
	press(t, g, "end-yes")
	if n := sent(seat, rules.ActEnd); n != 1 {
		t.Fatalf("a yes sent %d ends", n)
	}
	if mirrored(g, p, "end-yes") {
		t.Fatal("the question stayed after the yes")
	}
}

// TestSkippingAStoryAsksOnceAndACardDoesNot: skipping a story's scene
// skips the rest of the story, so it asks; skipping a question card stays
// one tap.
func TestSkippingAStoryAsksOnceAndACardDoesNot(t *testing.T) {
	story := seatOf(until(t, room(t, playing("tarina-arki-ja-tyo")...), deck.Story, false), 0)
	g, p := newTestGame(t, 390, 844, 1, story)
	press(t, g, "skip")
	if n := sent(story, rules.ActSkip); n != 0 {
		t.Fatal("one tap skipped the story")
	}
	if !mirrored(g, p, "skip-story-yes") {
		t.Fatal("the question is not in the mirror")
	}
	press(t, g, "skip-story-yes")
	if n := sent(story, rules.ActSkip); n != 1 {
		t.Fatalf("a yes sent %d skips", n)
	}

	card := seatOf(until(t, room(t, playing("tutustutaan")...), deck.Question, false), 0)
	g, _ = newTestGame(t, 390, 844, 1, card)
	press(t, g, "skip")
	if n := sent(card, rules.ActSkip); n != 1 {
		t.Fatalf("skipping a question card sent %d skips, want 1 at once", n)
	}
}
