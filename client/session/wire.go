package session

import (
	"context"
	"fmt"
)

// wire is one WebSocket connection as a session uses it: binary frames in
// and out, and a close. Outside the browser it is coder/websocket
// (wire_other.go). In the browser it is the page's own WebSocket
// (wire_js.go): coder/websocket links net/http into WebAssembly, which
// measured 7.5 MB raw, 2 MB gzip of the client's download.
type wire interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, b []byte) error
	Close(status int, reason string) // a clean close with a status
	CloseNow()                       // drop the connection
}

// closeError is a connection the server closed with a status.
type closeError struct {
	status int
	reason string
}

func (e *closeError) Error() string {
	return fmt.Sprintf("session: closed with status %d: %s", e.status, e.reason)
}

// readLimit bounds a frame from the server: a snapshot with a large library
// fits many times over.
const readLimit = 8 << 20
