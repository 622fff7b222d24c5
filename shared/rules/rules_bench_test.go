package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// The hot path of a room: an action is applied, and every audience (role and
// language) gets its events personalized and encoded once.
//
//	go test -run XXX -bench . -benchmem ./shared/rules

// warmUp is a deck shaped like the bundled warm-up (shared/ reads no deck
// files, so it is built here): 27 shuffled question cards, each with its
// text and worker note in three languages at the bundled decks' lengths.
func warmUp() *deck.Deck {
	text := func(words int, what string) deck.Text {
		t := deck.Text{}
		for _, lang := range deck.Languages {
			t[lang] = strings.TrimSpace(strings.Repeat(what+" "+lang+" ", words/2))
		}
		return t
	}
	d := &deck.Deck{ID: "lammittely", Kind: deck.Questions, Title: text(2, "Lämmittely"), Shuffle: true}
	answerers := []deck.Answerer{deck.Turn, deck.Youth, deck.Both}
	for i := range 27 {
		d.Cards = append(d.Cards, deck.Card{
			ID: fmt.Sprintf("l-%02d", i+1), Kind: deck.Question, Theme: "arki", Answerer: answerers[i%3],
			Text: text(14, "kysymys"), Note: text(30, "muistiinpano"),
		})
	}
	return d
}

// table is a game under way: a host, a player and a spectator, the
// warm-up deck started, its first card on the table.
func table(b *testing.B) rules.State {
	b.Helper()
	s := rules.New(7, rules.NewLibrary(warmUp()), "Ohjaaja", "fi")
	for _, step := range []struct {
		by rules.SeatID
		a  rules.Action
	}{
		{rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: "Nuori", Lang: "fi"}},
		{0, rules.Action{Kind: rules.ActAdmit, Seat: 1}},
		{rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Spectator, Lang: "fi"}},
		{0, rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}}},
		{0, rules.Action{Kind: rules.ActStart}},
	} {
		n, _, err := rules.Apply(s, step.by, step.a)
		if err != nil {
			b.Fatalf("%v: %v", step.a.Kind, err)
		}
		s = n
	}
	return s
}

func BenchmarkApply(b *testing.B) {
	s := table(b)
	// The player answers the first card when it is theirs; otherwise the
	// host does.
	answerer := rules.SeatID(1)
	if _, _, err := rules.Apply(s, answerer, rules.Action{Kind: rules.ActAnswer}); err != nil {
		answerer = 0
	}
	for _, c := range []struct {
		name string
		by   rules.SeatID
		a    rules.Action
	}{
		{"next", 0, rules.Action{Kind: rules.ActNext}},
		{"answer", answerer, rules.Action{Kind: rules.ActAnswer, Text: "Ihan hyvä."}},
		{"react", 1, rules.Action{Kind: rules.ActReact, Value: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := rules.Apply(s, c.by, c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPersonalizeEncode is what a room does for each audience after an
// action: Personalize the events for a seat of that audience and encode the
// update once.
func BenchmarkPersonalizeEncode(b *testing.B) {
	s := table(b)
	for _, c := range []struct {
		name string
		a    rules.Action
	}{
		{"next", rules.Action{Kind: rules.ActNext}},
		{"react", rules.Action{Kind: rules.ActReact, Value: 1}},
	} {
		next, evs, err := rules.Apply(s, 0, c.a)
		if err != nil {
			b.Fatal(err)
		}
		for _, seat := range []struct {
			name string
			id   rules.SeatID
		}{{"host", 0}, {"player", 1}, {"spectator", 2}} {
			b.Run(c.name+"/"+seat.name, func(b *testing.B) {
				b.ReportAllocs()
				var size int
				for b.Loop() {
					pe := rules.Personalize(&next, evs, seat.id)
					f, err := protocol.Encode(protocol.Update{Seq: 1234, Events: pe})
					if err != nil {
						b.Fatal(err)
					}
					size = len(f)
				}
				b.ReportMetric(float64(size), "B/frame")
			})
		}
	}
}
