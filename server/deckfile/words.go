package deckfile

import (
	"encoding/json"
	"io/fs"
	"strings"
	"sync"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/shared/deck"
)

// The checker's words are not here: each code's message is a template under
// "check." and the code in the translation catalogs (assets/i18n), which the
// client reads too, so a problem reads the same on the page as from
// -check-deck (deck.Expand says how a template fills in its arguments).

// catalogs reads the embedded catalogs once. They are checked by tests, so a
// broken one only makes messages show their keys, never a failure.
var catalogs = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range deck.Languages {
		b, err := fs.ReadFile(assets.I18n, "i18n/"+l+".json")
		if err != nil {
			continue
		}
		var c map[string]string
		if json.Unmarshal(b, &c) == nil {
			out[l] = c
		}
	}
	return out
})

// Words returns how lang's catalog says a key, falling back to Finnish, the
// game's first language, for a language the game does not have.
func Words(lang string) deck.Lookup {
	c, ok := catalogs()[lang]
	if !ok {
		c = catalogs()[deck.DefaultLanguage]
	}
	return func(key string) (string, bool) {
		s, ok := c[key]
		return s, ok
	}
}

// Message says what p is, with its line, in lang ("fi", "sv" or "en";
// anything else gets Finnish).
func Message(p Problem, lang string) string { return p.Message(Words(lang)) }

// LanguageFrom picks the language for a person at a terminal from the
// environment (LC_ALL, then LC_MESSAGES, then LANG, as the C library does):
// "sv_FI.UTF-8" is Swedish; anything the game has no words for is Finnish.
func LanguageFrom(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		s := getenv(v)
		if s == "" {
			continue
		}
		l, _, _ := strings.Cut(strings.ToLower(s), "_")
		l, _, _ = strings.Cut(l, ".")
		for _, known := range deck.Languages {
			if l == known {
				return known
			}
		}
		return deck.DefaultLanguage // "C", "POSIX", or a language we lack
	}
	return deck.DefaultLanguage
}
