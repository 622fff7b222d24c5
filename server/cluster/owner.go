package cluster

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
)

// remotePeer is a client another node relays, as a place here sees it: its
// frames go to that node, which hands them to the client.
type remotePeer struct {
	c     *Cluster
	node  string
	conn  uint64
	place string
}

// Send hands the frame to the relaying node. It never falls behind: the
// relaying node drops a client that does.
func (p *remotePeer) Send(b []byte) bool {
	p.c.publish("elm.relay."+p.node, wire{Op: opFrame, Place: p.place, Conn: p.conn, Frame: b})
	return true
}

// Close tells the relaying node to close the client's connection.
func (p *remotePeer) Close(status int, reason string) {
	p.c.mu.Lock()
	delete(p.c.remote, remoteKey{p.node, p.conn})
	p.c.mu.Unlock()
	p.c.publish("elm.relay."+p.node, wire{Op: opClose, Place: p.place, Conn: p.conn, Status: status, Reason: reason})
}

// owned returns the place id that runs here, not a relay, or nil.
func (c *Cluster) owned(id string) *place.Kernel {
	k := c.places.Find(place.Name{NS: place.ID, S: id})
	if k == nil {
		return nil
	}
	if _, isRelay := k.Handler().(*relay); isRelay {
		return nil
	}
	return k
}

// ownerSide takes what other nodes ask of the places here.
func (c *Cluster) ownerSide(m *nats.Msg) {
	w, ok := decode(m.Data)
	if !ok {
		return
	}
	switch w.Op {
	case opEnter:
		go c.enter(m, w)
	case opFrame:
		c.frame(w)
	case opLeave:
		c.mu.Lock()
		mem := c.remote[remoteKey{w.From, w.Conn}]
		delete(c.remote, remoteKey{w.From, w.Conn})
		c.mu.Unlock()
		if mem != nil {
			go mem.Leave()
		}
	case opTouch:
		now := time.Now()
		c.mu.Lock()
		for _, conn := range w.Conns {
			if mem := c.remote[remoteKey{w.From, conn}]; mem != nil {
				mem.Touch(now)
			}
		}
		c.mu.Unlock()
	case opAsk, opTell, opShut:
		go c.call(m, w)
	}
}

// enter seats a relayed client in the place here, as if it had come here.
func (c *Cluster) enter(m *nats.Msg, w wire) {
	k := c.owned(w.Place)
	if k == nil || w.Hello == nil {
		reply(m, wire{Code: codeNotHere})
		return
	}
	p := &remotePeer{c: c, node: w.From, conn: w.Conn, place: w.Place}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	mem, code := k.Enter(ctx, *w.Hello, p, w.Addr)
	if mem != nil {
		c.mu.Lock()
		c.remote[remoteKey{w.From, w.Conn}] = mem
		c.mu.Unlock()
	}
	reply(m, wire{Code: code})
}

// frame hands a relayed client's frame to its place here.
func (c *Cluster) frame(w wire) {
	c.mu.Lock()
	mem := c.remote[remoteKey{w.From, w.Conn}]
	c.mu.Unlock()
	if mem == nil {
		c.publish("elm.relay."+w.From, wire{Op: opClose, Place: w.Place, Conn: w.Conn, Status: place.StatusNormal})
		return
	}
	c.stats.RelayedIn.Add(1)
	mem.Touch(time.Now())
	msg, err := protocol.Decode(w.Frame)
	if err != nil {
		return
	}
	// The seat's allowance holds here too: a client relayed through
	// several nodes, one after another, has only the one.
	if !mem.Allow() {
		if a, ok := msg.(protocol.Act); ok {
			if b, err := protocol.Encode(protocol.Ack{ID: a.ID, Code: protocol.ErrRateLimited}); err == nil {
				c.publish("elm.relay."+w.From, wire{Op: opFrame, Place: w.Place, Conn: w.Conn, Frame: b})
			}
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := mem.Deliver(ctx, msg); err != nil && ctx.Err() != nil {
		// A place whose inbox stays full: this client is let go, and
		// comes back, rather than hold up every other relayed one.
		go mem.Leave()
	}
}

// call answers a workshop's question about a room here.
func (c *Cluster) call(m *nats.Msg, w wire) {
	if c.rooms.Local(w.Place) == nil {
		reply(m, wire{Code: codeNotHere})
		return
	}
	var ok bool
	switch w.Op {
	case opAsk:
		got := make(chan room.Report, 1)
		ok = c.rooms.Ask(w.Place, func(r room.Report) { got <- r })
		if ok {
			select {
			case r := <-got:
				reply(m, wire{Report: &r})
			case <-time.After(2 * time.Second):
				reply(m, wire{Code: protocol.ErrBusy})
			}
			return
		}
	case opTell:
		if w.Notice != nil {
			ok = c.rooms.Tell(w.Place, *w.Notice)
		}
	case opShut:
		ok = c.rooms.CloseRoom(w.Place)
	}
	if !ok {
		reply(m, wire{Code: protocol.ErrBusy})
		return
	}
	reply(m, wire{})
}
