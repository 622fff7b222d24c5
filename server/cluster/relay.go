package cluster

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// relay is the place on this node that stands for a place another node
// runs: it takes the connections of the clients that landed here, hands
// their frames to the owner and gives them what the owner sends back.
type relay struct {
	c     *Cluster
	k     *place.Kernel
	id    string // the place relayed
	owner string // the node it runs on
	epoch string
	conns map[int]uint64 // slot → relayed connection
	free  []int          // slots to give again
	next  int            // the next new slot
}

// relayed is a client connection this node relays.
type relayed struct {
	peer place.Peer
	r    *relay
	slot int
}

// relayTo makes (or finds) the relay here for place id, run by owner.
func (c *Cluster) relayTo(id, owner, epoch string) (*place.Kernel, rules.Code) {
	name := place.Name{NS: place.ID, S: id}
	if k := c.places.Find(name); k != nil {
		return k, ""
	}
	r := &relay{c: c, id: id, owner: owner, epoch: epoch, conns: map[int]uint64{}}
	r.k = place.NewKernel(r, place.KernelOptions{
		ID: id, Tick: 5 * time.Second, Log: c.log, Stats: c.places.Stats(),
	})
	if _, err := c.places.Add(r.k, []place.Name{name}); err != nil {
		if k := c.places.Find(name); k != nil {
			return k, "" // another connection made one first
		}
		return nil, protocol.ErrBusy
	}
	c.places.Run(r.k)
	c.stats.Relays.Add(1)
	return r.k, ""
}

// Enter asks the owner for a seat for the connection.
func (r *relay) Enter(hello protocol.Hello, p place.Peer, addr string) (*place.Member, rules.Code) {
	slot := r.next
	if n := len(r.free); n > 0 {
		slot, r.free = r.free[n-1], r.free[:n-1]
	} else {
		r.next++
	}
	conn := r.c.next.Add(1)
	// The owner's frames may come before its answer: the connection is
	// ready for them first.
	r.c.relays.Store(conn, &relayed{peer: p, r: r, slot: slot})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ans, err := r.c.request(ctx, r.owner, wire{Op: opEnter, Place: r.id, Conn: conn, Hello: &hello, Addr: addr})
	if err != nil || ans.Code != "" {
		r.c.relays.Delete(conn)
		r.free = append(r.free, slot)
		if err != nil {
			// The owner has gone, or the room moved: this client and
			// everyone else here come back in a moment, and find the room
			// where it is then.
			r.scatter("the room moved")
			return nil, protocol.ErrBusy
		}
		return nil, ans.Code
	}
	m := r.k.Attach(slot, p)
	r.conns[slot] = conn
	return m, ""
}

// Message hands a client's frame to the owner.
func (r *relay) Message(m *place.Member, msg protocol.Message, _ time.Time) {
	conn, ok := r.conns[m.Slot()]
	if !ok {
		return
	}
	b, err := protocol.Encode(msg)
	if err != nil {
		return
	}
	r.c.publish("elm.node."+r.owner, wire{Op: opFrame, Place: r.id, Conn: conn, Frame: b})
}

// Left tells the owner that a client's connection ended.
func (r *relay) Left(slot int) {
	conn, ok := r.conns[slot]
	if !ok {
		return
	}
	delete(r.conns, slot)
	r.c.relays.Delete(conn)
	r.c.publish("elm.node."+r.owner, wire{Op: opLeave, Place: r.id, Conn: conn})
	r.k.Vacate(slot)
	r.free = append(r.free, slot)
	if len(r.conns) == 0 {
		r.end()
	}
}

// closed takes a connection the owner closed.
func (r *relay) closed(slot int, status int, reason string) {
	conn, ok := r.conns[slot]
	if !ok {
		return
	}
	delete(r.conns, slot)
	r.c.relays.Delete(conn)
	r.k.Unlink(slot, status, reason)
	r.k.Vacate(slot)
	r.free = append(r.free, slot)
	if len(r.conns) == 0 {
		r.end()
	}
}

// Tick tells the owner which clients are still here (their pings end
// here), and lets them go if the owner has gone: they come back, and find
// the place where it runs then.
func (r *relay) Tick(now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if !r.c.n.Alive(ctx, r.owner, r.epoch) {
		r.scatter("the room's node went")
		return
	}
	var live []uint64
	for slot, conn := range r.conns {
		if m := r.k.Member(slot); m != nil && now.Sub(m.Seen()) < 30*time.Second {
			live = append(live, conn)
		}
	}
	if len(live) > 0 {
		r.c.publish("elm.node."+r.owner, wire{Op: opTouch, Place: r.id, Conns: live})
	}
}

// scatter closes every connection with 1012: the clients come back at once,
// and find the place wherever it runs by then.
func (r *relay) scatter(why string) {
	for slot, conn := range r.conns {
		r.c.relays.Delete(conn)
		if r.k.Connected(slot) {
			r.k.SendMsg(slot, protocol.Notice{Kind: protocol.NoticeRestarting})
			r.k.Unlink(slot, place.StatusServerRestart, why)
		}
	}
	clear(r.conns)
	r.end()
}

// Stop lets every client go: the server restarts.
func (r *relay) Stop() { r.scatter("server restarting") }

// Gone: a relay that ended sends a client to try again.
func (r *relay) Gone() rules.Code { return protocol.ErrBusy }

// end ends the relay.
func (r *relay) end() {
	if r.k.Ended() {
		return
	}
	r.k.End()
	r.c.places.Remove(r.k)
	r.c.stats.Relays.Add(-1)
}

// relaySide takes what owners send to the clients this node relays.
func (c *Cluster) relaySide(m *nats.Msg) {
	w, ok := decode(m.Data)
	if !ok {
		return
	}
	v, ok := c.relays.Load(w.Conn)
	if !ok {
		if w.Op == opFrame {
			// A client that is not here any more: the owner lets it go.
			c.publish("elm.node."+w.From, wire{Op: opLeave, Place: w.Place, Conn: w.Conn})
		}
		return
	}
	rc := v.(*relayed)
	switch w.Op {
	case opFrame:
		c.stats.RelayedOut.Add(1)
		if !rc.peer.Send(w.Frame) {
			// Too slow: dropped as a client of this node would be.
			go rc.r.k.Do(context.Background(), func() { rc.r.k.Drop(rc.slot, "too slow") })
		}
	case opClose:
		go rc.r.k.Do(context.Background(), func() { rc.r.closed(rc.slot, w.Status, w.Reason) })
	}
}
