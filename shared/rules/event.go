package rules

// EventKind is what happened.
type EventKind uint8

// Events. The numbers cross the wire: add new ones at the end.
const (
	EvNone EventKind = iota

	EvKnock    // Seat knocks (host sees it)
	EvJoin     // Seat is at the table (admitted, or a spectator arrived)
	EvGone     // Seat left or was removed; On: removed by the host
	EvPresence // Seat's connection came (On) or went
	EvLanguage // Seat changed language
	EvLock     // On: locked
	EvTraining // On: training mode
	EvDecks    // the chosen decks or the tags left out changed
	EvLibrary  // a deck joined the room's library
	EvStart    // the game began
	EvCard     // step Pos is on the table (a new card, or back and forth)
	EvAnswer   // Seat answered, Text is what they typed
	EvPass     // Seat passed
	EvChoose   // Seat chose option Value (System: the story went on by itself)
	EvRate     // Seat rated Value
	EvBookmark // step Pos bookmarked (On) or not, by Seat
	EvReact    // Seat sent reaction Value
	EvPause    // On: paused by Seat; off: resumed
	EvBlank    // Seat wrote a question of their own; it is next, or on the table now
	EvEnd      // the summary
	EvClose    // the room is closed

	EvWatchLock // On: no new spectators may join
	EvNewWatch  // the host asked for a new spectator code (the server makes it)

	evCount
)

var eventNames = [...]string{
	"none", "knock", "join", "gone", "presence", "language", "lock", "training", "decks", "library",
	"start", "card", "answer", "pass", "choose", "rate", "bookmark", "react", "pause", "blank", "end",
	"close", "watch-lock", "new-watch",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "event?"
}

// Event is one thing that happened in a room. Apply fills in the plain
// fields; Personalize adds what a given seat needs to bring its view up to
// date (the seat, the card in its language, the summary).
type Event struct {
	Kind  EventKind `msgpack:"k"`
	Seat  SeatID    `msgpack:"s"`
	Pos   int       `msgpack:"p,omitempty"`
	Value int       `msgpack:"v,omitempty"`
	On    bool      `msgpack:"o,omitempty"`
	Text  string    `msgpack:"t,omitempty"`

	SeatInfo *SeatView    `msgpack:"si,omitempty"`
	Step     *StepView    `msgpack:"st,omitempty"`
	Decks    []DeckInfo   `msgpack:"dk,omitempty"`
	Chosen   []string     `msgpack:"ch,omitempty"`
	Excluded []string     `msgpack:"ex,omitempty"`
	Summary  *SummaryView `msgpack:"su,omitempty"`
}
