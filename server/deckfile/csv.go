package deckfile

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
)

// maxCells bounds the separators in a file: 500 rows of ten cells, with
// room for commas inside the texts.
const maxCells = 16 << 10

// csvColumns are the columns a spreadsheet deck may have, in any order.
var csvColumns = []string{"id", "theme", "answers", "tags", "part", "text_fi", "text_sv", "text_en", "note_fi", "note_sv", "note_en"}

// columnWords are the Finnish and Swedish names of the columns, so that a
// group can head its sheet in its own language (tunnus;teksti;muistiinpano).
// A text or a note without a language (teksti, fråga) is in Finnish, the
// game's first language; teksti_sv and anteckning_sv are in Swedish.
var columnWords = map[string]string{
	"tunnus": "id", "teema": "theme", "aihe": "theme", "tema": "theme",
	"vastaa": "answers", "vastaaja": "answers", "svarar": "answers", "svarare": "answers",
	"tunnisteet": "tags", "tagit": "tags", "taggar": "tags", "osa": "part", "del": "part",
	"text": "text", "teksti": "text", "kysymys": "text", "fråga": "text",
	"note": "note", "muistiinpano": "note", "huomio": "note", "anteckning": "note",
}

// column returns the column a header cell names, in the words of csvColumns,
// or "".
func column(cell string) string {
	name := strings.ToLower(strings.Trim(cell, " \t\r\"'"))
	if contains(csvColumns, name) {
		return name
	}
	word, lang, suffixed := strings.Cut(name, "_")
	canon := columnWords[word]
	switch {
	case canon != "text" && canon != "note":
		if suffixed {
			return ""
		}
		return canon
	case !suffixed:
		return canon + "_" + deck.DefaultLanguage
	case contains(deck.Languages, lang):
		return canon + "_" + lang
	}
	return ""
}

// decodeCSV reads a spreadsheet of questions (see the package comment for
// the rules). base is the file name without its folder.
func decodeCSV(base, src string) (*deck.Deck, *index, Problems) {
	ix := newIndex()
	var ps Problems
	add := func(line int, code string, args ...string) {
		ps = append(ps, Problem{Line: line, Code: code, Args: args})
	}
	stem := strings.TrimSpace(strings.TrimSuffix(base, ext(base)))
	d := &deck.Deck{ID: idFromName(stem), Kind: deck.Questions, Title: deck.Text{}}

	comma, header := csvHeader(src)
	if strings.Count(src, string(comma)) > maxCells {
		// The CSV reader's memory grows with the cells in a row; a deck
		// has ten columns and some commas in its texts.
		return nil, ix, Problems{{Code: CodeTooManyCells}}
	}
	r := csv.NewReader(strings.NewReader(src))
	r.Comma = comma
	r.FieldsPerRecord = -1
	var cols []string // the column of each cell; "" is a cell without a name
	if header {
		rec, err := r.Read()
		if err != nil {
			return nil, ix, Problems{csvProblem(err)}
		}
		seen := map[string]bool{}
		for _, cell := range rec {
			name := column(cell)
			if name == "" {
				name = strings.ToLower(strings.TrimSpace(cell))
			}
			switch {
			case name == "":
			case !contains(csvColumns, name):
				add(1, CodeUnknownKey, quote(cell), suggest(name, csvColumns), strings.Join(csvColumns, ", "))
				name = "?" // reported: its cells are left out quietly
			case seen[name]:
				add(1, CodeDupKey, name, "1")
				name = "?"
			default:
				seen[name] = true
			}
			cols = append(cols, name)
		}
		for _, l := range deck.Languages {
			if seen["text_"+l] {
				d.Languages = append(d.Languages, l)
			}
		}
		if len(d.Languages) == 0 {
			add(1, CodeNoTextColumn)
			ix.broken["languages"] = true
		}
	} else {
		if cells := foreignHeader(src); cells != nil {
			return nil, ix, Problems{{Line: 1, Code: CodeForeignHeader, Args: cells}}
		}
		d.Languages = []string{"fi"}
	}
	ix.set("languages", 1)
	if stem == "" {
		stem = d.ID
	}
	title := []rune(stem)
	for _, l := range d.Languages {
		d.Title[l] = string(title[:min(len(title), maxTitle)])
	}

	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ps = append(ps, csvProblem(err))
			return nil, ix, ps
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if rows++; rows > MaxCards {
			continue // counted for the message, not read
		}
		k := len(d.Cards)
		p := item("cards", k)
		ix.set(p, line)
		c := deck.Card{ID: "q-" + strconv.Itoa(k+1)}
		if !header {
			// One question a line: a comma is part of the question.
			c.Text = deck.Text{"fi": strings.TrimSpace(strings.Join(rec, string(comma)))}
			d.Cards = append(d.Cards, c)
			continue
		}
		for i, cell := range rec {
			cell = strings.TrimSpace(cell)
			name := ""
			if i < len(cols) {
				name = cols[i]
			}
			if name == "" || name == "?" {
				if name == "" && cell != "" {
					add(line, CodeExtraCells, strconv.Itoa(i+1))
				}
				continue
			}
			switch field, lang, _ := strings.Cut(name, "_"); field {
			case "id":
				if cell != "" {
					c.ID = cell
				}
			case "theme":
				c.Theme = cell
			case "answers":
				c.Answerer = deck.Answerer(cell)
			case "part":
				if cell == "" {
					break
				}
				n, err := strconv.Atoi(cell)
				if err != nil || n < 1 || n > maxPart {
					add(line, CodeBadType, "part", "part")
					ix.broken[p+".part"] = true
					break
				}
				c.Part = n
				ix.set(p+".part", line)
			case "tags":
				c.Tags = splitWords(cell)
				for j := range c.Tags {
					ix.set(item(p+".tags", j), line)
				}
			case "text":
				c.Text = put(c.Text, lang, cell)
			case "note":
				c.Note = put(c.Note, lang, cell)
			}
		}
		d.Cards = append(d.Cards, c)
	}
	if rows > MaxCards {
		add(ix.at("cards"), CodeTooManyCards, strconv.Itoa(rows), strconv.Itoa(MaxCards))
	}
	return d, ix, ps
}

