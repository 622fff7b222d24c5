package rules

import "github.com/pore/elamanipeli/shared/deck"

// Library is the set of decks a room can use: the bundled ones and any a host
// brought. It never changes after it is made; adding a deck makes a new one.
type Library struct {
	decks []*deck.Deck
	byID  map[string]*deck.Deck
}

// NewLibrary makes a library of decks; a later deck with the same id wins.
func NewLibrary(decks ...*deck.Deck) *Library {
	l := &Library{byID: make(map[string]*deck.Deck, len(decks))}
	for _, d := range decks {
		l.put(d)
	}
	return l
}

func (l *Library) put(d *deck.Deck) {
	if _, ok := l.byID[d.ID]; ok {
		for i, old := range l.decks {
			if old.ID == d.ID {
				l.decks[i] = d
			}
		}
	} else {
		l.decks = append(l.decks, d)
	}
	l.byID[d.ID] = d
}

// With returns a new library with d added (or replacing a deck of its id).
func (l *Library) With(d *deck.Deck) *Library {
	n := NewLibrary(l.Decks()...)
	n.put(d)
	return n
}

// Decks returns the decks in the order they were added.
func (l *Library) Decks() []*deck.Deck {
	if l == nil {
		return nil
	}
	return append([]*deck.Deck(nil), l.decks...)
}

// Deck returns the deck with id, or nil.
func (l *Library) Deck(id string) *deck.Deck {
	if l == nil {
		return nil
	}
	return l.byID[id]
}

// HelpCards returns the cards of every help deck, in order.
func (l *Library) HelpCards() []*deck.Card {
	var cards []*deck.Card
	for _, d := range l.Decks() {
		if d.Kind.Played() {
			continue
		}
		for i := range d.Cards {
			cards = append(cards, &d.Cards[i])
		}
	}
	return cards
}
