// Package cluster makes several servers one service, on NATS (package
// node): any server serves any player, whichever server runs the player's
// room.
//
// Each room runs on exactly one node, its owner (package store). A client
// may land on any node: its Hello names a code or a token, which the
// service's registry (the "names" bucket) turns into the place's id. When
// the place runs here, the client is seated as on a server alone. When it
// runs on another node, this node relays: a small place of its own (a
// relay) takes the client's connection, hands its frames to the owner over
// NATS and the owner's frames back, and the owner seats the client as if
// it had come straight to it. When the room's owner has gone (a crash, a
// deploy), the node the first client lands on takes the room over, from its
// snapshot and its log, and relays stop and send their clients to find it.
//
// Relay, not redirect: a redirect needs every node reachable from the
// internet under a name of its own (the issue's "no public address per
// node" rules it out), and it would send a client to a node that may be
// gone by the time the client arrives; a relay costs one NATS hop each way
// (measured in BENCHMARKS.md) and keeps the load balancer the only door.
//
// Subjects: "elm.node.<node>" carries what other nodes ask of this node's
// places (a seat for a relayed client, its frames, its leaving, a
// workshop's questions about a room); "elm.relay.<node>" carries the
// owners' frames for the clients this node relays. Nothing on them is
// logged; everything stays inside the service's NATS, whose routes only
// its nodes can join.
package cluster

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Options are what the cluster needs.
type Options struct {
	Node   *node.Node
	Store  *store.Store
	Places *place.Directory
	Rooms  *room.Hub
	Log    zerolog.Logger
	// Sweep is how often the node looks for rooms no live node owns and
	// nobody came back to (their clients may all be away), and Grace how
	// long such a room waits for its first client before this node takes
	// it over anyway. Zero: 5 s and 10 s.
	Sweep, Grace time.Duration
}

// Cluster is this node's part of the service.
type Cluster struct {
	n      *node.Node
	st     *store.Store
	places *place.Directory
	rooms  *room.Hub
	log    zerolog.Logger
	reg    *registry
	nc     *nats.Conn
	subs   []*nats.Subscription
	sweep  time.Duration
	grace  time.Duration
	stop   chan struct{}
	done   chan struct{}

	next   atomic.Uint64 // relayed connections' ids
	relays sync.Map      // relayed connection id → *relayed

	mu     sync.Mutex
	remote map[remoteKey]*place.Member // members here of clients relayed by other nodes

	stats Stats
}

// Stats are the cluster's running counts, for metrics.
type Stats struct {
	RelayedIn  atomic.Int64 // frames from relayed clients, this node their room's owner
	RelayedOut atomic.Int64 // frames to clients this node relays
	Relays     atomic.Int64 // relays open on this node
}

type remoteKey struct {
	node string
	conn uint64
}

// New makes the node's part of the service: the registry, and the
// subscriptions that serve relays and other nodes' questions. Pass
// Registry and Elsewhere to the directory and Remote to the hub.
func New(ctx context.Context, o Options) (*Cluster, error) {
	reg, err := newRegistry(ctx, o.Node, o.Store, o.Log)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		n: o.Node, st: o.Store, places: o.Places, rooms: o.Rooms, log: o.Log, reg: reg, nc: o.Node.Conn(),
		sweep: o.Sweep, grace: o.Grace, stop: make(chan struct{}), done: make(chan struct{}),
		remote: map[remoteKey]*place.Member{},
	}
	if c.sweep <= 0 {
		c.sweep = 5 * time.Second
	}
	if c.grace <= 0 {
		c.grace = 10 * time.Second
	}
	for subj, h := range map[string]nats.MsgHandler{
		"elm.node." + c.n.Name():  c.ownerSide,
		"elm.relay." + c.n.Name(): c.relaySide,
	} {
		sub, err := c.nc.Subscribe(subj, h)
		if err != nil {
			c.Close()
			return nil, err
		}
		sub.SetPendingLimits(1<<16, 64<<20)
		c.subs = append(c.subs, sub)
	}
	return c, nil
}

// Registry is the service's registry, for the directory.
func (c *Cluster) Registry() place.Registry { return c.reg }

// Stats are the cluster's running counts.
func (c *Cluster) Stats() *Stats { return &c.stats }

// Close stops serving other nodes and sweeping.
func (c *Cluster) Close() {
	for _, s := range c.subs {
		s.Unsubscribe()
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
}

// op is what a message between nodes is about.
type op uint8

const (
	opEnter op = iota + 1 // a relayed client wants a seat (a request)
	opFrame               // a relayed client's frame, or an owner's frame for it
	opLeave               // a relayed client's connection ended
	opTouch               // relayed clients that are still there
	opClose               // the owner closed a relayed client's connection
	opAsk                 // a workshop asks a room for its progress (a request)
	opTell                // a workshop tells a room a notice
	opShut                // a workshop closes a room
)

// wire is a message between nodes.
type wire struct {
	Op     op               `msgpack:"o"`
	Place  string           `msgpack:"p,omitempty"`
	From   string           `msgpack:"f,omitempty"` // the node that sends it
	Conn   uint64           `msgpack:"c,omitempty"`
	Conns  []uint64         `msgpack:"cs,omitempty"`
	Hello  *protocol.Hello  `msgpack:"h,omitempty"`
	Addr   string           `msgpack:"a,omitempty"`
	Frame  []byte           `msgpack:"fr,omitempty"`
	Status int              `msgpack:"s,omitempty"`
	Reason string           `msgpack:"r,omitempty"`
	Code   rules.Code       `msgpack:"co,omitempty"`
	Notice *protocol.Notice `msgpack:"n,omitempty"`
	Report *room.Report     `msgpack:"rp,omitempty"`
}

func (w wire) encode() []byte {
	b, _ := msgpack.Marshal(w)
	return b
}

func decode(b []byte) (wire, bool) {
	var w wire
	return w, msgpack.Unmarshal(b, &w) == nil
}

// errHere says that a place another node asked about is not here (it
// moved, or ended).
var errHere = errors.New("cluster: not here")

// request asks node a question and waits for the answer.
func (c *Cluster) request(ctx context.Context, to string, w wire) (wire, error) {
	w.From = c.n.Name()
	m, err := c.nc.RequestWithContext(ctx, "elm.node."+to, w.encode())
	if err != nil {
		return wire{}, err
	}
	ans, ok := decode(m.Data)
	if !ok {
		return wire{}, errors.New("cluster: an unreadable answer")
	}
	if ans.Code == codeNotHere {
		return wire{}, errHere
	}
	return ans, nil
}

// codeNotHere answers a node that asked about a place that is not here.
const codeNotHere rules.Code = "not-here"

// publish sends w to subject, without waiting.
func (c *Cluster) publish(subj string, w wire) {
	w.From = c.n.Name()
	c.nc.Publish(subj, w.encode())
}

func reply(m *nats.Msg, w wire) { m.Respond(w.encode()) }
