// Package conn serves the game's WebSocket: it accepts a connection, waits
// for its Hello, gives it a seat through the room hub, and then reads frames
// and hands them on, until the connection ends. Writing happens in package
// room's terms: a bounded queue per connection, drained by a short-lived
// goroutine with a deadline on every write.
package conn

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Config tunes connections. Zero fields take defaults.
type Config struct {
	Origins      []string      // extra origins allowed besides the server's own host
	HelloTimeout time.Duration // a connection that says nothing is closed after this
	WriteTimeout time.Duration // a write that takes longer drops the connection
	QueueFrames  int           // frames waiting for a slow client before it is dropped
	QueueBytes   int           // bytes likewise
	Rate         rate.Limit    // frames per second a client may send
	Burst        int
	TrustProxy   bool // take the client's address from X-Forwarded-For
}

func (c *Config) defaults() {
	if c.HelloTimeout <= 0 {
		c.HelloTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.QueueFrames <= 0 {
		c.QueueFrames = 128
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = 512 << 10
	}
	if c.Rate <= 0 {
		c.Rate = 20
	}
	if c.Burst <= 0 {
		c.Burst = 40
	}
}

// Handler serves /ws.
type Handler struct {
	hub *room.Hub
	log zerolog.Logger
	cfg Config
	now func() time.Time
}

// NewHandler makes the WebSocket handler.
func NewHandler(hub *room.Hub, log zerolog.Logger, cfg Config) *Handler {
	cfg.defaults()
	return &Handler{hub: hub, log: log, cfg: cfg, now: time.Now}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns:  h.cfg.Origins,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has answered already (403 for a foreign origin).
		h.log.Debug().Err(err).Msg("websocket refused")
		return
	}
	ws.SetReadLimit(protocol.MaxClientFrame)
	// The rest runs on its own goroutine, so that net/http lets go of the
	// request's buffers while the connection lives on.
	go h.serve(ws, h.clientAddr(r))
}

// clientAddr is the address failed joins are counted by. It is never logged.
func (h *Handler) clientAddr(r *http.Request) string {
	if h.cfg.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) serve(ws *websocket.Conn, addr string) {
	// The peer owns the context: it ends when the last queued frame is
	// written and the connection closed, so an error message still reaches
	// a client that is being sent away.
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{ws: ws, ctx: ctx, cancel: cancel, cfg: &h.cfg}
	defer p.Close(room.StatusNormal, "")

	hello, ok := h.readHello(ctx, p)
	if !ok {
		return
	}
	m, code := h.hub.Open(ctx, addr, p, hello)
	if code != "" {
		p.fail(code)
		return
	}
	defer m.Leave()

	lim := rate.NewLimiter(h.cfg.Rate, h.cfg.Burst)
	strikes := 0
	for {
		typ, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		m.Touch(h.now())
		if typ != websocket.MessageBinary {
			p.fail(protocol.ErrBadMessage)
			return
		}
		msg, err := protocol.Decode(b)
		if err != nil {
			p.fail(protocol.ErrBadMessage)
			return
		}
		if !lim.Allow() {
			// A flood is throttled: the frame is dropped and the client told
			// (an action is refused by its id, so the client can send it again
			// later); a client that keeps on is closed.
			if strikes++; strikes > h.cfg.Burst {
				p.fail(protocol.ErrRateLimited)
				return
			}
			if a, ok := msg.(protocol.Act); ok {
				p.sendMsg(protocol.Ack{ID: a.ID, Code: protocol.ErrRateLimited})
			}
			continue
		}
		strikes = 0
		switch msg := msg.(type) {
		case protocol.Act:
			if err := m.Act(ctx, msg); err != nil {
				return
			}
		case protocol.Ping:
			p.sendMsg(protocol.Pong{N: msg.N})
		default:
			p.fail(protocol.ErrBadMessage)
			return
		}
		if m.Detached() {
			return
		}
	}
}

// readHello waits for the first frame, which must be a Hello.
func (h *Handler) readHello(ctx context.Context, p *peer) (protocol.Hello, bool) {
	hctx, cancel := context.WithTimeout(ctx, h.cfg.HelloTimeout)
	defer cancel()
	typ, b, err := p.ws.Read(hctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			p.Close(room.StatusPolicy, "no hello")
		}
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

// peer is a connection's outgoing side: a bounded queue, drained by a
// goroutine that exists only while there is something to write.
type peer struct {
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	cfg    *Config

	mu      sync.Mutex
	queue   [][]byte
	bytes   int
	writing bool
	closed  bool
	status  int // close status to send once the queue is written
	reason  string
}

// Send queues a frame; false means the client has fallen behind.
func (p *peer) Send(b []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.status != 0 {
		return true // going away anyway
	}
	if len(p.queue) >= p.cfg.QueueFrames || p.bytes+len(b) > p.cfg.QueueBytes {
		return false
	}
	p.queue = append(p.queue, b)
	p.bytes += len(b)
	if !p.writing {
		p.writing = true
		go p.drain()
	}
	return true
}

// Close writes what is queued and then closes with status. It returns at
// once.
func (p *peer) Close(status int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.status != 0 {
		return
	}
	p.status, p.reason = status, reason
	if !p.writing {
		p.writing = true
		go p.drain()
	}
}

func (p *peer) drain() {
	for {
		p.mu.Lock()
		if p.closed {
			p.writing = false
			p.mu.Unlock()
			return
		}
		if len(p.queue) == 0 {
			if p.status != 0 {
				p.closed = true
				status, reason := p.status, p.reason
				p.mu.Unlock()
				p.finish(status, reason)
				return
			}
			p.writing = false
			p.queue = nil // an idle connection holds no queue
			p.mu.Unlock()
			return
		}
		b := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.bytes -= len(b)
		p.mu.Unlock()

		ctx, cancel := context.WithTimeout(p.ctx, p.cfg.WriteTimeout)
		err := p.ws.Write(ctx, websocket.MessageBinary, b)
		cancel()
		if err != nil {
			p.mu.Lock()
			p.closed, p.writing, p.queue = true, false, nil
			p.mu.Unlock()
			p.ws.CloseNow()
			p.cancel()
			return
		}
	}
}

// finish sends the close frame and ends the connection.
func (p *peer) finish(status int, reason string) {
	if status == room.StatusNormal && reason == "" {
		p.ws.CloseNow()
	} else {
		// Close waits for the client's answer for up to a few seconds.
		p.ws.Close(websocket.StatusCode(status), reason)
	}
	p.cancel()
}

func (p *peer) sendMsg(m protocol.Message) {
	if b, err := protocol.Encode(m); err == nil {
		p.Send(b)
	}
}

// fail tells the client why and closes the connection.
func (p *peer) fail(code rules.Code) {
	p.sendMsg(protocol.Error{Code: code})
	status := room.StatusNormal
	switch code {
	case protocol.ErrBadMessage, protocol.ErrHelloFirst, protocol.ErrRateLimited:
		status = room.StatusPolicy
	}
	p.Close(status, string(code))
}
