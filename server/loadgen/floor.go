//go:build linux

package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// Floor measures the bare WebSocket round trip on this machine's loopback: a
// 48-byte binary message to an echo server (coder/websocket, in this
// process) and back, n times in a row after a warm-up. Nothing the game does
// can be faster, so every latency figure is also given as a multiple of it.
func Floor(ctx context.Context, n int) (Dist, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Dist{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			typ, b, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			if ws.Write(r.Context(), typ, b) != nil {
				return
			}
		}
	})}
	go srv.Serve(l)
	defer srv.Close()

	ws, _, err := websocket.Dial(ctx, "ws://"+l.Addr().String()+"/", nil)
	if err != nil {
		return Dist{}, err
	}
	defer ws.CloseNow()
	msg := make([]byte, 48)
	var rtts []int64
	for i := range n + n/10 {
		began := time.Now()
		if err := ws.Write(ctx, websocket.MessageBinary, msg); err != nil {
			return Dist{}, err
		}
		if _, _, err := ws.Read(ctx); err != nil {
			return Dist{}, err
		}
		if i >= n/10 { // the first tenth warms up
			rtts = append(rtts, int64(time.Since(began)))
		}
	}
	return distOf(rtts), nil
}
