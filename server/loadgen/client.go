//go:build linux

package main

import (
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// The load generator's clients are lean: a few goroutines read every
// connection (wire.go), and one per room writes the host's actions and every
// member's pings on a schedule. They speak the real protocol through
// shared/protocol, over real WebSockets; only an update's sequence number is
// read without decoding the whole frame, once the room is set up (every other
// frame, and every frame during setup, is decoded and checked in full).

// epoch is what every timestamp counts from: monotonic nanoseconds.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// arrival is one update reaching one member.
type arrival struct {
	seq uint64
	at  int64
	who int // the member's index: 0 the host, 1 the player, then spectators
}

// loadRoom is one room under load and what it has seen.
type loadRoom struct {
	g       *gen
	code    string
	watch   string
	members []*member // the host first
	home    int       // the server the host makes the room on, which owns it
	hb      time.Duration
	nextID  uint64 // the host's next action id; the room's writer only, after setup
	rng     *rand.Rand

	mu       sync.Mutex
	lastSeq  uint64           // the newest update the host has had
	sched    map[uint64]sent  // action id → when it was to be sent, until acked
	seqSched map[uint64]int64 // update seq → the scheduled time of the measured action that made it
	arrivals []arrival        // while recording
	lags     []int64          // how late the writer sent measured actions
	actions  int              // measured actions sent
}

// member is one connection of a room.
type member struct {
	r       *loadRoom
	ws      *wsConn
	idx     int
	host    bool
	inSetup atomic.Bool
	setup   chan protocol.Message // every message, while inSetup
}

// dialer opens connections from loopback addresses in turn, so that many
// thousands of them do not run out of ephemeral ports.
type dialer struct {
	urls  []*url.URL // one per server of the service
	local []net.Addr
	next  atomic.Uint64
}

func newDialer(ws []string, sources int) (*dialer, error) {
	d := &dialer{}
	for _, w := range ws {
		u, err := url.Parse(w)
		if err != nil || u.Scheme != "ws" {
			return nil, fmt.Errorf("loadgen: %q is not a ws:// URL", w)
		}
		d.urls = append(d.urls, u)
	}
	if len(d.urls) == 0 {
		return nil, fmt.Errorf("loadgen: no server to dial")
	}
	if sources <= 1 {
		d.local = []net.Addr{nil}
	}
	for i := range sources {
		if sources > 1 {
			n := 2 + i // 127.0.0.2 and up
			d.local = append(d.local, &net.TCPAddr{IP: net.IPv4(127, byte(n>>16), byte(n>>8), byte(n))})
		}
	}
	return d, nil
}

// dial connects to server node (an index into the service's servers).
func (d *dialer) dial(ctx context.Context, node int) (*wsConn, error) {
	local := d.local[d.next.Add(1)%uint64(len(d.local))]
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return dialWS(ctx, d.urls[node%len(d.urls)], local)
}

// node is the server the room's next member connects to: the room's own
// (where its host made it) for two members of three, another for every
// third, so that a third of the members are relayed to the room's owner.
// With one server, always that one.
func (r *loadRoom) node() int {
	n := len(r.g.dialer.urls)
	i := len(r.members)
	if n == 1 || i%3 != 2 {
		return r.home
	}
	return (r.home + 1 + (i/3)%(n-1)) % n
}

// join connects a member, starts its reader and says hello.
func (r *loadRoom) join(ctx context.Context, host bool, hello protocol.Hello) (*member, error) {
	ws, err := r.g.dialer.dial(ctx, r.node())
	if err != nil {
		r.g.errs.dial.Add(1)
		return nil, fmt.Errorf("dial: %w", err)
	}
	m := &member{r: r, ws: ws, idx: len(r.members), host: host, setup: make(chan protocol.Message, 16)}
	m.inSetup.Store(true)
	ws.onMsg, ws.onDone = m.handle, m.done
	r.members = append(r.members, m)
	r.g.conns.Add(1)
	if err := r.g.readers.add(ws); err != nil {
		return nil, err
	}
	hello.V = protocol.Version
	if err := m.send(hello); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *member) send(msg protocol.Message) error {
	b, err := protocol.Encode(msg)
	if err != nil {
		return err
	}
	return m.ws.write(b)
}

// expect waits during setup for a message of the type want, skipping
// others; an Error from the server ends the wait.
func (m *member) expect(ctx context.Context, want protocol.Type, ok func(protocol.Message) bool) (protocol.Message, error) {
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case msg := <-m.setup:
			if e, isErr := msg.(protocol.Error); isErr {
				return nil, fmt.Errorf("server error %q", e.Code)
			}
			if msg.Type() == want && (ok == nil || ok(msg)) {
				return msg, nil
			}
		case <-t.C:
			return nil, fmt.Errorf("no message of type %d within 30 s", want)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// act sends a setup action from the host and waits for its ack.
func (m *member) act(ctx context.Context, id uint64, a rules.Action) error {
	if err := m.send(protocol.Act{ID: id, Action: a}); err != nil {
		return err
	}
	msg, err := m.expect(ctx, protocol.TypeAck, func(msg protocol.Message) bool { return msg.(protocol.Ack).ID == id })
	if err != nil {
		return fmt.Errorf("%v: %w", a.Kind, err)
	}
	if c := msg.(protocol.Ack).Code; c != "" {
		return fmt.Errorf("%v refused: %s", a.Kind, c)
	}
	return nil
}

// done notes that the connection ended.
func (m *member) done(error) {
	g := m.r.g
	g.conns.Add(-1)
	if !g.stopping.Load() {
		g.errs.closed.Add(1)
	}
}

// handle takes one message from the server, at the time it was read.
func (m *member) handle(buf []byte, at int64) {
	g := m.r.g
	setup := m.inSetup.Load()
	if !setup {
		if seq, ok := peekUpdateSeq(buf); ok {
			m.r.arrive(m, seq, at)
			return
		}
	}
	msg, err := protocol.Decode(buf)
	if err != nil {
		g.errs.badFrame.Add(1)
		return
	}
	switch msg := msg.(type) {
	case protocol.Update:
		m.r.arrive(m, msg.Seq, at)
	case protocol.Ack:
		if m.host {
			m.r.acked(msg)
		}
	case protocol.Error:
		g.errs.server.Add(1)
	}
	if _, isUpdate := msg.(protocol.Update); setup && !isUpdate {
		// Setup waits for welcomes, snapshots, acks and errors only.
		select {
		case m.setup <- msg:
		default:
			g.errs.badFrame.Add(1)
		}
	}
}

// peekUpdateSeq reads the sequence number of an update frame, laid out as
// [18, {"q": seq, "e": [...]}], without decoding its events.
func peekUpdateSeq(b []byte) (uint64, bool) {
	if len(b) < 6 || b[0] != 0x92 || b[1] != byte(protocol.TypeUpdate) || b[2] != 0x82 || b[3] != 0xa1 || b[4] != 'q' {
		return 0, false
	}
	p := b[5:]
	switch c := p[0]; {
	case c <= 0x7f:
		return uint64(c), true
	case c == 0xcc && len(p) >= 2:
		return uint64(p[1]), true
	case c == 0xcd && len(p) >= 3:
		return uint64(binary.BigEndian.Uint16(p[1:])), true
	case c == 0xce && len(p) >= 5:
		return uint64(binary.BigEndian.Uint32(p[1:])), true
	case c == 0xcf && len(p) >= 9:
		return binary.BigEndian.Uint64(p[1:]), true
	}
	return 0, false
}

// arrive notes that an update reached a member.
func (r *loadRoom) arrive(m *member, seq uint64, at int64) {
	r.mu.Lock()
	if m.host && seq > r.lastSeq {
		r.lastSeq = seq
	}
	if r.g.recording.Load() {
		r.arrivals = append(r.arrivals, arrival{seq: seq, at: at, who: m.idx})
	}
	r.mu.Unlock()
}

// acked ties an acknowledged action to the update it made: the room sends
// a seat the update of its action before the ack, on the same connection,
// and only the host acts.
func (r *loadRoom) acked(a protocol.Ack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.sched[a.ID]
	if !ok {
		return
	}
	delete(r.sched, a.ID)
	if a.Code != "" {
		r.g.errs.refused.Add(1)
		return
	}
	if s.window != 0 && s.window == r.g.winStart.Load() {
		r.seqSched[r.lastSeq] = s.at
	}
}

// sent is an action sent and not yet acknowledged: when it was to be sent,
// and the window it counts in (its start; 0: none). That is decided once,
// as it is sent: asked again as its ack came, an action sent as a window
// opened could count in the window's deliveries and not in its actions.
type sent struct {
	at     int64
	window int64
}

// actionFor is the host's n-th action after the start, in a cycle that can
// go on forever with a bounded state: next card, a reaction, back, another
// reaction. Cards reach every member in their own language (the host's with
// the worker note); reactions are small.
func actionFor(n uint64) rules.Action {
	switch n % 4 {
	case 0:
		return rules.Action{Kind: rules.ActNext}
	case 1:
		return rules.Action{Kind: rules.ActReact, Value: 0}
	case 2:
		return rules.Action{Kind: rules.ActBack}
	default:
		return rules.Action{Kind: rules.ActReact, Value: 2}
	}
}

// The writer sends every room's traffic on schedule: each member's ping
// once a heartbeat, at a random phase, and, once the generator says so, the
// host's action every period, at a random phase too. A send that is late
// keeps its scheduled time: latency counts from when it should have gone
// (no coordinated omission). One goroutine does it all, sleeping with
// nanosleep for the last stretch: the runtime's timers wake an idle
// process up to a millisecond late, which would count against the server.
type writer struct {
	g     *gen
	every time.Duration
	add   chan writerJob
	q     eventQueue
	rng   *rand.Rand
	ping  []byte
}

type writerJob struct {
	r   *loadRoom
	act bool // start the room's actions
}

// event is one send due at a time: a member's ping, or (who < 0) the
// host's action.
type event struct {
	at  int64
	r   *loadRoom
	who int
}

type eventQueue []event

func (q eventQueue) Len() int           { return len(q) }
func (q eventQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q eventQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)        { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func newWriter(g *gen, every time.Duration) *writer {
	ping, _ := protocol.Encode(protocol.Ping{N: 1}) // the same each time: the server answers any
	return &writer{g: g, every: every, add: make(chan writerJob, 1024), rng: rand.New(rand.NewPCG(1, 2)), ping: ping}
}

func (w *writer) take(j writerJob) {
	t := now()
	if j.act {
		if w.every > 0 {
			heap.Push(&w.q, event{at: max(t, w.g.actFrom.Load()) + w.rng.Int64N(int64(w.every)), r: j.r, who: -1})
		}
		return
	}
	for i := range j.r.members {
		heap.Push(&w.q, event{at: t + w.rng.Int64N(int64(j.r.hb)), r: j.r, who: i})
	}
}

// run sends until ctx ends.
func (w *writer) run(ctx context.Context) {
	for ctx.Err() == nil {
		// Take new rooms; wait for one while there is nothing to send.
		for {
			if len(w.q) == 0 {
				select {
				case j := <-w.add:
					w.take(j)
					continue
				case <-ctx.Done():
					return
				}
			}
			select {
			case j := <-w.add:
				w.take(j)
				continue
			default:
			}
			break
		}
		e := w.q[0]
		if wait := time.Duration(e.at - now()); wait > 0 {
			if wait > 3*time.Millisecond {
				// Coarse (it may wake a millisecond late), and short
				// enough to take new rooms soon.
				time.Sleep(min(wait-2*time.Millisecond, 5*time.Millisecond))
				continue
			}
			ts := syscall.NsecToTimespec(int64(wait))
			syscall.Nanosleep(&ts, nil)
		}
		heap.Pop(&w.q)
		w.send(e)
	}
}

func (w *writer) send(e event) {
	r, g := e.r, w.g
	if e.who >= 0 {
		if err := r.members[e.who].ws.write(w.ping); err != nil && !g.stopping.Load() {
			g.errs.write.Add(1)
		}
		e.at += int64(r.hb)
		heap.Push(&w.q, e)
		return
	}
	id := r.nextID
	r.nextID++
	b, _ := protocol.Encode(protocol.Act{ID: id, Action: actionFor(id)})
	s := sent{at: e.at, window: g.windowOf(e.at)}
	measured := s.window != 0
	r.mu.Lock()
	r.sched[id] = s
	if measured {
		r.actions++
	}
	r.mu.Unlock()
	if err := r.members[0].ws.write(b); err != nil && !g.stopping.Load() {
		g.errs.write.Add(1)
	}
	if measured {
		lag := now() - e.at
		r.mu.Lock()
		r.lags = append(r.lags, lag)
		r.mu.Unlock()
	}
	e.at += int64(w.every)
	heap.Push(&w.q, e)
}
