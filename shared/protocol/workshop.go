package protocol

import "github.com/pore/elamanipeli/shared/rules"

// A workshop is a trainer's practice round: participants join it with its
// code (a Hello that wants WantJoin; workshop and room codes never clash, so
// the server can tell which), wait, and are paired into rooms, one playing
// the worker (the room's host) and the other the young person (its player).
// A participant's token is also their seat in the room they are paired into:
// on Assigned the client resumes with the token it has, and the server finds
// the room. The trainer sees progress only (Dashboard), never content.

// Workshop limits.
const (
	MaxParticipants = 120 // people in one workshop, besides its trainer
	MaxTrainText    = 200 // runes in a trainer's message
	MaxMinutes      = 120 // a "minutes left" notice
)

// TrainKind is what a trainer's command asks for.
type TrainKind uint8

// Trainer commands. The numbers cross the wire: add new ones at the end.
const (
	TrainPairAll  TrainKind = iota + 1 // pair everyone waiting, two by two
	TrainPair                          // pair A (the worker) with B (the young person)
	TrainMessage                       // Text to every room and everyone waiting
	TrainTimeLeft                      // "Minutes left" to every room and everyone waiting
	TrainEndAll                        // every room to its summary, with a notice
	TrainClose                         // end the workshop: its rooms close and everything is forgotten
)

// Train is a trainer's command. ID goes up by one with each new command, as
// an Act's does, so that one sent again after a reconnect is applied once;
// the answer is an Ack with the same ID.
type Train struct {
	ID      uint64    `msgpack:"i"`
	Kind    TrainKind `msgpack:"k"`
	A       int       `msgpack:"a,omitempty"` // participants, by Person.ID
	B       int       `msgpack:"b,omitempty"`
	Text    string    `msgpack:"t,omitempty"`
	Minutes int       `msgpack:"m,omitempty"`
}

// Workshop tells a connection its place in a workshop: the trainer's, or a
// participant's waiting to be paired. Keep Token secret: it is the place,
// and a participant's seat once paired.
type Workshop struct {
	V         int    `msgpack:"v"`
	Trainer   bool   `msgpack:"tr,omitempty"`
	Me        int    `msgpack:"me,omitempty"` // a participant's Person.ID
	Token     string `msgpack:"t,omitempty"`  // new places only
	Code      string `msgpack:"c"`            // the workshop's code, for participants to join
	LastCmd   uint64 `msgpack:"la,omitempty"` // the trainer's newest command id applied
	Resumed   bool   `msgpack:"re,omitempty"`
	Window    int    `msgpack:"wi,omitempty"` // seconds a place is kept for a client that went away
	Heartbeat int    `msgpack:"hb,omitempty"` // seconds between the client's pings
}

// Dashboard is the trainer's whole view of the workshop, sent whenever it
// changes. It carries progress and presence only: no card, answer, note or
// typed text of any room.
type Dashboard struct {
	People []Person       `msgpack:"p"`
	Rooms  []RoomProgress `msgpack:"r"`
}

// Person is a participant as the trainer sees them.
type Person struct {
	ID     int    `msgpack:"id"`
	Nick   string `msgpack:"n,omitempty"`
	Online bool   `msgpack:"on,omitempty"` // connected: to the workshop while waiting, to the seat once paired
	Room   int    `msgpack:"rm,omitempty"` // the room they were paired into (RoomProgress.N), or 0 while waiting
}

// RoomProgress is one practice room: who is in it and how far it has come.
type RoomProgress struct {
	N      int         `msgpack:"n"`  // the room's number in the workshop, from 1
	Host   int         `msgpack:"h"`  // Person.ID of the one playing the worker
	Player int         `msgpack:"pl"` // Person.ID of the one playing the young person
	Phase  rules.Phase `msgpack:"ph"`
	Played int         `msgpack:"c,omitempty"` // cards played
	Passes int         `msgpack:"x,omitempty"`
	Paused bool        `msgpack:"pz,omitempty"`
}

// Assigned tells a waiting participant that they have a seat in a room,
// playing Role: resume with the token from Workshop.
type Assigned struct {
	Role rules.Role `msgpack:"r"`
}
