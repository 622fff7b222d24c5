package conn_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// host opens a room and returns its host's connection and welcome.
func host(t *testing.T, ctx context.Context, srv *gametest.Server) (*gametest.Raw, protocol.Welcome) {
	t.Helper()
	h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	w, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatalf("create: %s", code)
	}
	return h, w
}

// closeStatus reads until the connection ends and returns its close status.
func closeStatus(ctx context.Context, r *gametest.Raw) (websocket.StatusCode, []protocol.Message) {
	var got []protocol.Message
	for {
		_, b, err := r.WS.Read(ctx)
		if err != nil {
			return websocket.CloseStatus(err), got
		}
		if m, err := protocol.Decode(b); err == nil {
			got = append(got, m)
		}
	}
}

func TestOriginIsChecked(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Conn: conn.Config{Origins: []string{"game.example.org", "*.koulu.example"}}})
	ctx := testCtx(t, 20*time.Second)
	tests := []struct {
		name   string
		origin string
		ok     bool
	}{
		{"a foreign site", "https://evil.example", false},
		{"a look-alike of an allowed host", "https://game.example.org.evil.example", false},
		{"a look-alike of the server", strings.Replace(srv.URL, "127.0.0.1", "127.0.0.1.evil.example", 1), false},
		{"a sandboxed frame", "null", false},
		{"the server's own page", srv.URL, true},
		{"an allowed host", "https://game.example.org", true},
		{"an allowed pattern", "https://lukio.koulu.example", true},
		{"no Origin (a native client)", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, resp, err := gametest.Dial(t, ctx, srv.WS, gametest.DialOptions{Origin: tt.origin})
			if !tt.ok {
				if err == nil {
					t.Fatal("the WebSocket was opened")
				}
				if resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Fatalf("want 403, got %v (%v)", resp, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantCreate}); code != "" {
				t.Fatalf("create: %s", code)
			}
		})
	}
}

// TestOriginIsNotTakenFromTheHost: a page of another site that made its own
// name point at the server (DNS rebinding: a school's server on its
// network) sends that name as Host and Origin alike; only the server's
// configured names, and addresses no site can point elsewhere (an IP
// address, localhost), count as the server's own.
func TestOriginIsNotTakenFromTheHost(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	port := func(srv *gametest.Server) string { return srv.URL[strings.LastIndex(srv.URL, ":"):] }
	plain := gametest.Start(t, gametest.Options{})
	named := gametest.Start(t, gametest.Options{Conn: conn.Config{Origins: []string{"peli.example.org"}}})
	tests := []struct {
		name         string
		srv          *gametest.Server
		host, origin string
		ok           bool
	}{
		{"a rebound name", plain, "evil.example", "http://evil.example", false},
		{"a rebound name with the port", plain, "evil.example" + port(plain), "http://evil.example" + port(plain), false},
		{"a rebound name on a configured server", named, "evil.example", "http://evil.example", false},
		{"the configured name", named, "peli.example.org", "https://peli.example.org", true},
		{"an IP address on the school's network", plain, "192.168.1.10:8080", "http://192.168.1.10:8080", true},
		{"an IPv6 address", plain, "[fd00::10]:8080", "http://[fd00::10]:8080", true},
		{"localhost", plain, "localhost" + port(plain), "http://localhost" + port(plain), true},
		{"a page elsewhere on the same address", plain, "192.168.1.10:8080", "http://192.168.1.10:9999", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, resp, err := gametest.Dial(t, ctx, tt.srv.WS, gametest.DialOptions{Origin: tt.origin, Host: tt.host})
			if !tt.ok {
				if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Fatalf("want 403, got %v (%v)", resp, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantCreate}); code != "" {
				t.Fatalf("create: %s", code)
			}
		})
	}
}

