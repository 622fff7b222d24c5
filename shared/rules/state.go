package rules

import (
	"slices"
	"unicode/utf8"

	"github.com/pore/elamanipeli/shared/deck"
)

// Phase is where a session is.
type Phase uint8

// Phases, in the order a session goes through them.
const (
	Lobby   Phase = iota // people join, the host chooses decks
	Playing              // cards on the table
	Summary              // the end: path, bookmarks, help services
	Closed               // the room is over and will be forgotten
)

var phaseNames = [...]string{"lobby", "playing", "summary", "closed"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "phase?"
}

// Role is what a seat may do.
type Role uint8

// Roles.
const (
	Host      Role = iota // the worker or trainer who runs the room
	Player                // the young person, or a second worker
	Spectator             // watches, never acts
)

var roleNames = [...]string{"host", "player", "spectator"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "role?"
}

// SeatID names a seat in a room. An id is never reused for anyone who took
// part: only a knock that went away, or a spectator who left, leaves an id
// for the next newcomer (see Seat.Vacant).
type SeatID int

// System is the seat the server acts as: people joining, connections coming
// and going, decks a host uploaded. Clients can never act as System.
const System SeatID = -1

// NoSeat marks "nobody".
const NoSeat SeatID = -2

// Status is where a seat is in the room.
type Status uint8

// Seat statuses.
const (
	Knocking Status = iota // waiting for the host to let them in
	In                     // at the table
	Gone                   // left or removed; the seat is kept so ids stay stable
)

// Limits that keep a room small and its memory bounded.
const (
	MaxPlayers    = 6   // player seats at the table
	MaxSpectators = 200 // a workshop audience
	MaxKnocking   = 8   // players waiting at the door at once
	MaxNick       = 24  // runes
	MaxText       = 280 // a typed answer, in runes
	MaxBlank      = 200 // a player's own question, in runes
	MaxBlanks     = 40  // own questions in one room
	MaxPath       = 400 // cards played in one session
	MaxDecks      = 12  // decks chosen for one game
	MaxTags       = 16  // tags left out
	MaxCustom     = 4   // decks a host brought into one room
)

// Seat is one person in the room.
type Seat struct {
	ID     SeatID `msgpack:"id"`
	Role   Role   `msgpack:"r"`
	Nick   string `msgpack:"n,omitempty"`
	Lang   string `msgpack:"l"`
	Status Status `msgpack:"st"`
	Online bool   `msgpack:"on,omitempty"`
	// Vacant marks a gone seat that never took part (a knock that went,
	// a spectator who left): the next newcomer gets its id, so people at
	// the door or in the audience who come and go never use up a room.
	Vacant bool `msgpack:"va,omitempty"`
}

// CardRef points at a card: a deck's id and the card's id. Cards written
// during play have an empty deck and live in State.Blanks.
type CardRef struct {
	Deck string `msgpack:"d,omitempty"`
	Card string `msgpack:"c"`
}

// Answer is what one seat did with a card. Typed text stays in the room's
// memory only.
type Answer struct {
	Seat   SeatID `msgpack:"s"`
	Text   string `msgpack:"t,omitempty"`
	Passed bool   `msgpack:"p,omitempty"`
	Rating int    `msgpack:"v,omitempty"` // reflection cards; Rated says it is set
	Rated  bool   `msgpack:"r,omitempty"`
}

// Blank is a question a player wrote during play. It joins this room only.
type Blank struct {
	Card deck.Card `msgpack:"c"`
	By   SeatID    `msgpack:"by"`
}

// Step is one card played, in the path the session took.
type Step struct {
	Card       CardRef  `msgpack:"c"`
	Turn       SeatID   `msgpack:"t"`           // whose turn, for cards answered in turn
	Choice     int      `msgpack:"ch"`          // the chosen option of a story scene, or -1
	ChoiceBy   SeatID   `msgpack:"cb"`          // who chose; System when the story went on by itself
	Answers    []Answer `msgpack:"a,omitempty"` // in the order they came
	Bookmarked bool     `msgpack:"b,omitempty"`
}

// State is everything about one room's session.
type State struct {
	Phase    Phase        `msgpack:"ph"`
	Seed     uint64       `msgpack:"sd"` // the random source; advances as it is used
	Seats    []Seat       `msgpack:"se"`
	Locked   bool         `msgpack:"lk,omitempty"`
	Watch    bool         `msgpack:"wl,omitempty"` // no new spectators may join
	Training bool         `msgpack:"tr,omitempty"`
	Chosen   []string     `msgpack:"dk,omitempty"` // decks to play, in order
	Excluded []string     `msgpack:"ex,omitempty"` // content tags left out
	Queue    []CardRef    `msgpack:"q,omitempty"`  // cards still to come; a story is its next scene
	Path     []Step       `msgpack:"pa,omitempty"`
	Pos      int          `msgpack:"po"` // the step on the table
	Paused   bool         `msgpack:"pz,omitempty"`
	PausedBy SeatID       `msgpack:"pb"`
	TurnNext int          `msgpack:"tn"` // counts turns handed out
	Blanks   []Blank      `msgpack:"bl,omitempty"`
	Custom   []*deck.Deck `msgpack:"cu,omitempty"` // decks the host brought

	// Lib is every deck the room can use. It is not saved: after loading a
	// state, call Attach with the bundled decks.
	Lib *Library `msgpack:"-"`
}