// put sets t[lang] = s, leaving out empty cells so that a missing text is
// reported as missing.
func put(t deck.Text, lang, s string) deck.Text {
	if s == "" {
		return t
	}
	if t == nil {
		t = deck.Text{}
	}
	t[lang] = s
	return t
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvHeader decides whether the first line is a header and which separator
// the file uses: the one that splits the first line into the most known
// column names. A file without a header uses commas.
func csvHeader(src string) (rune, bool) {
	first, _, _ := strings.Cut(src, "\n")
	best, bestN := ',', 0
	for _, sep := range []rune{',', ';', '\t'} {
		n := 0
		for cell := range strings.SplitSeq(first, string(sep)) {
			if column(cell) != "" {
				n++
			}
		}
		if n > bestN {
			best, bestN = sep, n
		}
	}
	return best, bestN > 0
}

// foreignHeader returns the cells of a first line that looks like a row of
// column names none of which the format knows (Frage;Notiz, or a typo in
// every one): two or more cells split by a separator, each one short word
// and no question. Such a row would otherwise become a question of its own.
func foreignHeader(src string) []string {
	first, _, _ := strings.Cut(src, "\n")
	first = strings.TrimSuffix(first, "\r")
	for _, sep := range []string{";", "\t", ","} {
		cells := strings.Split(first, sep)
		if len(cells) < 2 {
			continue
		}
		var names []string
		for _, cell := range cells {
			cell = strings.Trim(cell, " \"'")
			if cell == "" {
				continue
			}
			if runes(cell) > 24 || strings.ContainsAny(cell, " ?!.") {
				return nil
			}
			names = append(names, quote(cell))
		}
		if len(names) >= 2 {
			return names[:min(len(names), 6)]
		}
	}
	return nil
}

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) {
		return Problem{Line: pe.Line, Code: CodeCSVQuote}
	}
	if errors.As(err, &pe) {
		return Problem{Line: pe.Line, Code: CodeSyntax, Args: []string{"CSV", pe.Err.Error()}}
	}
	return Problem{Code: CodeSyntax, Args: []string{"CSV", "the file could not be read"}}
}

// idFromName makes a deck id from a file name: lowercase, å and ä as a, ö as
// o, every other character outside a–z, 0–9 and '-' as '-', no dash at
// either end or twice in a row, at most 48 characters.
func idFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'ä', 'å', 'á', 'à', 'â':
			r = 'a'
		case 'ö', 'ø', 'ó', 'ò', 'ô':
			r = 'o'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'ü', 'ú', 'ù':
			r = 'u'
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 48 {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "deck"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 48)], "-")
}
