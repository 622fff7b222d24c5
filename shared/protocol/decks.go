package protocol

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/shared/deck"
)

// Decks are the decks a server plays, as it hands them to a page (GET
// /decks) for a game on that device alone (client/session.Table): the
// decks' own msgpack form, never the YAML trainers write.
type Decks struct {
	V     int          `msgpack:"v"` // the protocol version that wrote it
	Decks []*deck.Deck `msgpack:"d"`
}

// EncodeDecks encodes decks for a page to keep.
func EncodeDecks(decks []*deck.Deck) ([]byte, error) {
	return msgpack.Marshal(Decks{V: Version, Decks: decks})
}

// DecodeDecks decodes what EncodeDecks wrote, checking the bytes first as
// every frame is checked.
func DecodeDecks(b []byte) ([]*deck.Deck, error) {
	if err := Check(b); err != nil {
		return nil, err
	}
	var d Decks
	if err := msgpack.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%w: decks: %v", ErrMalformed, err)
	}
	if d.V < MinVersion || d.V > Version {
		return nil, fmt.Errorf("protocol: decks of version %d", d.V)
	}
	return d.Decks, nil
}
