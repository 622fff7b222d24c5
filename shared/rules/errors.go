package rules

// Code is an error code that crosses the wire; the client translates it into
// the player's language. Codes only ever get added.
type Code string

// Error codes returned by Apply.
const (
	ErrUnknownAction Code = "unknown-action"
	ErrNoSeat        Code = "no-seat"        // the acting seat is not in the room
	ErrNotAllowed    Code = "not-allowed"    // this role may not do that
	ErrWrongPhase    Code = "wrong-phase"    // not now: lobby, playing, summary or closed
	ErrPaused        Code = "paused"         // the game is paused
	ErrNotYours      Code = "not-yours"      // someone else answers this card
	ErrAlreadyDone   Code = "already-done"   // answered or passed already
	ErrChoiceLocked  Code = "choice-locked"  // an earlier scene's choice can no longer change
	ErrNoCard        Code = "no-card"        // no card on the table, or the wrong kind of card
	ErrNoSuchSeat    Code = "no-such-seat"   // the target seat does not exist
	ErrNoSuchDeck    Code = "no-such-deck"   // unknown deck id
	ErrNoSuchChoice  Code = "no-such-choice" // choice out of range
	ErrOutOfRange    Code = "out-of-range"   // a rating or reaction outside its range
	ErrTooLong       Code = "too-long"       // text over the limit
	ErrEmpty         Code = "empty"          // text or deck list required
	ErrRoomFull      Code = "room-full"      // no more seats of that role
	ErrRoomLocked    Code = "room-locked"    // the host locked the room to new players
	ErrNoDecks       Code = "no-decks"       // start needs at least one deck with cards
	ErrAtStart       Code = "at-start"       // back from the first card
	ErrBadLanguage   Code = "bad-language"   // unknown language code
	ErrBadText       Code = "bad-text"       // text that is not clean UTF-8, or carries control characters
)

// Codes lists every rules error code, so a test can check that each one has a
// translation.
var Codes = []Code{
	ErrUnknownAction, ErrNoSeat, ErrNotAllowed, ErrWrongPhase, ErrPaused,
	ErrNotYours, ErrAlreadyDone, ErrChoiceLocked, ErrNoCard, ErrNoSuchSeat,
	ErrNoSuchDeck, ErrNoSuchChoice, ErrOutOfRange, ErrTooLong, ErrEmpty,
	ErrRoomFull, ErrRoomLocked, ErrNoDecks, ErrAtStart, ErrBadLanguage, ErrBadText,
}

// Error makes a Code usable as an error value.
func (c Code) Error() string { return "rules: " + string(c) }
