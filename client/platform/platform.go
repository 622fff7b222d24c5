// Package platform is what differs between the browser and a desktop window:
// where a seat's token is kept, the page's address and its fragment, text
// fields a phone's keyboard can type into, the screen-reader mirror, speech
// and saving a file. The browser side uses syscall/js; the desktop side uses
// files, and the ui package draws its own text fields there.
package platform

// Field is a text field the screen shows, in CSS pixels.
type Field struct {
	ID          string
	X, Y, W, H  float64
	Value       string // the value the game sets (when Set is true)
	Set         bool
	Placeholder string
	Label       string // what a screen reader calls it
	Kind        FieldKind
	Max         int // runes
	Lang        string
	FontPx      float64
	Ink, Muted  string // CSS colours of the text and the placeholder
}

// FieldKind is the kind of text a field takes; it picks a phone's keyboard.
type FieldKind uint8

// Field kinds.
const (
	FieldText FieldKind = iota // free text: a nickname, a question, an answer
	FieldCode                  // a room code: capitals, no autocorrect
)

// FieldEvent is what happened in a field since the last frame.
type FieldEvent struct {
	ID     string
	Value  string
	Submit bool   // Enter was pressed
	Focus  bool   // the field got the keyboard
	Key    string // "Tab", "ShiftTab" or "Escape": the keyboard moves on from the field
}

// MirrorAction is one action the screen-reader mirror lists.
type MirrorAction struct {
	ID         string
	Label      string
	Enabled    bool
	Pressed    int     // -1: not a toggle; 0 or 1: its state
	Focused    bool    // the game's keyboard focus is on it
	X, Y, W, H float64 // where it is on the canvas, in CSS pixels
}
