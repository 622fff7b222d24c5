// Package conn serves the game's WebSocket: it accepts a connection, waits
// for its Hello, seats it in a room or a workshop through the place
// directory, and then reads frames and hands them on, until the connection
// ends. Writing happens in package place's terms: a frame is written to the
// socket as it is sent, and what the socket does not take at once waits in
// a bounded outbox, written out by a short-lived goroutine with a deadline
// on every write.
package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Config tunes connections. Zero fields take defaults.
type Config struct {
	// Origins are the hosts (patterns as path.Match takes them, e.g.
	// "peli.example.org" or "*.koulu.example") whose pages may open the
	// WebSocket: the server's public name, and any other site allowed to
	// embed the game. Without them only a page the server served under an
	// IP address or localhost may, since any site can make its own name
	// point at this server.
	Origins      []string
	HelloTimeout time.Duration // a connection that says nothing is closed after this
	WriteTimeout time.Duration // a write that takes longer drops the connection
	QueueBytes   int           // bytes waiting for a slow client before it is dropped
	// SendBuffer bounds the kernel's send buffer of a WebSocket. Left to
	// itself the kernel grows it to megabytes, which a client that stops
	// reading fills slowly and silently; kept small, the outbox fills
	// (QueueBytes) and the client is dropped within seconds.
	SendBuffer int
	TrustProxy bool // take the client's address from the last X-Forwarded-For entry (set by our own proxy)
	// Addresses makes the keys limits count clients by; nil: one of the
	// handler's own, with TrustProxy. The server shares one with its
	// other handlers.
	Addresses *clientaddr.Keyer
	// KeepReaders keeps a goroutine in every connection's read, even while
	// its client is quiet; by default (on Linux) a quiet connection has no
	// goroutine, only its socket in an epoll set (idle_linux.go).
	KeepReaders bool
	// PongAfter is how long a connection has had nothing from the server
	// before a Ping is answered: a client takes any frame as a sign of
	// life (client/session), so a Ping that comes while updates flow needs
	// no Pong. 0: DefaultPongAfter; negative: every Ping is answered.
	PongAfter time.Duration
}

// DefaultPongAfter leaves a client that pings every heartbeat (hb, 10 s
// by default) without a frame for at most 5 s + hb, where it takes the
// connection for dead after 2 hb + 5 s, whatever the heartbeat. Where
// updates flow (a room acts every few seconds) most Pongs go unsent: 27 %
// of the server's writes under the everyday load (BENCHMARKS.md, "Where
// the server's extra CPU goes").
const DefaultPongAfter = 5 * time.Second

func (c *Config) defaults() {
	if c.HelloTimeout <= 0 {
		c.HelloTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = 512 << 10
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = 32 << 10
	}
	if c.PongAfter == 0 {
		c.PongAfter = DefaultPongAfter
	}
}

// Handler serves /ws.
type Handler struct {
	places *place.Directory
	log    zerolog.Logger
	cfg    Config
	now    func() time.Time
}

// NewHandler makes the WebSocket handler, which seats each connection in
// the place its Hello names.
func NewHandler(places *place.Directory, log zerolog.Logger, cfg Config) *Handler {
	cfg.defaults()
	if cfg.Addresses == nil {
		cfg.Addresses = clientaddr.New(cfg.TrustProxy)
	}
	return &Handler{places: places, log: log, cfg: cfg, now: time.Now}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.originAllowed(r) {
		h.log.Debug().Str("why", "origin").Msg("websocket refused") // the headers are not for logs
		http.Error(w, "This page may not open the game's WebSocket. If it is the game's own address, start the server with -public-url https://that.address (or -origin that.address).", http.StatusForbidden)
		return
	}
	b := &bounded{ResponseWriter: w, cfg: &h.cfg}
	ws, err := websocket.Accept(b, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the origin is checked above
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has answered already. Its error may quote the request's
		// headers, which are not for logs.
		h.log.Debug().Msg("websocket refused")
		return
	}
	ws.SetReadLimit(protocol.MaxClientFrame)
	// The rest runs on its own goroutine, so that net/http lets go of the
	// request's buffers while the connection lives on.
	go h.serve(ws, h.cfg.Addresses.Key(r), b.out, b.idle)
}

