package deckfile

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pore/elamanipeli/shared/deck"
)

// MaxUpload is the largest deck file, in bytes; larger input is refused
// before it is parsed.
const MaxUpload = 256 << 10

// MaxCards is the most cards a deck may have.
const MaxCards = 500

// maxWarnings is the most warnings Check gives about one file.
const maxWarnings = 50

// Parse reads one deck file. name is the file's name: one ending in .csv is
// read as a spreadsheet, anything else as YAML. Parse returns the deck, or
// no deck and every problem found, sorted by line.
func Parse(name string, data []byte) (*deck.Deck, Problems) {
	d, _, ps := parse(name, data)
	return d, ps
}

// Report is what the checker found in one file.
type Report struct {
	Deck     *deck.Deck // the deck, when the file has no problems
	Problems Problems   // mistakes, by line: the deck cannot be used until they are fixed
	Warnings Problems   // worth a look, by line; the deck can be used as it is
}

// Result is the report as the page gets it: codes and arguments, no deck.
func (r Report) Result() deck.CheckResult {
	res := deck.CheckResult{Problems: r.Problems, Warnings: r.Warnings}
	if r.Deck != nil {
		res.Deck, res.Cards = r.Deck.ID, len(r.Deck.Cards)
	}
	return res
}

// Check reads one deck file as Parse does and, when the deck is fine,
// compares its cards with each other and with the cards of others, the decks
// it will be played beside, and warns about near-duplicates. A deck in others
// with the file's own id is left out: it is an older copy of the same deck.
func Check(name string, data []byte, others []*deck.Deck) Report {
	d, ix, ps := parse(name, data)
	if d == nil {
		return Report{Problems: ps}
	}
	decks := []*deck.Deck{d}
	for _, o := range others {
		if o.ID != d.ID {
			decks = append(decks, o)
		}
	}
	lines := make(map[*deck.Card]int, len(d.Cards))
	for k := range d.Cards {
		lines[&d.Cards[k]] = ix.at(item("cards", k))
	}
	// Each card is warned about once, and a file at most maxWarnings times:
	// a deck of copies is told enough to see what is wrong.
	var ws Problems
	warned := map[*deck.Card]bool{}
	for p := range NearDuplicates(decks) {
		if len(ws) == maxWarnings {
			break
		}
		switch {
		case p.A.Deck != d:
		case p.B.Deck == d:
			if !warned[p.B.Card] {
				warned[p.B.Card] = true
				ws = append(ws, Problem{Line: lines[p.B.Card], Code: CodeNearDuplicate,
					Args: []string{p.B.Card.ID, p.A.Card.ID, "", strconv.Itoa(lines[p.A.Card])}})
			}
		case !warned[p.A.Card]:
			warned[p.A.Card] = true
			ws = append(ws, Problem{Line: lines[p.A.Card], Code: CodeNearDuplicate,
				Args: []string{p.A.Card.ID, p.B.Card.ID, p.B.Deck.ID, ""}})
		}
	}
	return Report{Deck: d, Warnings: ws.sort()}
}

var bom = []byte("\ufeff")

func parse(name string, data []byte) (d *deck.Deck, ix *index, ps Problems) {
	if len(data) > MaxUpload {
		return nil, newIndex(), Problems{{Code: CodeTooLarge, Args: []string{strconv.Itoa(len(data)), strconv.Itoa(MaxUpload)}}}
	}
	base := baseName(name)
	isCSV := strings.EqualFold(ext(base), ".csv")
	format := "YAML"
	if isCSV {
		format = "CSV"
	}
	defer func() {
		// The YAML library has had panics on malformed input; a deck file
		// is a problem to report, never a crash.
		if r := recover(); r != nil {
			d, ix, ps = nil, newIndex(), Problems{{Code: CodeSyntax, Args: []string{format, fmt.Sprintf("the file could not be read (%v)", r)}}}
		}
	}()
	data = bytes.TrimPrefix(data, bom)
	if line := invalidUTF8(data); line > 0 {
		return nil, newIndex(), Problems{{Line: line, Code: CodeNotUTF8}}
	}
	if isCSV {
		d, ix, ps = decodeCSV(base, string(data))
	} else {
		d, ix, ps = decodeYAML(string(data))
	}
	if d == nil {
		return nil, ix, ps.sort()
	}
	applyDefaults(d)
	ps = append(ps, check(d, ix, isCSV)...)
	if len(ps) > 0 {
		return nil, ix, ps.sort()
	}
	finish(d)
	return d, ix, nil
}

// invalidUTF8 returns the line of the first byte that is not UTF-8, or 0.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return 0
	}
	line := 1
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[n:]
	}
	return line
}

// baseName is the file name without its folders, whichever slash they use.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// ext is the file name's extension, with its dot.
func ext(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// applyDefaults fills in what a file may leave out: the youngest age, a
// card's kind from its deck's, and a reflection's 0–10 scale. Who answers
// stays empty: the rules know the default.
func applyDefaults(d *deck.Deck) {
	if d.MinAge == 0 {
		d.MinAge = deck.YoungestAge
	}
	for i := range d.Cards {
		c := &d.Cards[i]
		if c.Kind == "" {
			c.Kind = d.Kind.CardKind()
		}
		if c.Kind.Rated() && c.Scale == nil {
			c.Scale = &deck.Scale{Min: 0, Max: 10}
		}
	}
}

// finish tidies a deck that passed its checks: languages once each, card
// tags once each, and the deck's tags the union of its own and its cards'.
func finish(d *deck.Deck) {
	d.Languages = dedupe(d.Languages)
	tags := append([]string(nil), d.Tags...)
	for i := range d.Cards {
		c := &d.Cards[i]
		c.Tags = dedupe(c.Tags)
		if len(c.Choices) == 0 {
			c.Choices = nil
		}
		tags = append(tags, c.Tags...)
	}
	tags = dedupe(tags)
	slices.Sort(tags)
	if len(tags) == 0 {
		tags = nil
	}
	d.Tags = tags
}

func dedupe(list []string) []string {
	if list == nil {
		return nil
	}
	out := list[:0:0]
	seen := map[string]bool{}
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