// New starts a room in the lobby with the host in seat 0.
func New(seed uint64, lib *Library, hostNick, hostLang string) State {
	if !knownLanguage(hostLang) {
		hostLang = deck.DefaultLanguage
	}
	return State{
		Phase:    Lobby,
		Seed:     seed,
		Seats:    []Seat{{ID: 0, Role: Host, Nick: clip(hostNick, MaxNick), Lang: hostLang, Status: In, Online: true}},
		PausedBy: NoSeat,
		Lib:      lib,
	}
}

// Attach gives a loaded state its library: the bundled decks and the ones the
// host brought.
func (s *State) Attach(bundled *Library) {
	lib := bundled
	for _, d := range s.Custom {
		lib = lib.With(d)
	}
	s.Lib = lib
}

// Seat returns the seat with id, or nil.
func (s *State) Seat(id SeatID) *Seat {
	if id < 0 || int(id) >= len(s.Seats) {
		return nil
	}
	return &s.Seats[id]
}

// Host returns the host's seat.
func (s *State) Host() *Seat { return &s.Seats[0] }

// Step returns the step on the table, or nil.
func (s *State) Step() *Step {
	if s.Phase != Playing || s.Pos < 0 || s.Pos >= len(s.Path) {
		return nil
	}
	return &s.Path[s.Pos]
}

// Card returns the card ref points at, or nil.
func (s *State) Card(ref CardRef) *deck.Card {
	if ref.Deck == "" {
		for i := range s.Blanks {
			if s.Blanks[i].Card.ID == ref.Card {
				return &s.Blanks[i].Card
			}
		}
		return nil
	}
	d := s.Lib.Deck(ref.Deck)
	if d == nil {
		return nil
	}
	return d.Card(ref.Card)
}

// HostAway reports whether the host has lost their connection: the game waits
// for them.
func (s *State) HostAway() bool { return !s.Seats[0].Online }

// Halted reports whether card play is stopped: paused, or the host away.
func (s *State) Halted() bool { return s.Paused || s.HostAway() }

// count returns how many seats of role have a status.
func (s *State) count(role Role, st Status) int {
	n := 0
	for _, seat := range s.Seats {
		if seat.Role == role && seat.Status == st {
			n++
		}
	}
	return n
}

// answerers returns the seats expected to answer the step.
func (s *State) answerers(st *Step) []SeatID {
	c := s.Card(st.Card)
	if c == nil {
		return nil
	}
	return answerersFrom(c.Answers(), st.Turn, func(yield func(SeatID, Role) bool) {
		for _, seat := range s.Seats {
			if seat.Status == In && !yield(seat.ID, seat.Role) {
				return
			}
		}
	})
}

// answerersFrom says who answers a card, given who is at the table. The state
// and a view both use it, so the client greys out exactly what the server
// refuses.
func answerersFrom(a deck.Answerer, turn SeatID, seats func(func(SeatID, Role) bool)) []SeatID {
	switch a {
	case deck.Worker:
		return []SeatID{0}
	case deck.Turn:
		return []SeatID{turn}
	}
	var ids []SeatID
	for id, role := range seats {
		if role == Player || (role == Host && a == deck.Both) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 { // nobody in the player seat: the host plays alone
		ids = append(ids, 0)
	}
	return ids
}

// answerOf returns the seat's answer on a step, or nil.
func answerOf(st *Step, id SeatID) *Answer {
	for i := range st.Answers {
		if st.Answers[i].Seat == id {
			return &st.Answers[i]
		}
	}
	return nil
}

// Apply never changes the state it was given: a handler copies a slice
// before it writes to it, and decks and the library are read-only.

// touchSeats makes the seats safe to change.
func (s *State) touchSeats() { s.Seats = slices.Clone(s.Seats) }

// touchStep makes the step on the table safe to change and returns it.
func (s *State) touchStep() *Step {
	s.Path = slices.Clone(s.Path)
	st := &s.Path[s.Pos]
	st.Answers = slices.Clone(st.Answers)
	return st
}

func knownLanguage(l string) bool { return slices.Contains(deck.Languages, l) }

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// runes counts the runes in s.
func runes(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// cleanText reports whether s is text a person typed: valid UTF-8 without
// control characters (a line break aside) or the invisible characters that
// reorder text (bidirectional overrides), which could disguise a nickname or
// an answer on someone else's screen.
func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r >= 0x7f && r < 0xa0:
			return false
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
			return false
		}
	}
	return true
}