// originAllowed says whether the page that opens a WebSocket may: a
// browser always says which page it is (Origin), and a page of another site
// must not play with a player's seat. A client that says no Origin (a
// native client, a script) is let through: it still needs a room code or a
// seat token.
//
// The Host header is not to be trusted for this: a site can make its own
// name point at a server on a school's network (DNS rebinding), and the
// browser then sends that name as Host and Origin alike. So the page's host
// must be one the server was told is its own (Config.Origins), or an
// address no site can point at this server: an IP address, or localhost.
func (h *Handler) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null": a sandboxed frame, a file
	}
	host := strings.ToLower(u.Host)
	for _, p := range h.cfg.Origins {
		if ok, _ := path.Match(strings.ToLower(p), host); ok {
			return true
		}
	}
	return host == strings.ToLower(r.Host) && unbindable(host)
}

// unbindable reports whether no site can make host (with a port or
// without) name this server: an IP address, or localhost.
func unbindable(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// bounded hands websocket.Accept the hijacked connection with its kernel
// send buffer bounded, and with small bufio buffers of its own in place of
// net/http's 4 KiB ones, which the WebSocket would keep for its whole life:
// client frames are small, and most updates fit the writer's buffer whole.
// Only WebSockets get it: the page and the client download keep the
// kernel's tuning. The writer writes into the connection's outbox.
type bounded struct {
	http.ResponseWriter
	cfg *Config

	out  *outbox // the hijacked connection's; set by Hijack
	idle idler   // likewise
}

// The buffers a WebSocket keeps, the largest part of an idle connection's
// memory. A client's frames (an action, a ping) are tens of bytes; the
// server's updates under the everyday load were all under 512 bytes (the
// writes of a server with 1 KiB buffers, traced for 4 s). A larger frame
// still goes out whole, in two writes (a seat's first snapshot), and a
// larger read goes straight into the frame's buffer.
const (
	readBuffer  = 128
	writeBuffer = 512
)

func (b *bounded) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(b.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent right after its request may wait in net/http's
	// reader: the new reader starts with them in its buffer, where
	// websocket.Accept looks for them.
	var br *bufio.Reader
	if n := rw.Reader.Buffered(); n > 0 {
		pending, _ := rw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(pending)), c), max(readBuffer, n))
		br.Peek(n)
	} else {
		br = bufio.NewReaderSize(c, readBuffer)
	}
	rc := socketOf(c) // the outbox writes it, the idler waits on it
	b.out, b.idle = newOutbox(c, rc, b.cfg), idler(blockingIdle{})
	rw = bufio.NewReadWriter(br, bufio.NewWriterSize(b.out, writeBuffer))
	if !b.cfg.KeepReaders {
		b.idle = newIdler(rc, br)
	}
	for inner := c; ; {
		if t, ok := inner.(interface{ SetWriteBuffer(int) error }); ok {
			t.SetWriteBuffer(b.cfg.SendBuffer)
			break
		}
		u, ok := inner.(interface{ NetConn() net.Conn }) // TLS
		if !ok {
			break
		}
		inner = u.NetConn()
	}
	return c, rw, nil
}

func (h *Handler) serve(ws *websocket.Conn, addr string, out *outbox, idle idler) {
	// The peer owns the context: it ends when the last frame sent is
	// written and the connection closed, so an error message still reaches
	// a client that is being sent away.
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{ws: ws, out: out, ctx: ctx, cancel: cancel, cfg: &h.cfg}
	out.whenFailed(p.broken)

	hello, ok := h.readHello(p)
	if !ok {
		p.Close(place.StatusNormal, "")
		return
	}
	m, code := h.places.Open(ctx, addr, p, hello)
	if code != "" {
		p.fail(code)
		return
	}
	c := &seated{h: h, ws: ws, p: p, m: m, idle: idle, ctx: ctx}
	// A connection the server closes while it waits without a goroutine
	// has nobody to notice: the peer tells it. (A hook rather than
	// context.AfterFunc, which keeps a map in the context for as long as
	// the connection lives.)
	p.whenEnded(c.closed)
	c.run(false)
}

// idler is how a seated connection waits for its client between frames.
type idler interface {
	// park arranges for resume (the same each time) to run on a goroutine
	// of its own once the client has sent something, so that the caller's
	// goroutine can end. It reports false when something waits to be read
	// already, or it cannot: the caller reads, and waits there.
	park(resume func()) bool
	// forget undoes park for good: the connection is over.
	forget()
}

// blockingIdle waits in the read (TLS, Config.KeepReaders, and systems
// without epoll).
type blockingIdle struct{}

func (blockingIdle) park(func()) bool { return false }
func (blockingIdle) forget()          {}

