package protocol

import "github.com/pore/elamanipeli/shared/rules"

// Version is the protocol this code speaks. It only ever goes up.
const Version = 4

// MinVersion is the oldest client version the server still accepts.
const MinVersion = 1

// Type says which message a frame holds. Numbers are never reused.
type Type uint8

// Message types: client to server.
const (
	TypeHello Type = 1 // the first message on every connection
	TypeAct   Type = 2 // an action for the rules
	TypePing  Type = 3 // are you there?
	TypeTrain Type = 4 // a trainer's command to their workshop (v2)
)

// Message types: server to client.
const (
	TypeWelcome   Type = 16 // you have a seat
	TypeSnapshot  Type = 17 // the whole view
	TypeUpdate    Type = 18 // what happened since
	TypeAck       Type = 19 // your action was applied, or why not
	TypeError     Type = 20 // something about the connection went wrong
	TypePong      Type = 21 // yes
	TypeNotice    Type = 22 // the server or a trainer has something to say
	TypeWorkshop  Type = 23 // you are in a workshop: its trainer, or waiting to be paired (v2)
	TypeDashboard Type = 24 // the trainer's view of the workshop (v2)
	TypeAssigned  Type = 25 // you have a seat in a room now: resume with your token (v2)
)

// Message is any message of this package.
type Message interface{ Type() Type }

// Want says what a Hello asks for.
type Want uint8

// What a client can ask for in its Hello.
const (
	WantCreate   Want = iota + 1 // a new room, with this client as host
	WantJoin                     // knock on a room as a player (Code), or join a workshop by its code
	WantWatch                    // watch a room (its spectator code)
	WantResume                   // take back a seat (Token), or a place in a workshop
	WantWorkshop                 // a new workshop, with this client as its trainer (v2)
)

// Hello opens a session. Tokens travel only here, inside the WebSocket,
// never in a URL.
type Hello struct {
	V       int    `msgpack:"v"`
	Want    Want   `msgpack:"w"`
	Code    string `msgpack:"c,omitempty"`
	Nick    string `msgpack:"n,omitempty"`
	Lang    string `msgpack:"l,omitempty"`
	Token   string `msgpack:"t,omitempty"`
	LastSeq uint64 `msgpack:"q,omitempty"` // resume: the last update this client has
}

// Act asks the room to apply an action. ID goes up by one with each new
// action of a seat; an action sent again after a reconnect keeps its ID and
// is applied once.
type Act struct {
	ID     uint64       `msgpack:"i"`
	Action rules.Action `msgpack:"a"`
}

// Ping asks for a Pong with the same N, which the server sends when it has
// sent nothing else for a while: any frame from the server tells a client its
// connection lives, and a client waits for frames, not for Pongs.
type Ping struct {
	N uint64 `msgpack:"n"`
}

// Welcome gives the client its seat. Keep Token secret: it is the seat.
type Welcome struct {
	V         int          `msgpack:"v"`
	Seat      rules.SeatID `msgpack:"s"`
	Role      rules.Role   `msgpack:"r"`
	Token     string       `msgpack:"t"`
	Code      string       `msgpack:"c"`            // the room's code, for the join link
	Watch     string       `msgpack:"w,omitempty"`  // the spectator code: the host only
	LastAct   uint64       `msgpack:"la,omitempty"` // the newest action id applied for this seat
	Resumed   bool         `msgpack:"re,omitempty"`
	Window    int          `msgpack:"wi,omitempty"` // seconds a seat is kept for a client that went away
	Heartbeat int          `msgpack:"hb,omitempty"` // seconds between the client's pings
}

// Snapshot is the seat's whole view at Seq.
type Snapshot struct {
	Seq  uint64     `msgpack:"q"`
	View rules.View `msgpack:"v"`
}

// Update is what happened at Seq, as this seat may see it.
type Update struct {
	Seq    uint64        `msgpack:"q"`
	Events []rules.Event `msgpack:"e"`
}

// Ack answers an Act: Code is empty when the action was applied (now, or
// before: Dup), or says why not.
type Ack struct {
	ID   uint64     `msgpack:"i"`
	Code rules.Code `msgpack:"c,omitempty"`
	Dup  bool       `msgpack:"d,omitempty"`
}

// Error says what went wrong with the connection; the server may close it
// afterwards.
type Error struct {
	Code rules.Code `msgpack:"c"`
}

// Pong answers a Ping.
type Pong struct {
	N uint64 `msgpack:"n"`
}

// NoticeKind is what a Notice is about.
type NoticeKind uint8

// Notices.
const (
	NoticeRestarting NoticeKind = iota + 1 // the server restarts; reconnect and carry on
	NoticeMessage                          // a trainer's short message (Text)
	NoticeTimeLeft                         // Minutes left in the workshop
	NoticeEnding                           // the trainer ends every room
	NoticeWatch                            // the room's new spectator code (Text), for its host (v3)
)

// Notice is something to show the player that is not part of the game.
type Notice struct {
	Kind    NoticeKind `msgpack:"k"`
	Text    string     `msgpack:"t,omitempty"`
	Minutes int        `msgpack:"m,omitempty"`
}

// Connection error codes, beside the rules' own.
const (
	ErrVersion     rules.Code = "version"      // the client is too old or too new: reload
	ErrBadMessage  rules.Code = "bad-message"  // the frame could not be read
	ErrHelloFirst  rules.Code = "hello-first"  // the first message must be a Hello
	ErrNoRoom      rules.Code = "no-room"      // no room has that code
	ErrBadToken    rules.Code = "bad-token"    // that seat is not yours, or is gone
	ErrRateLimited rules.Code = "rate-limited" // too much, too fast: wait a moment
	ErrBusy        rules.Code = "busy"         // the server is full or closing
	ErrRemoved     rules.Code = "removed"      // the host removed this seat
	ErrRoomClosed  rules.Code = "room-closed"  // the room is over
	ErrTooLarge    rules.Code = "too-large"    // the frame or file is too large
	ErrDeckInvalid rules.Code = "deck-invalid" // the deck file has errors

	ErrWorkshopFull   rules.Code = "workshop-full"   // the workshop has all the participants it can take
	ErrWorkshopClosed rules.Code = "workshop-closed" // the trainer ended the workshop
)

// Codes lists every connection error code.
var Codes = []rules.Code{
	ErrVersion, ErrBadMessage, ErrHelloFirst, ErrNoRoom, ErrBadToken, ErrRateLimited,
	ErrBusy, ErrRemoved, ErrRoomClosed, ErrTooLarge, ErrDeckInvalid, ErrWorkshopFull, ErrWorkshopClosed,
}

func (Hello) Type() Type     { return TypeHello }
func (Act) Type() Type       { return TypeAct }
func (Ping) Type() Type      { return TypePing }
func (Welcome) Type() Type   { return TypeWelcome }
func (Snapshot) Type() Type  { return TypeSnapshot }
func (Update) Type() Type    { return TypeUpdate }
func (Ack) Type() Type       { return TypeAck }
func (Error) Type() Type     { return TypeError }
func (Pong) Type() Type      { return TypePong }
func (Notice) Type() Type    { return TypeNotice }
func (Train) Type() Type     { return TypeTrain }
func (Workshop) Type() Type  { return TypeWorkshop }
func (Dashboard) Type() Type { return TypeDashboard }
func (Assigned) Type() Type  { return TypeAssigned }
