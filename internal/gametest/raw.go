package gametest

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Raw is a bare WebSocket client for tests that need to misbehave or to
// see every frame: it sends what it is told and reads only when asked.
type Raw struct {
	t  testing.TB
	WS *websocket.Conn
}

// DialOptions are what Dial may vary.
type DialOptions struct {
	Origin string // sent as the Origin header when set
	From   string // local address to dial from, e.g. "127.0.0.2" (loopback only)
	Header http.Header
	// RecvBuffer, when set, shrinks the socket's receive buffer, so that a
	// client that stops reading makes the server's writes block soon.
	RecvBuffer int
	// Host, when set, is sent as the Host header in place of the URL's:
	// what a browser sends for a name that was made to point at the
	// server (DNS rebinding).
	Host string
}

// hostRewriter sends every request with another Host header.
type hostRewriter struct {
	host string
	next http.RoundTripper
}

func (h hostRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = h.host
	return h.next.RoundTrip(r)
}

// Dial opens a WebSocket to url. It returns the handshake's response, so a
// refusal (403) can be looked at, and a nil Raw with the error when the
// handshake fails.
func Dial(t testing.TB, ctx context.Context, url string, o DialOptions) (*Raw, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	for k, v := range o.Header {
		h[k] = v
	}
	if o.Origin != "" {
		h.Set("Origin", o.Origin)
	}
	opts := &websocket.DialOptions{HTTPHeader: h}
	if o.From != "" || o.RecvBuffer > 0 {
		d := &net.Dialer{Timeout: 5 * time.Second}
		if o.From != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(o.From)}
		}
		if o.RecvBuffer > 0 {
			d.Control = func(network, address string, c syscall.RawConn) error {
				var err error
				c.Control(func(fd uintptr) { err = setRecvBuffer(fd, o.RecvBuffer) })
				return err
			}
		}
		opts.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	if o.Host != "" {
		next := http.DefaultTransport
		if opts.HTTPClient != nil {
			next = opts.HTTPClient.Transport
		}
		opts.HTTPClient = &http.Client{Transport: hostRewriter{host: o.Host, next: next}}
	}
	ws, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(8 << 20)
	r := &Raw{t: t, WS: ws}
	t.Cleanup(func() { ws.CloseNow() })
	return r, resp, nil
}

// MustDial dials or fails the test.
func MustDial(t testing.TB, ctx context.Context, url string, o DialOptions) *Raw {
	t.Helper()
	r, _, err := Dial(t, ctx, url, o)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return r
}

// Send writes one message.
func (r *Raw) Send(ctx context.Context, m protocol.Message) error {
	b, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	return r.WS.Write(ctx, websocket.MessageBinary, b)
}

// Recv reads and decodes one message.
func (r *Raw) Recv(ctx context.Context) (protocol.Message, error) {
	_, b, err := r.WS.Read(ctx)
	if err != nil {
		return nil, err
	}
	return protocol.Decode(b)
}

// Hello sends hello (with the current Version) and reads until the Welcome
// or an Error. It returns the Welcome, or the error's code.
func (r *Raw) Hello(ctx context.Context, hello protocol.Hello) (protocol.Welcome, rules.Code) {
	r.t.Helper()
	hello.V = protocol.Version
	if err := r.Send(ctx, hello); err != nil {
		r.t.Fatalf("hello: %v", err)
	}
	for {
		m, err := r.Recv(ctx)
		if err != nil {
			r.t.Fatalf("no answer to the hello: %v", err)
		}
		switch m := m.(type) {
		case protocol.Welcome:
			return m, ""
		case protocol.Error:
			return protocol.Welcome{}, m.Code
		}
	}
}

// Until reads messages until ok returns true for one, which it returns.
func (r *Raw) Until(ctx context.Context, what string, ok func(protocol.Message) bool) protocol.Message {
	r.t.Helper()
	for {
		m, err := r.Recv(ctx)
		if err != nil {
			r.t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok(m) {
			return m
		}
	}
}

// Act sends an action with id and reads until its Ack, which it returns.
func (r *Raw) Act(ctx context.Context, id uint64, a rules.Action) protocol.Ack {
	r.t.Helper()
	if err := r.Send(ctx, protocol.Act{ID: id, Action: a}); err != nil {
		r.t.Fatalf("act %d: %v", id, err)
	}
	m := r.Until(ctx, "an ack", func(m protocol.Message) bool {
		a, ok := m.(protocol.Ack)
		return ok && a.ID == id
	})
	return m.(protocol.Ack)
}

// Close closes the connection at once.
func (r *Raw) Close() { r.WS.CloseNow() }