// A connection without an Origin header is let through the handshake (a
// browser always sends one, so this is a native client or a script), but it
// gets nowhere without a room code or a seat token.
func TestNoOriginStillNeedsACodeOrToken(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx := testCtx(t, 20*time.Second)
	_, hw := host(t, ctx, srv)
	tests := []struct {
		name  string
		hello *protocol.Hello // nil: send an action instead
		want  rules.Code
	}{
		{"a made-up room code", &protocol.Hello{Want: protocol.WantJoin, Code: "AAAAAA"}, protocol.ErrNoRoom},
		{"the room code as a spectator code", &protocol.Hello{Want: protocol.WantWatch, Code: hw.Code}, protocol.ErrNoRoom},
		{"a made-up token", &protocol.Hello{Want: protocol.WantResume, Token: "AAAAAAAAAAAAAAAAAAAAAA"}, protocol.ErrBadToken},
		{"no token", &protocol.Hello{Want: protocol.WantResume}, protocol.ErrBadToken},
		{"an action before the hello", nil, protocol.ErrHelloFirst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
			if tt.hello == nil {
				if err := r.Send(ctx, protocol.Act{ID: 1, Action: rules.Action{Kind: rules.ActStart}}); err != nil {
					t.Fatal(err)
				}
				status, msgs := closeStatus(ctx, r)
				if len(msgs) != 1 || msgs[0] != (protocol.Error{Code: tt.want}) || status != websocket.StatusPolicyViolation {
					t.Fatalf("got %+v and close %v", msgs, status)
				}
				return
			}
			if _, code := r.Hello(ctx, *tt.hello); code != tt.want {
				t.Fatalf("code %q, want %q", code, tt.want)
			}
			if _, err := r.Recv(ctx); err == nil {
				t.Fatal("the connection stayed open")
			}
		})
	}
}

// settle waits for the goroutine count to come back to base.
func settle(t *testing.T, base int) int {
	t.Helper()
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); n > base && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

func TestOversizedFramesCloseWith1009AndLeakNothing(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx := testCtx(t, 30*time.Second)
	h, hw := host(t, ctx, srv)

	big := bytes.Repeat([]byte{0xc0}, protocol.MaxClientFrame+1)
	frames := map[string][]byte{
		"one byte over the limit": big,
		"a megabyte":              bytes.Repeat([]byte{0xc0}, 1<<20),
	}
	// The handler, the rooms and the host are all running; what the
	// oversized connections start must be gone again afterwards.
	time.Sleep(50 * time.Millisecond)
	base := runtime.NumGoroutine()
	leaks := goleak.IgnoreCurrent()
	for name, frame := range frames {
		for _, seated := range []bool{false, true} {
			t.Run(name+map[bool]string{false: " before the hello", true: " from a seat"}[seated], func(t *testing.T) {
				for range 10 {
					r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
					if seated {
						if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch}); code != "" {
							t.Fatalf("watch: %s", code)
						}
					}
					// The server may close before the whole frame is
					// written; what matters is how it closes.
					r.WS.Write(ctx, websocket.MessageBinary, frame)
					status, _ := closeStatus(ctx, r)
					if status != websocket.StatusMessageTooBig {
						t.Fatalf("closed with %v, want 1009 (message too big)", status)
					}
					r.Close()
				}
			})
		}
	}
	if n := settle(t, base); n > base {
		t.Errorf("%d goroutines after the oversized frames, %d before", n, base)
	}
	// The room's own goroutine may have ended at a tick and been started
	// again by the spectators' joins; it lingers up to place.Linger (2 s)
	// after them by design. It is the room's, not the connections'.
	goleak.VerifyNone(t, leaks, goleak.IgnoreTopFunction("github.com/pore/elamanipeli/server/place.(*Kernel).linger"))
	// The room carried on: its host still gets answers.
	if ack := h.Act(ctx, 1, rules.Action{Kind: rules.ActLock, On: true}); ack.Code != "" {
		t.Fatalf("the host's action was refused: %s", ack.Code)
	}
}

func TestSilentConnectionIsClosedAfterTheHelloTimeout(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration // 0: the default
		max     time.Duration
	}{
		{"a short timeout", 300 * time.Millisecond, 2 * time.Second},
		{"the default of 10 s", 0, 12 * time.Second},
	}
	t.Parallel() // the default takes its 10 s beside the other tests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := gametest.Start(t, gametest.Options{Conn: conn.Config{HelloTimeout: tt.timeout}})
			ctx := testCtx(t, 30*time.Second)
			r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
			start := time.Now()
			status, msgs := closeStatus(ctx, r)
			took := time.Since(start)
			if status != websocket.StatusPolicyViolation || len(msgs) != 0 {
				t.Fatalf("closed with %v after %+v, want a policy close", status, msgs)
			}
			want := tt.timeout
			if want == 0 {
				want = 10 * time.Second
			}
			if took < want-50*time.Millisecond || took > tt.max {
				t.Fatalf("closed after %v, want about %v", took.Round(time.Millisecond), want)
			}
			t.Logf("closed after %v", took.Round(time.Millisecond))
		})
	}
}

