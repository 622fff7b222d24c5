// Package i18n gives the client its texts in the player's language. The
// catalogs are plain JSON files under assets/i18n, one per language, each a
// flat map from key to text; a test makes sure every language has every key.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

// Catalog maps keys to texts in one language.
type Catalog map[string]string

// catalogs holds a parser for each embedded catalog (files named
// <lang>.json): a catalog is read when its language is first asked for, not
// at start. Reading all three took 44 ms of the browser client's start
// (WebAssembly), before its first frame; a player needs one or two.
var catalogs = func() map[string]func() Catalog {
	entries, err := fs.ReadDir(assets.I18n, "i18n")
	if err != nil {
		panic(err) // the catalogs are embedded: a test catches this before it ships
	}
	out := map[string]func() Catalog{}
	for _, e := range entries {
		if lang, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out[lang] = sync.OnceValue(func() Catalog { return parse("i18n/" + e.Name()) })
		}
	}
	return out
}()

func parse(name string) Catalog {
	var c Catalog
	b, err := fs.ReadFile(assets.I18n, name)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		panic(fmt.Errorf("i18n: %s: %w", name, err)) // embedded: a test catches this before it ships
	}
	return c
}

// catalog is lang's catalog, nil when there is none.
func catalog(lang string) Catalog {
	if c := catalogs[lang]; c != nil {
		return c()
	}
	return nil
}

// T translates into one language.
type T struct{ lang string }

// For returns the translator for lang, Finnish when lang is unknown.
func For(lang string) T {
	if _, ok := catalogs[lang]; !ok {
		lang = deck.DefaultLanguage
	}
	return T{lang: lang}
}

// Lang is the translator's language.
func (t T) Lang() string { return t.lang }

// S returns the text for key with {0}, {1}… replaced by args. A missing key
// falls back to Finnish, then shows the key itself, so a gap is visible but
// never breaks the screen.
func (t T) S(key string, args ...any) string {
	s, ok := catalog(t.lang)[key]
	if !ok {
		if s, ok = catalog(deck.DefaultLanguage)[key]; !ok {
			s = key
		}
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Err translates an error code from the server or the rules.
func (t T) Err(c rules.Code) string { return t.S("err." + string(c)) }

// Languages lists the languages with a catalog, Finnish first.
func Languages() []string {
	var out []string
	for _, l := range deck.Languages {
		if _, ok := catalogs[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// Keys returns every key of lang's catalog, for tests.
func Keys(lang string) []string {
	var out []string
	for k := range catalog(lang) {
		out = append(out, k)
	}
	return out
}

// Words is t's catalog as a lookup, falling back to Finnish as S does: the
// deck checker's templates (keys "check.…") are filled in through it.
func (t T) Words() deck.Lookup {
	return func(key string) (string, bool) {
		if s, ok := catalog(t.lang)[key]; ok {
			return s, true
		}
		s, ok := catalog(deck.DefaultLanguage)[key]
		return s, ok
	}
}

// Problem says a problem the server's deck checker found (POST /check, or
// a refused upload), with its line: the same words -check-deck prints.
func (t T) Problem(p deck.Problem) string { return p.Message(t.Words()) }

// Warning says something the checker points out without refusing the deck.
func (t T) Warning(p deck.Problem) string { return p.WarningMessage(t.Words()) }

// CheckSummary says on one line what a check found.
func (t T) CheckSummary(r deck.CheckResult) string { return r.Summary(t.Words()) }
