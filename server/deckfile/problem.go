package deckfile

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pore/elamanipeli/shared/deck"
)

// Problem is one mistake in a deck file: a line (0 for the whole file), a
// stable code that crosses the wire, and the arguments its words need.
type Problem = deck.Problem

// Problems is every mistake found in a file, sorted by line.
type Problems []Problem

// Problem codes. Each has words under "check." and the code in every
// translation catalog.
const (
	CodeTooLarge      = "too-large"      // the file is over MaxUpload
	CodeNotUTF8       = "not-utf8"       // the file is not UTF-8 text
	CodeSyntax        = "syntax"         // not valid YAML or CSV
	CodeAlias         = "alias"          // a YAML alias (*name): refused, never expanded
	CodeTooComplex    = "too-complex"    // nested too deeply or too many tokens
	CodeTooManyCells  = "too-many-cells" // a spreadsheet with too many separators
	CodeLongKey       = "long-key"       // a key too long to be one (usually text with ": ")
	CodeManyDocs      = "many-docs"      // more than one YAML document
	CodeEmpty         = "empty"          // nothing in the file
	CodeNotADeck      = "not-a-deck"     // the file is YAML but not a mapping of keys
	CodeUnknownKey    = "unknown-key"    // a key the format does not have
	CodeDupKey        = "dup-key"        // the same key twice in one place
	CodeBadType       = "bad-type"       // a value of the wrong shape (a list for a text…)
	CodeMissingKey    = "missing-key"    // a required key is missing
	CodeMissingText   = "missing-text"   // a text is missing or empty in a language
	CodeBadID         = "bad-id"         // an id that is not ^[a-z0-9][a-z0-9-]{0,47}$
	CodeDupID         = "dup-id"         // two cards with one id
	CodeNoSuchCard    = "no-such-card"   // a choice leads to a card that does not exist
	CodeUnreachable   = "unreachable"    // a scene the story never reaches
	CodeDeadEnd       = "dead-end"       // a scene whose every way on is broken
	CodeLoop          = "loop-without-exit"
	CodeNoEnding      = "no-ending"          // a story without an ending
	CodeBadTag        = "bad-tag"            // a content tag not in deck.Tags
	CodeBadKind       = "bad-kind"           // a card kind not in deck.Kinds
	CodeBadDeckKind   = "bad-deck-kind"      // a deck kind not in deck.DeckKinds
	CodeKindMismatch  = "kind-mismatch"      // a card kind the deck's kind does not allow
	CodeBadAnswerer   = "bad-answerer"       // not youth, worker, both or turn
	CodeBadLanguage   = "bad-language"       // a language the game does not have
	CodeBadTheme      = "bad-theme"          // a reflection theme that is not a life area
	CodeTooLong       = "too-long"           // a text over its length in runes
	CodeTooManyCards  = "too-many-cards"     // over MaxCards
	CodeNoCards       = "no-cards"           // a deck without cards
	CodeNoStart       = "no-start"           // a story without a valid start
	CodeChoicesCount  = "choices-count"      // a scene with 1 or more than 3 choices
	CodeBadScale      = "bad-scale"          // not 0 <= min < max <= 10
	CodeNoContact     = "no-contact"         // a help card without phone or url
	CodeBadURL        = "bad-url"            // a contact url that is not http(s)
	CodeBadPhone      = "bad-phone"          // a phone number with letters in it
	CodeNotForKind    = "not-for-kind"       // a card key its kind does not use
	CodeNotForDeck    = "not-for-deck"       // a deck key its kind does not use
	CodeDupDeck       = "dup-deck"           // two files with one deck id (LoadFS)
	CodeNoTextColumn  = "no-text-column"     // a CSV header without a text column
	CodeExtraCells    = "extra-cells"        // a CSV row with text in an unnamed column
	CodeCSVQuote      = "csv-quote"          // a CSV quote mark out of place
	CodeColonInText   = "colon-in-text"      // an unquoted text with ": " in it
	CodeCommaInText   = "comma-in-text"      // an unquoted text with ", " in it, inside { }
	CodeTab           = "tab"                // a tab in the indentation
	CodeIndent        = "indent"             // a line indented unlike its neighbours
	CodeUnknownColumn = CodeUnknownKey       // a CSV header names an unknown column
	CodeForeignHeader = "csv-foreign-header" // a CSV first row of column names, none of them known
	CodeEmptyCard     = "empty-card"         // a card with nothing in it
	CodePartOrder     = "part-order"         // a card of an earlier part after a later one
	CodeBadAge        = "bad-age"            // an age outside the game's
)

// Warning codes: what the checker points out without refusing the deck.
const (
	CodeNearDuplicate = "near-duplicate" // two cards that ask almost the same
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
	CodeColonInText, CodeCommaInText, CodeTab, CodeIndent, CodeTooManyCells,
	CodeForeignHeader, CodeEmptyCard, CodePartOrder, CodeBadAge, CodeNearDuplicate,
}

// Error lists the problems in English, one a line: the words of a server
// that refuses to start, for whoever runs it.
func (ps Problems) Error() string {
	return strings.Join(ps.Messages("en"), "\n")
}

// Messages returns each problem's message in lang.
func (ps Problems) Messages(lang string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = Message(p, lang)
	}
	return out
}

// WarningMessages returns each warning's message in lang, marked as a
// warning ("rivi 12: huomio: …").
func (ps Problems) WarningMessages(lang string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.WarningMessage(Words(lang))
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
