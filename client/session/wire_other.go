//go:build !js

package session

import (
	"context"
	"errors"
	"net/http"

	"github.com/coder/websocket"
)

func dialWire(ctx context.Context, url string, header map[string][]string) (wire, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header(header)})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(readLimit)
	return coderWire{c}, nil
}

type coderWire struct{ c *websocket.Conn }

func (w coderWire) Read(ctx context.Context) ([]byte, error) {
	_, b, err := w.c.Read(ctx)
	if st := websocket.CloseStatus(err); st != -1 {
		var reason string
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			reason = ce.Reason
		}
		return nil, &closeError{status: int(st), reason: reason}
	}
	return b, err
}

func (w coderWire) Write(ctx context.Context, b []byte) error {
	return w.c.Write(ctx, websocket.MessageBinary, b)
}

func (w coderWire) Close(status int, reason string) { w.c.Close(websocket.StatusCode(status), reason) }
func (w coderWire) CloseNow()                       { w.c.CloseNow() }
