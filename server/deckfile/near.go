package deckfile

import (
	"iter"
	"slices"
	"strings"
	"unicode"

	"github.com/pore/elamanipeli/shared/deck"
)

// Near-duplicates: when a worker chooses two decks, a young person should not
// meet the same question twice. Two cards are near-duplicates when their
// Finnish texts (or, without Finnish, the first text they have) share most of
// their letter trigrams: the texts are lowercased, cut into words, and every
// run of three letters, spaces between words included, is one trigram; the
// share is the Jaccard index, the trigrams both have over the trigrams either
// has. Trigrams rather than words, because Finnish bends its words
// ("sadepäivänä", "sateisena päivänä").
//
// NearDuplicate is 0.5: on the bundled decks the closest two different
// questions share 0.44 ("Mikä saa sinut nauramaan kunnolla?" and "Mikä saa
// sinut innostumaan?"), while rewording one question lightly scores 0.65 and
// more ("Mitä teet mieluiten sadepäivänä?" / "…sateisena päivänä?" 0.65,
// "Mikä saa sinut nopeasti hyvälle tuulelle?" / "…hyvälle tuulelle?" 0.72).
// A measure of letters cannot see that two differently worded questions ask
// the same; it catches copies and light rewordings, and a person reads the
// rest.
const NearDuplicate = 0.5

// Pair is two cards that ask almost the same.
type Pair struct {
	A, B  CardAt
	Share float64 // the Jaccard index of their trigrams
}

// CardAt names a card in a deck.
type CardAt struct {
	Deck *deck.Deck
	Card *deck.Card
}

// NearDuplicates yields every pair of cards in decks whose texts share at
// least NearDuplicate of their trigrams, in the order of the decks and their
// cards. Help services and blank cards (whose text only asks a player to
// write) are left out, and so are two cards of one reflection deck in
// different life areas: such a deck asks the same questions of every area on
// purpose.
func NearDuplicates(decks []*deck.Deck) iter.Seq[Pair] {
	type entry struct {
		at  CardAt
		tri []int32 // sorted trigram ids
	}
	ids := map[string]int32{}
	var all []entry
	for _, d := range decks {
		for i := range d.Cards {
			c := &d.Cards[i]
			if !c.Kind.Played() || c.Kind.Written() {
				continue
			}
			all = append(all, entry{CardAt{d, c}, trigramIDs(c.Text.In(deck.DefaultLanguage), ids)})
		}
	}
	return func(yield func(Pair) bool) {
		for i := range all {
			for j := i + 1; j < len(all); j++ {
				a, b := all[i], all[j]
				if a.at.Deck == b.at.Deck && a.at.Deck.Kind == deck.Reflections && a.at.Card.Theme != b.at.Card.Theme {
					continue
				}
				// The share is at most the smaller set over the larger: texts of
				// very different lengths are not compared at all.
				if float64(min(len(a.tri), len(b.tri))) < NearDuplicate*float64(max(len(a.tri), len(b.tri))) {
					continue
				}
				if s := jaccard(a.tri, b.tri); s >= NearDuplicate && !yield(Pair{a.at, b.at, s}) {
					return
				}
			}
		}
	}
}

// Similarity is the share of trigrams two texts have in common.
func Similarity(a, b string) float64 {
	ids := map[string]int32{}
	return jaccard(trigramIDs(a, ids), trigramIDs(b, ids))
}

// trigramIDs numbers the trigrams of s, sorted and each once.
func trigramIDs(s string, ids map[string]int32) []int32 {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	rs := []rune(" " + strings.Join(words, " ") + " ")
	var out []int32
	for i := 0; i+3 <= len(rs); i++ {
		t := string(rs[i : i+3])
		id, ok := ids[t]
		if !ok {
			id = int32(len(ids))
			ids[t] = id
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []int32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	both := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			both++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}
