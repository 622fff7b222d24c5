package rules

import "github.com/pore/elamanipeli/shared/deck"

// ActionKind is what a seat asks for.
type ActionKind uint8

// Actions. The numbers cross the wire: add new ones at the end.
const (
	ActNone ActionKind = iota

	// Anyone at the table (host or player).
	ActAnswer       // mark the card answered; Text optionally carries a typed answer
	ActPass         // pass the card, no reason asked
	ActChoose       // choose option Choice of a story scene
	ActRate         // rate a reflection card: Value on its scale
	ActBookmark     // On: "let's come back to this"
	ActReact        // a passing reaction: Value is one of Reactions
	ActRequestPause // any player can stop the game; the host resumes
	ActWriteBlank   // Text: a question of one's own, next on the table
	ActLeave        // leave the room
	ActLanguage     // Lang: see the cards in another language

	// The host.
	ActAdmit    // let the knocking seat Seat in
	ActRemove   // remove Seat from the room
	ActLock     // On: no new players may knock
	ActTraining // On: spectators see worker notes
	ActDecks    // choose Decks to play, leaving out cards tagged with any of Tags (the whole lists; see ActPickDeck)
	ActStart    // deal the first card
	ActNext     // the next card
	ActSkip     // put this card (or the rest of this story) aside
	ActBack     // the previous card
	ActPause    // pause the game
	ActResume   // carry on
	ActEnd      // go to the summary
	ActClose    // close the room

	// The server, as System.
	ActJoin     // a seat of Role with Nick and Lang arrives
	ActPresence // Seat's connection is up (On) or down
	ActAddDeck  // Deck joins the room's library

	// The host (added in protocol version 3).
	ActClearKnocks // send everyone knocking away
	ActLockWatch   // On: no new spectators may join
	ActNewWatch    // a new spectator code; the old one no longer lets anyone in

	// The host (added in protocol version 4): one deck or one tag at a time,
	// so that taps in quick succession on a slow network each count, where
	// a whole list built from the last echo would undo the tap before.
	ActPickDeck // Text: a deck; On: chosen (played after those chosen before) or not
	ActLeaveOut // Text: a content tag; On: its cards are left out or not

	actCount
)

var actionNames = [...]string{
	"none", "answer", "pass", "choose", "rate", "bookmark", "react", "request-pause", "write-blank",
	"leave", "language", "admit", "remove", "lock", "training", "decks", "start", "next", "skip",
	"back", "pause", "resume", "end", "close", "join", "presence", "add-deck", "clear-knocks",
	"lock-watch", "new-watch", "pick-deck", "leave-out",
}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return "action?"
}

// ActionKinds lists every action a seat can ask for.
func ActionKinds() []ActionKind {
	ks := make([]ActionKind, 0, actCount-1)
	for k := ActNone + 1; k < actCount; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Reactions are the small signs a player can send while someone talks.
var Reactions = []string{"heart", "laugh", "thinking", "wow", "thanks"}

// Action is a request to change the state. Fields that do not apply to its
// kind stay empty.
type Action struct {
	Kind   ActionKind `msgpack:"k"`
	Seat   SeatID     `msgpack:"s,omitempty"`
	Choice int        `msgpack:"c,omitempty"`
	Value  int        `msgpack:"v,omitempty"`
	On     bool       `msgpack:"o,omitempty"`
	Text   string     `msgpack:"t,omitempty"`
	Lang   string     `msgpack:"l,omitempty"`
	Role   Role       `msgpack:"r,omitempty"`
	Decks  []string   `msgpack:"d,omitempty"`
	Tags   []string   `msgpack:"g,omitempty"`
	Deck   *deck.Deck `msgpack:"-"` // ActAddDeck only; never from a client
}

// system reports whether only the server may ask for k.
func (k ActionKind) system() bool { return k == ActJoin || k == ActPresence || k == ActAddDeck }

// hostOnly reports whether only the host may ask for k.
func (k ActionKind) hostOnly() bool {
	return k >= ActAdmit && k <= ActClose || k >= ActClearKnocks && k <= ActLeaveOut
}
