package deckfile

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/assets"
)

// BenchmarkCheckLargeDeck is what POST /check costs at its worst: a deck of
// MaxCards questions, parsed, checked and compared with itself and the
// bundled decks for near-duplicates. "different" has no near-duplicates, so
// every pair is compared; "copies" is nearly one question 500 times, so the
// warnings stop early.
func BenchmarkCheckLargeDeck(b *testing.B) {
	bundled, err := LoadFS(assets.Decks, "decks")
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields("mikä mitä missä milloin kenen kanssa sinua ilahduttaa jännittää väsyttää naurattaa " +
		"koulussa töissä kotona bussissa illalla aamulla kesällä talvella viikonloppuna kavereiden perheen " +
		"pelaaminen musiikki ruoka liikunta lepo raha asuminen unelma huoli rohkeus ystävä vapaa-aika")
	rng := rand.New(rand.NewPCG(1, 2))
	texts := map[string]func(i int) string{
		"different": func(int) string {
			var ws []string
			for range 9 {
				ws = append(ws, words[rng.IntN(len(words))])
			}
			return strings.Join(ws, " ") + "?"
		},
		"copies": func(i int) string { return "Kysymys numero " + strconv.Itoa(i) + " – mitä ajattelet tästä?" },
	}
	for _, name := range []string{"different", "copies"} {
		var sb strings.Builder
		sb.WriteString("id: iso\nkind: questions\ntitle: {fi: Iso}\nlanguages: [fi]\ncards:\n")
		for i := range MaxCards {
			sb.WriteString("  - id: k-" + strconv.Itoa(i) + "\n    text: {fi: \"" + texts[name](i) + "\"}\n    note: {fi: Muistiinpano.}\n")
		}
		data := []byte(sb.String())
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if r := Check("iso.yaml", data, bundled); r.Deck == nil {
					b.Fatalf("problems: %v", r.Problems)
				}
			}
		})
	}
}
