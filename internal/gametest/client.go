package gametest

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/rules"
)

// The client's side as the server's tests drive it: a session (the client's
// networking, without a screen) and the bots that play through one. Tests
// under server/ reach them only through here, so that the server's code,
// tests included, never imports the client.
type (
	Session        = session.Session
	SessionOptions = session.Options
	State          = session.State
	Bot            = bot.Bot
	BotConfig      = bot.Config
)

// A session's status.
const (
	Connecting   = session.Connecting
	Reconnecting = session.Reconnecting
	Online       = session.Online
	Ended        = session.Ended
)

var (
	// StartSession opens a session with the server its options name.
	StartSession = session.Start
	// StartBot starts a bot that plays as its config says.
	StartBot = bot.Start
	// Participant is a bot that joins a trainer's workshop and plays.
	Participant = bot.Participant
	// Waiting counts a workshop's participants not yet paired.
	Waiting = bot.Waiting
	// AllPlayed reports whether every room of a workshop has reached its summary.
	AllPlayed = bot.AllPlayed
)

// ClientURL is the WebSocket address the desktop client dials for a server
// at base (the browser's platform builds the same from the page's location).
func ClientURL(t testing.TB, base string) string {
	return platform.New(base, filepath.Join(t.TempDir(), "state.json")).ServerWS()
}

// Sent keeps the ids a session gave the actions it sent: pass its Record as
// SessionOptions.OnSend, and compare IDs with what the server evaluated.
type Sent struct {
	mu  sync.Mutex
	ids []uint64
}

// Record notes one action's id.
func (s *Sent) Record(id uint64, _ rules.Action) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
}

// IDs returns the ids noted so far, in order.
func (s *Sent) IDs() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}