// The server reads nothing from a URL's query string: a token or code put
// there is ignored, so links and proxy logs never need to carry one.
func TestTokenInTheQueryStringIsIgnored(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx := testCtx(t, 20*time.Second)
	_, hw := host(t, ctx, srv)
	for _, q := range []string{"?token=" + hw.Token, "?t=" + hw.Token + "&code=" + hw.Code, "?" + hw.Token} {
		r := gametest.MustDial(t, ctx, srv.WS+q, gametest.DialOptions{})
		if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantResume}); code != protocol.ErrBadToken {
			t.Fatalf("%s: a resume without a token got %q, want %q", q, code, protocol.ErrBadToken)
		}
		r = gametest.MustDial(t, ctx, srv.WS+q, gametest.DialOptions{})
		if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantJoin}); code != protocol.ErrNoRoom {
			t.Fatalf("%s: a join without a code got %q, want %q", q, code, protocol.ErrNoRoom)
		}
	}
}

// Behind a reverse proxy every connection comes from the proxy's address;
// with TrustProxy failed joins are counted by the address the proxy saw,
// the last X-Forwarded-For entry. What a client writes there itself comes
// before it and changes nothing; without TrustProxy the header is ignored.
func TestFailedJoinsAreCountedByTheAddressTheProxySaw(t *testing.T) {
	const burst = 3
	guess := func(t *testing.T, ctx context.Context, srv *gametest.Server, xff ...string) rules.Code {
		h := http.Header{}
		for _, v := range xff {
			h.Add("X-Forwarded-For", v)
		}
		r := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{Header: h})
		defer r.Close()
		_, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantJoin, Code: "XXXXXX"})
		return code
	}
	type try struct {
		xff  []string
		want rules.Code
	}
	spoof := func(i int) string { return fmt.Sprintf("10.%d.0.1", i) }
	tests := []struct {
		name  string
		trust bool
		tries []try
	}{
		{"spoofed entries before the proxy's", true, []try{
			{[]string{spoof(1) + ", 203.0.113.7"}, protocol.ErrNoRoom},
			{[]string{spoof(2) + ", 203.0.113.7"}, protocol.ErrNoRoom},
			{[]string{spoof(3), "203.0.113.7"}, protocol.ErrNoRoom},
			{[]string{spoof(4) + ",203.0.113.7"}, protocol.ErrRateLimited},
			{[]string{"203.0.113.7:5555"}, protocol.ErrRateLimited},
			{[]string{"::ffff:203.0.113.7"}, protocol.ErrRateLimited},
			{[]string{"203.0.113.8"}, protocol.ErrNoRoom},
		}},
		{"one IPv6 /64", true, []try{
			{[]string{"2001:db8:1:2::1"}, protocol.ErrNoRoom},
			{[]string{"2001:db8:1:2::2"}, protocol.ErrNoRoom},
			{[]string{"2001:db8:1:2:ffff::3"}, protocol.ErrNoRoom},
			{[]string{"[2001:db8:1:2::4]"}, protocol.ErrRateLimited},
			{[]string{"[2001:db8:1:2::4]:443"}, protocol.ErrRateLimited},
			{[]string{"2001:db8:1:3::1"}, protocol.ErrNoRoom},
		}},
		{"no proxy to trust", false, []try{
			{[]string{spoof(1)}, protocol.ErrNoRoom},
			{[]string{spoof(2)}, protocol.ErrNoRoom},
			{[]string{spoof(3)}, protocol.ErrNoRoom},
			{[]string{spoof(4)}, protocol.ErrRateLimited},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gametest.Start(t, gametest.Options{
				Places: place.Options{FailedJoins: burst, FailRefill: time.Hour},
				Conn:   conn.Config{TrustProxy: tt.trust},
			})
			ctx := testCtx(t, 20*time.Second)
			for i, try := range tt.tries {
				if got := guess(t, ctx, srv, try.xff...); got != try.want {
					t.Fatalf("try %d (%q): %q, want %q", i, try.xff, got, try.want)
				}
			}
		})
	}
}
