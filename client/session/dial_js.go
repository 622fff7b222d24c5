//go:build js

package session

import (
	"net/http"

	"github.com/coder/websocket"
)

// dialOptions: in a browser, the page's own origin and cookies go along by
// themselves; extra headers cannot be set.
func dialOptions(http.Header) *websocket.DialOptions { return nil }