// seated is a connection that has its seat: it reads the client's frames
// and hands them to the room, on a goroutine that exists only while there
// is something to read (see idler).
type seated struct {
	h    *Handler
	ws   *websocket.Conn
	p    *peer
	m    *place.Member
	idle idler
	ctx  context.Context

	strikes int

	mu     sync.Mutex
	parked bool // no goroutine: waiting for the client
	ended  bool
}

// run reads frames while there are any, then parks, or ends the
// connection. ready says the client has sent something.
func (c *seated) run(ready bool) {
	for {
		if !ready && c.park() {
			return
		}
		if !c.step() {
			c.end()
			return
		}
		ready = false
	}
}

// park lets the goroutine go while the client is quiet; false means there
// is something to read, or it could not, and the goroutine reads on.
func (c *seated) park() bool {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return true
	}
	c.parked = true
	c.mu.Unlock()
	// The idler looks at what the connection has buffered, which a Close
	// reading the connection itself changes.
	c.p.reading.Lock()
	gone := c.idle.park(c.resume)
	c.p.reading.Unlock()
	if gone {
		return true
	}
	c.mu.Lock()
	c.parked = false
	c.mu.Unlock()
	return false
}

// resume runs when a parked connection's client has sent something.
func (c *seated) resume() {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.parked = false
	c.mu.Unlock()
	c.run(true)
}

// closed runs once the peer has closed the connection: a parked connection
// ends here, one being read ends when its read fails.
func (c *seated) closed() {
	c.mu.Lock()
	parked := c.parked
	c.mu.Unlock()
	if parked {
		c.end()
	}
}

// end lets go of the seat and the connection, once.
func (c *seated) end() {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended, c.parked = true, false
	c.mu.Unlock()
	c.idle.forget()
	c.m.Leave()
	c.p.Close(place.StatusNormal, "")
}

// frames are the buffers frames are read into, one per read going on: a
// connection keeps none between frames, and a frame needs no allocation of
// its own.
var frames = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, protocol.MaxClientFrame+bytes.MinRead)) }}

// readFrame reads the next frame of ws into a buffer of frames, which the
// caller puts back. The read needs no context: closing the connection ends
// it.
func readFrame(ws *websocket.Conn) (websocket.MessageType, *bytes.Buffer, error) {
	typ, r, err := ws.Reader(context.Background())
	if err != nil {
		return 0, nil, err
	}
	b := frames.Get().(*bytes.Buffer)
	b.Reset()
	if _, err := b.ReadFrom(r); err != nil { // over SetReadLimit, too
		frames.Put(b)
		return 0, nil, err
	}
	return typ, b, nil
}

// step reads one frame and hands it on. It reports false when the
// connection is over.
func (c *seated) step() bool {
	h, p, m := c.h, c.p, c.m
	typ, frame, err := readFrame(c.ws)
	if err != nil {
		return false
	}
	m.Touch(h.now())
	if typ != websocket.MessageBinary {
		frames.Put(frame)
		p.fail(protocol.ErrBadMessage)
		return false
	}
	msg, err := protocol.Decode(frame.Bytes())
	frames.Put(frame) // what Decode returns holds none of it
	if err != nil {
		p.fail(protocol.ErrBadMessage)
		return false
	}
	if !m.Allow() {
		// A flood is throttled: the frame is dropped and the client told
		// (an action is refused by its id, so the client can send it again
		// later); a client that keeps on is closed. The allowance is the
		// seat's: reconnecting does not fill it up again.
		if c.strikes++; c.strikes > place.FrameBurst {
			p.fail(protocol.ErrRateLimited)
			return false
		}
		switch a := msg.(type) {
		case protocol.Act:
			p.sendMsg(protocol.Ack{ID: a.ID, Code: protocol.ErrRateLimited})
		case protocol.Train:
			p.sendMsg(protocol.Ack{ID: a.ID, Code: protocol.ErrRateLimited})
		}
		return true
	}
	c.strikes = 0
	switch msg := msg.(type) {
	case protocol.Act, protocol.Train: // a game action; a trainer's command to their workshop
		if err := m.Deliver(c.ctx, msg); err != nil {
			return false
		}
	case protocol.Ping:
		if p.quietFor(p.cfg.PongAfter) {
			p.sendMsg(protocol.Pong{N: msg.N})
		}
	default:
		p.fail(protocol.ErrBadMessage)
		return false
	}
	return !m.Detached()
}

