package gametest

import (
	"sync"
	"testing"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

var (
	bundledOnce  sync.Once
	bundledDecks []*deck.Deck
	bundledErr   error
)

// Bundled returns a library of the decks the game ships with.
func Bundled(t testing.TB) *rules.Library {
	t.Helper()
	bundledOnce.Do(func() { bundledDecks, bundledErr = deckfile.LoadFS(assets.Decks, "decks") })
	if bundledErr != nil {
		t.Fatalf("bundled decks: %v", bundledErr)
	}
	return rules.NewLibrary(bundledDecks...)
}
