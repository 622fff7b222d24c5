package conn_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/shared/protocol"
)

// rawWS opens a TCP connection to srv and sends a WebSocket upgrade request
// followed, in the same write, by the frames given. It returns the
// connection and a reader positioned after the 101 response.
func rawWS(t *testing.T, srv *gametest.Server, msgs ...protocol.Message) (net.Conn, *bufio.Reader) {
	t.Helper()
	addr := strings.TrimPrefix(srv.URL, "http://")
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	key := make([]byte, 16)
	rand.Read(key)
	var req bytes.Buffer
	req.WriteString("GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\n\r\n")
	for _, m := range msgs {
		req.Write(clientFrame(t, m))
	}
	if _, err := c.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return c, br
}

// clientFrame is m as a client sends it: a masked binary frame.
func clientFrame(t *testing.T, m protocol.Message) []byte {
	t.Helper()
	b, err := protocol.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 125 {
		t.Fatalf("a %d-byte frame: the test writes short ones only", len(b))
	}
	mask := [4]byte{1, 2, 3, 4}
	f := append([]byte{0x82, 0x80 | byte(len(b))}, mask[:]...)
	for i, c := range b {
		f = append(f, c^mask[i%4])
	}
	return f
}

// serverFrame reads one frame from the server and decodes it.
func serverFrame(t *testing.T, br *bufio.Reader) protocol.Message {
	t.Helper()
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		t.Fatal(err)
	}
	n := int(head[1] & 0x7f)
	if n == 126 {
		var ext [2]byte
		io.ReadFull(br, ext[:])
		n = int(ext[0])<<8 | int(ext[1])
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		t.Fatal(err)
	}
	m, err := protocol.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHelloRightBehindTheHandshake: a client that sends its first frame in
// the same packet as its upgrade request still gets its seat, though the
// connection trades net/http's buffers for smaller ones (the frame waits in
// net/http's reader when the connection is taken over).
func TestHelloRightBehindTheHandshake(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Conn: conn.Config{PongAfter: answerEveryPing}})
	// A ping behind the hello, in the same packet: it waits in the
	// reader's buffer, where the socket shows nothing, and is answered
	// all the same (the connection must not go to sleep over it).
	_, br := rawWS(t, srv, protocol.Hello{V: protocol.Version, Want: protocol.WantCreate, Lang: "fi"}, protocol.Ping{N: 7})
	if m := serverFrame(t, br); m.Type() != protocol.TypeWelcome {
		t.Fatalf("got %T %+v, want a welcome", m, m)
	}
	for {
		if p, ok := serverFrame(t, br).(protocol.Pong); ok {
			if p.N != 7 {
				t.Fatalf("pong %d, want 7", p.N)
			}
			return
		}
	}
}

// TestFramesArrivingTogether: frames that reach the server in one read of
// its small buffer are all answered, in order.
func TestFramesArrivingTogether(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Conn: conn.Config{PongAfter: answerEveryPing}})
	c, br := rawWS(t, srv, protocol.Hello{V: protocol.Version, Want: protocol.WantCreate, Lang: "fi"})
	for serverFrame(t, br).Type() != protocol.TypeSnapshot {
	}
	time.Sleep(50 * time.Millisecond) // the connection is idle now
	var pings []byte
	for n := range uint64(3) {
		pings = append(pings, clientFrame(t, protocol.Ping{N: n + 1})...)
	}
	if _, err := c.Write(pings); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	for want := uint64(1); want <= 3; {
		switch m := serverFrame(t, br).(type) {
		case protocol.Pong:
			if m.N != want {
				t.Fatalf("pong %d, want %d", m.N, want)
			}
			want++
		}
	}
}
