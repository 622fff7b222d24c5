package deckfile

import (
	"testing"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

func bundled(t *testing.T) []*deck.Deck {
	t.Helper()
	decks, err := LoadFS(assets.Decks, "decks")
	if err != nil {
		t.Fatal(err)
	}
	return decks
}

// TestNoNearDuplicatesInBundledDecks: a worker may choose any bundled decks
// together, and a young person should not meet one question twice.
func TestNoNearDuplicatesInBundledDecks(t *testing.T) {
	for _, p := range NearDuplicates(bundled(t)) {
		t.Errorf("%s/%s and %s/%s share %.2f of their trigrams:\n  %s\n  %s", p.A.Deck.ID, p.A.Card.ID, p.B.Deck.ID, p.B.Card.ID, p.Share,
			p.A.Card.Text.In("fi"), p.B.Card.Text.In("fi"))
	}
}

// TestNearDuplicateMeasure checks the measure on pairs the threshold was
// chosen from: light rewordings are caught, different questions are not.
func TestNearDuplicateMeasure(t *testing.T) {
	tests := []struct {
		a, b string
		near bool
	}{
		{"Mitä teet mieluiten sadepäivänä?", "Mitä teet mieluiten sateisena päivänä?", true},
		{"Mikä saa sinut nopeasti hyvälle tuulelle?", "Mikä saa sinut hyvälle tuulelle?", true},
		{"Mikä saa sinut nauramaan?", "MIKÄ saa sinut nauramaan!!", true},
		{"Mikä saa sinut nauramaan kunnolla?", "Mikä saa sinut innostumaan?", false},
		{"Mikä ruoka maistuisi juuri nyt?", "Mikä on paras ääni, jonka tiedät?", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" / "+tt.b, func(t *testing.T) {
			s := Similarity(tt.a, tt.b)
			if (s >= NearDuplicate) != tt.near {
				t.Errorf("share %.2f, near-duplicate %v, want %v", s, s >= NearDuplicate, tt.near)
			}
		})
	}
}

// TestDeepestPartNeverComesFirst deals every bundled deck that has parts a
// thousand times and checks that the cards of its deepest part never come
// before those of its light first part, nor any part before an earlier one.
func TestDeepestPartNeverComesFirst(t *testing.T) {
	decks := bundled(t)
	lib := rules.NewLibrary(decks...)
	withParts := 0
	for _, d := range decks {
		deepest := 0
		for i := range d.Cards {
			deepest = max(deepest, d.Cards[i].InPart())
		}
		if deepest < 2 {
			continue
		}
		withParts++
		t.Run(d.ID, func(t *testing.T) {
			for seed := range uint64(1000) {
				s := rules.New(seed, lib, "Ohjaaja", "fi")
				s, _, err := rules.Apply(s, 0, rules.Action{Kind: rules.ActDecks, Decks: []string{d.ID}})
				if err == nil {
					s, _, err = rules.Apply(s, 0, rules.Action{Kind: rules.ActStart})
				}
				if err != nil {
					t.Fatal(err)
				}
				order := append([]rules.CardRef{s.Path[0].Card}, s.Queue...)
				lastLight, firstDeep, last := -1, len(order), 0
				for i, r := range order {
					p := d.Card(r.Card).InPart()
					if p == 1 {
						lastLight = i
					}
					if p == deepest {
						firstDeep = min(firstDeep, i)
					}
					if p < last && i < len(order)-1 {
						t.Fatalf("seed %d: %s (part %d) after part %d", seed, r.Card, p, last)
					}
					last = max(last, p)
				}
				if firstDeep < lastLight {
					t.Fatalf("seed %d: %s of the deepest part comes before %s of the light one", seed, order[firstDeep].Card, order[lastLight].Card)
				}
			}
		})
	}
	if withParts < 2 {
		t.Errorf("%d bundled decks have parts; tutustutaan and vahvuudet-ja-tulevaisuus should", withParts)
	}
}
