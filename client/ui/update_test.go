package ui

import (
	"net"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/session"
)

// TestUpdateNeverWaitsForTheNetwork runs the game against a server that
// accepts connections and never answers: every Update and every layout must
// still return at once, with the session stuck connecting behind it.
func TestUpdateNeverWaitsForTheNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // a black hole: take connections, say nothing
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	p := newFakePlatform()
	p.values["token"] = "a-seat-token"
	g := New(Options{Platform: p, Scale: 1, Session: func(o session.Options) Seat {
		o.URL = "ws://" + ln.Addr().String() + "/ws"
		return session.Start(o)
	}})
	defer g.leave()
	g.Layout(390, 844)
	if g.sess == nil {
		t.Fatal("the stored token did not start a session")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			if err := g.Update(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Update waited for the network")
	}
	if st := g.sess.State(); st.Status == session.Online {
		t.Fatalf("a black hole put the session online: %+v", st)
	}
	if g.screen() != "connecting" {
		t.Fatalf("screen %q while connecting", g.screen())
	}
}
