package deckfile

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one mistake in a deck file. Code is stable and crosses the wire;
// Args fill in its message (a key, a value quoted from the file, a number).
type Problem struct {
	Line int // 1-based; 0 means the whole file
	Code string
	Args []string
}

// Problems is every mistake found in a file, sorted by line.
type Problems []Problem

// Problem codes. Each has a message in Finnish, Swedish and English.
const (
	CodeTooLarge      = "too-large"    // the file is over MaxUpload
	CodeNotUTF8       = "not-utf8"     // the file is not UTF-8 text
	CodeSyntax        = "syntax"       // not valid YAML or CSV
	CodeAlias         = "alias"        // a YAML alias (*name): refused, never expanded
	CodeTooComplex    = "too-complex"  // nested too deeply or too many tokens
	CodeLongKey       = "long-key"     // a key too long to be one (usually text with ": ")
	CodeManyDocs      = "many-docs"    // more than one YAML document
	CodeEmpty         = "empty"        // nothing in the file
	CodeNotADeck      = "not-a-deck"   // the file is YAML but not a mapping of keys
	CodeUnknownKey    = "unknown-key"  // a key the format does not have
	CodeDupKey        = "dup-key"      // the same key twice in one place
	CodeBadType       = "bad-type"     // a value of the wrong shape (a list for a text…)
	CodeMissingKey    = "missing-key"  // a required key is missing
	CodeMissingText   = "missing-text" // a text is missing or empty in a language
	CodeBadID         = "bad-id"       // an id that is not ^[a-z0-9][a-z0-9-]{0,47}$
	CodeDupID         = "dup-id"       // two cards with one id
	CodeNoSuchCard    = "no-such-card" // a choice leads to a card that does not exist
	CodeUnreachable   = "unreachable"  // a scene the story never reaches
	CodeDeadEnd       = "dead-end"     // a scene whose every way on is broken
	CodeLoop          = "loop-without-exit"
	CodeNoEnding      = "no-ending"      // a story without an ending
	CodeBadTag        = "bad-tag"        // a content tag not in deck.Tags
	CodeBadKind       = "bad-kind"       // a card kind not in deck.Kinds
	CodeBadDeckKind   = "bad-deck-kind"  // a deck kind not in deck.DeckKinds
	CodeKindMismatch  = "kind-mismatch"  // a card kind the deck's kind does not allow
	CodeBadAnswerer   = "bad-answerer"   // not youth, worker, both or turn
	CodeBadLanguage   = "bad-language"   // a language the game does not have
	CodeBadTheme      = "bad-theme"      // a reflection theme that is not a life area
	CodeTooLong       = "too-long"       // a text over its length in runes
	CodeTooManyCards  = "too-many-cards" // over MaxCards
	CodeNoCards       = "no-cards"       // a deck without cards
	CodeNoStart       = "no-start"       // a story without a valid start
	CodeChoicesCount  = "choices-count"  // a scene with 1 or more than 3 choices
	CodeBadScale      = "bad-scale"      // not 0 <= min < max <= 10
	CodeNoContact     = "no-contact"     // a help card without phone or url
	CodeBadURL        = "bad-url"        // a contact url that is not http(s)
	CodeBadPhone      = "bad-phone"      // a phone number with letters in it
	CodeNotForKind    = "not-for-kind"   // a card key its kind does not use
	CodeNotForDeck    = "not-for-deck"   // a deck key its kind does not use
	CodeDupDeck       = "dup-deck"       // two files with one deck id (LoadFS)
	CodeNoTextColumn  = "no-text-column" // a CSV header without a text column
	CodeExtraCells    = "extra-cells"    // a CSV row with text in an unnamed column
	CodeCSVQuote      = "csv-quote"      // a CSV quote mark out of place
	CodeColonInText   = "colon-in-text"  // an unquoted text with ": " in it
	CodeCommaInText   = "comma-in-text"  // an unquoted text with ", " in it, inside { }
	CodeTab           = "tab"            // a tab in the indentation
	CodeIndent        = "indent"         // a line indented unlike its neighbours
	CodeUnknownColumn = CodeUnknownKey   // a CSV header names an unknown column
)

// Codes lists every problem code, for tests and for clients that translate
// codes themselves.
var Codes = []string{
	CodeTooLarge, CodeNotUTF8, CodeSyntax, CodeAlias, CodeTooComplex, CodeLongKey,
	CodeManyDocs, CodeEmpty, CodeNotADeck, CodeUnknownKey, CodeDupKey, CodeBadType,
	CodeMissingKey, CodeMissingText, CodeBadID, CodeDupID, CodeNoSuchCard,
	CodeUnreachable, CodeDeadEnd, CodeLoop, CodeNoEnding, CodeBadTag, CodeBadKind,
	CodeBadDeckKind, CodeKindMismatch, CodeBadAnswerer, CodeBadLanguage, CodeBadTheme,
	CodeTooLong, CodeTooManyCards, CodeNoCards, CodeNoStart, CodeChoicesCount,
	CodeBadScale, CodeNoContact, CodeBadURL, CodeBadPhone, CodeNotForKind,
	CodeNotForDeck, CodeDupDeck, CodeNoTextColumn, CodeExtraCells, CodeCSVQuote,
	CodeColonInText, CodeCommaInText, CodeTab, CodeIndent,
}

// Message says what is wrong, with the line, in lang ("fi", "sv" or "en";
// anything else gets English).
func (p Problem) Message(lang string) string {
	t, ok := messages[p.Code]
	if !ok {
		t = texts{
			fi: func(a args) string { return "virhe " + a.q(-1) },
			sv: func(a args) string { return "fel " + a.q(-1) },
			en: func(a args) string { return "problem " + a.q(-1) },
		}
	}
	a := args{list: p.Args, code: p.Code}
	var prefix, body string
	switch lang {
	case "fi":
		prefix, body = "rivi ", t.fi(a)
	case "sv":
		prefix, body = "rad ", t.sv(a)
	default:
		prefix, body = "line ", t.en(a)
	}
	if p.Line <= 0 {
		return body
	}
	return prefix + strconv.Itoa(p.Line) + ": " + body
}

// Error lists the problems in English, one a line.
func (ps Problems) Error() string {
	return strings.Join(ps.Messages("en"), "\n")
}

// Messages returns each problem's message in lang.
func (ps Problems) Messages(lang string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Message(lang)
	}
	return out
}

// sort orders problems by line, keeping the order they were found in on one
// line, and drops exact repeats.
func (ps Problems) sort() Problems {
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
	return slices.CompactFunc(ps, func(a, b Problem) bool {
		return a.Line == b.Line && a.Code == b.Code && slices.Equal(a.Args, b.Args)
	})
}

// quote shortens a value from the file for a message and makes it safe to
// print: no line breaks or control characters, at most 60 runes.
func quote(s string) string {
	const max = 60
	out := strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if utf8.RuneCountInString(out) > max {
		return string([]rune(out)[:max]) + "…"
	}
	return out
}

// runes counts the characters a player sees.
func runes(s string) int { return utf8.RuneCountInString(s) }
