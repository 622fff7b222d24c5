//go:build !js

package session

import (
	"net/http"

	"github.com/coder/websocket"
)

func dialOptions(h http.Header) *websocket.DialOptions {
	return &websocket.DialOptions{HTTPHeader: h}
}