// readHello waits for the first frame, which must be a Hello.
func (h *Handler) readHello(p *peer) (protocol.Hello, bool) {
	// A timer rather than a deadline on Read: a Read whose context ends
	// tears the connection down at once, and the client would never learn
	// why. The close frame ends the Read below, as closing the connection
	// does: the Read needs no context (one that can end would keep a map
	// of what waits on it for as long as the connection lives).
	timer := time.AfterFunc(h.cfg.HelloTimeout, func() { p.Close(place.StatusPolicy, "no hello") })
	typ, b, err := p.ws.Read(context.Background())
	if !timer.Stop() || err != nil {
		return protocol.Hello{}, false
	}
	if typ != websocket.MessageBinary {
		p.fail(protocol.ErrBadMessage)
		return protocol.Hello{}, false
	}
	msg, err := protocol.Decode(b)
	if err != nil {
		p.fail(protocol.ErrBadMessage)
		return protocol.Hello{}, false
	}
	hello, ok := msg.(protocol.Hello)
	if !ok {
		p.fail(protocol.ErrHelloFirst)
		return protocol.Hello{}, false
	}
	return hello, true
}

// peer is a connection's outgoing side. A frame is written as it is sent,
// by whoever sends it (a room's goroutine, mostly), into the WebSocket and
// its outbox, which never waits for the client.
type peer struct {
	ws     *websocket.Conn
	out    *outbox // under ws
	ctx    context.Context
	cancel context.CancelFunc
	cfg    *Config
	ended  func() // runs once the connection has ended (whenEnded)

	// reading is held while something reads the connection other than a
	// read of the WebSocket (which has a lock of its own): a parked
	// connection looking into the reader's buffer, the closing handshake.
	reading sync.Mutex

	wrote atomic.Int64 // when the last frame was sent (Unix ns)

	mu     sync.Mutex
	closed bool // the connection is over
	status int  // close status, once Close was called
}

// Send writes a frame; false means the client has fallen behind.
func (p *peer) Send(b []byte) bool {
	p.mu.Lock()
	over := p.closed || p.status != 0
	p.mu.Unlock()
	if over {
		return true // going away anyway
	}
	p.wrote.Store(time.Now().UnixNano())
	err := p.ws.Write(context.Background(), websocket.MessageBinary, b)
	if errors.Is(err, errBehind) {
		return false
	}
	if err != nil {
		p.broken()
	}
	return true
}

// quietFor reports whether the client has had nothing from the server
// for d: no frame sent since, none waiting in the outbox.
func (p *peer) quietFor(d time.Duration) bool {
	if d < 0 {
		return true
	}
	return !p.out.pending() && time.Since(time.Unix(0, p.wrote.Load())) >= d
}

// Close writes what was sent and then closes with status. It returns at
// once.
func (p *peer) Close(status int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.status != 0 {
		return
	}
	p.status = status
	go p.finish(status, reason)
}

// broken ends a connection that could not be written.
func (p *peer) broken() {
	p.mu.Lock()
	over := p.closed
	p.closed = true
	p.mu.Unlock()
	if !over {
		p.ws.CloseNow()
		p.end()
	}
}

// finish sends the close frame and ends the connection.
func (p *peer) finish(status int, reason string) {
	p.out.settle()
	p.mu.Lock()
	over := p.closed
	p.closed = true
	p.mu.Unlock()
	if over {
		return // broken meanwhile
	}
	if status == place.StatusNormal && reason == "" || p.out.broken() {
		p.ws.CloseNow()
	} else {
		// Close waits for the client's answer for up to a few seconds,
		// reading the connection itself.
		p.reading.Lock()
		p.ws.Close(websocket.StatusCode(status), reason)
		p.reading.Unlock()
	}
	p.end()
}

// end ends the peer's context, and tells whoever asked (whenEnded).
func (p *peer) end() {
	p.cancel()
	p.mu.Lock()
	f := p.ended
	p.ended = nil
	p.mu.Unlock()
	if f != nil {
		go f()
	}
}

// whenEnded has f run on a goroutine of its own once the connection has
// ended, or now if it has.
func (p *peer) whenEnded(f func()) {
	p.mu.Lock()
	over := p.ctx.Err() != nil // end has begun: it may have looked already
	if !over {
		p.ended = f
	}
	p.mu.Unlock()
	if over {
		go f()
	}
}

func (p *peer) sendMsg(m protocol.Message) {
	if b, err := protocol.Encode(m); err == nil {
		p.Send(b)
	}
}

// fail tells the client why and closes the connection.
func (p *peer) fail(code rules.Code) {
	p.sendMsg(protocol.Error{Code: code})
	status := place.StatusNormal
	switch code {
	case protocol.ErrBadMessage, protocol.ErrHelloFirst, protocol.ErrRateLimited:
		status = place.StatusPolicy
	}
	p.Close(status, string(code))
}
