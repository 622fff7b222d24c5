package place

// Peer is one client connection as a place sees it. Send never waits for
// the client: it writes what the connection takes at once and queues the
// rest, and reports false when the queue is full; the place then drops the
// peer. Close ends the connection with a WebSocket status code; it too
// returns at once.
type Peer interface {
	Send(frame []byte) bool
	Close(status int, reason string)
}

// WebSocket close codes the places use.
const (
	StatusNormal        = 1000
	StatusGoingAway     = 1001
	StatusPolicy        = 1008 // bad behaviour: too slow, too fast, not allowed
	StatusTooBig        = 1009
	StatusServerRestart = 1012
)
