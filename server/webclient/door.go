package webclient

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/shared/deck"
)

// The door is what an invitation link shows before the client runs: a
// nickname and a button to knock (or to join a workshop), drawn by the page
// itself (index.html, main.js). The young person types and knocks while the
// client still downloads, and the client starts only then, knocking with
// what they typed. On a phone on a slow network the client's download and
// Go's start take 13 s or more, and they no longer stand between the link
// and its first tap (BENCHMARKS.md, "The door").

// doorKeys are the client's texts the door shows, from its catalogs.
var doorKeys = []string{
	"lang.name", "app.title", "start.tagline",
	"start.invited", "start.invited-workshop", "start.nick", "start.nick-placeholder",
	"start.knock", "start.join-workshop", "start.not-this", "start.not-this-workshop",
	"start.privacy", "door.loading", "door.waiting",
}

// doorLanguage is one language of the door: its code and its texts by key.
type doorLanguage struct {
	Lang  string            `json:"lang"`
	Texts map[string]string `json:"texts"`
}

// doorJSON is what index.html gives main.js for the door (its form's
// data-door): the languages in the client's order, Finnish first, read once
// from the catalogs the client is built with (assets/i18n).
var doorJSON = sync.OnceValue(func() string {
	var d []doorLanguage
	for _, lang := range deck.Languages {
		b, err := fs.ReadFile(assets.I18n, "i18n/"+lang+".json")
		if err != nil {
			continue // the client has no catalog for it either
		}
		var all map[string]string
		if err := json.Unmarshal(b, &all); err != nil {
			panic(fmt.Sprintf("i18n/%s.json: %v", lang, err)) // embedded: the tests catch it
		}
		l := doorLanguage{Lang: lang, Texts: map[string]string{}}
		for _, k := range doorKeys {
			l.Texts[k] = all[k]
		}
		d = append(d, l)
	}
	b, _ := json.Marshal(d) // strings only
	return string(b)
})
