package deckfile

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
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
	for p := range NearDuplicates(bundled(t)) {
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

// TestStoryTable checks the table of the bundled stories in the decks'
// README against the stories themselves, and that in each story most choice
// scenes lead to different next scenes.
func TestStoryTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| story | choice scenes | lead to different next scenes | endings |\n|---|---|---|---|\n")
	for _, d := range bundled(t) {
		if !d.Kind.Branching() {
			continue
		}
		scenes, differ, endings := 0, 0, 0
		var same []string
		for i := range d.Cards {
			c := &d.Cards[i]
			if c.Ending() {
				endings++
				continue
			}
			scenes++
			if slices.ContainsFunc(c.Choices, func(ch deck.Choice) bool { return ch.Next != c.Choices[0].Next }) {
				differ++
			} else {
				same = append(same, c.ID)
			}
		}
		if 2*differ <= scenes {
			t.Errorf("%s: only %d of %d choice scenes lead to different next scenes; all the same in %v", d.ID, differ, scenes, same)
		}
		fmt.Fprintf(&b, "| %s (`%s`) | %d | %d | %d |\n", d.Title.In("fi"), d.ID, scenes, differ, endings)
	}
	const path = "../../assets/decks/README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)(<!-- stories:begin -->\n).*?(<!-- stories:end -->)`)
	if !re.Match(readme) {
		t.Fatalf("%s has no <!-- stories:begin --> … <!-- stories:end --> table", path)
	}
	want := re.ReplaceAllLiteral(readme, []byte("<!-- stories:begin -->\n"+b.String()+"<!-- stories:end -->"))
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(want) != string(readme) {
		t.Errorf("the story table in %s is out of date (go test ./server/deckfile -run TestStoryTable -update); it should read:\n%s", path, b.String())
	}
}

// TestHelpNumbersLiveInTheHelpDeck: every help-service number is in the help
// deck, which the summary reads; no other deck repeats one, so a number
// that changes is changed in one place.
func TestHelpNumbersLiveInTheHelpDeck(t *testing.T) {
	phone := regexp.MustCompile(`\b(1\d\d \d\d\d|112|0\d{1,3}[ -]?\d{3,4}[ -]?\d{3,4})\b`)
	var numbers []string
	for _, d := range bundled(t) {
		for i := range d.Cards {
			c := &d.Cards[i]
			texts := []deck.Text{c.Title, c.Text, c.Prompt, c.Note}
			for _, ch := range c.Choices {
				texts = append(texts, ch.Text)
			}
			for _, tx := range texts {
				for l, s := range tx {
					found := phone.FindAllString(s, -1)
					if len(found) > 0 && !c.Kind.Service() {
						t.Errorf("%s/%s (%s) has a phone number %v: help numbers belong in the help deck", d.ID, c.ID, l, found)
					}
					numbers = append(numbers, found...)
				}
			}
			if c.Contact != nil && c.Contact.Phone != "" {
				numbers = append(numbers, c.Contact.Phone)
			}
		}
	}
	// CONTENT.md's services, MIELI's Swedish line among them.
	for _, n := range []string{"116 111", "09 2525 0111", "09 2525 0112", "112"} {
		if !slices.Contains(numbers, n) {
			t.Errorf("the help deck does not have %s", n)
		}
	}
}

// TestReadmeExampleIsValid: the short example in the decks' README is a
// deck a trainer can copy, so it must pass the checker.
func TestReadmeExampleIsValid(t *testing.T) {
	readme, err := os.ReadFile("../../assets/decks/README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A short example\n\n```yaml\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("no example under ## A short example")
	}
	d, ps := Parse("omat-kysymykset.yaml", m[1])
	if len(ps) > 0 {
		t.Fatalf("the README's example has problems:\n%v", ps)
	}
	if d.Cards[0].InPart() != 1 || !d.Shuffle {
		t.Errorf("the example should show a part and a shuffle: %+v", d)
	}
}
