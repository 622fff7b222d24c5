package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/shared/protocol"
)

// selfSigned writes a certificate for 127.0.0.1 and localhost, and its key,
// to dir, and returns their files and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "elamanipeli test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// logLines collects what run logs and hands on the address it serves.
type logLines struct {
	mu    sync.Mutex
	lines []string
	url   chan string
}

func (l *logLines) consume(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct{ Message, URL string }
		json.Unmarshal(sc.Bytes(), &line)
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		l.mu.Unlock()
		if line.Message == "serving" {
			l.url <- line.URL
		}
	}
}

func (l *logLines) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// startRun runs the server in this process with args, plus a data folder
// and a stand-in browser client, until the test ends. It returns the
// address the server logged and its logs.
func startRun(t *testing.T, args ...string) (string, *logLines) {
	t.Helper()
	tmp := t.TempDir()
	client := filepath.Join(tmp, "client")
	os.Mkdir(client, 0o755)
	os.WriteFile(filepath.Join(client, "app.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
	os.WriteFile(filepath.Join(client, "wasm_exec.js"), []byte("// stand-in\n"), 0o644)
	args = append([]string{"-addr", "127.0.0.1:0", "-log-level", "debug", "-data", filepath.Join(tmp, "data"),
		"-client-prebuilt", client, "-client-cache", filepath.Join(tmp, "cache")}, args...)

	pr, pw := io.Pipe()
	logs := &logLines{url: make(chan string, 1)}
	read := make(chan struct{})
	go func() { defer close(read); logs.consume(pr) }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, io.Discard, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		<-read
	})
	select {
	case u := <-logs.url:
		return u, logs
	case err := <-done:
		t.Fatalf("run ended: %v\n%s", err, logs.all())
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start\n%s", logs.all())
	}
	return "", nil
}

// The server serves HTTPS and secure WebSockets itself with -tls-cert and
// -tls-key: a client that trusts the certificate plays, one that does not
// gets nowhere, and the failed handshake is logged without its address.
func TestServesHTTPSItself(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	base, logs := startRun(t, "-tls-cert", certFile, "-tls-key", keyFile)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("serving %q, want https://127.0.0.1:…", base)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET /healthz: %s, TLS %v", resp.Status, resp.TLS != nil)
	}
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Fatalf("no HSTS over HTTPS: %q", h)
	}

	wss := "wss" + strings.TrimPrefix(base, "https") + "/ws"
	dial := func(o *websocket.DialOptions) (*websocket.Conn, error) {
		ws, _, err := websocket.Dial(ctx, wss, o)
		return ws, err
	}
	hello := func(ws *websocket.Conn, h protocol.Hello) protocol.Welcome {
		t.Helper()
		h.V = protocol.Version
		b, _ := protocol.Encode(h)
		if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("no welcome: %v", err)
			}
			switch m, _ := protocol.Decode(b); m := m.(type) {
			case protocol.Welcome:
				return m
			case protocol.Error:
				t.Fatalf("hello: %s", m.Code)
			}
		}
	}
	host, err := dial(&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatalf("wss dial: %v", err)
	}
	defer host.CloseNow()
	// The store opens in the background; a new room waits for it.
	w := hello(host, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	player, err := dial(&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatalf("wss dial: %v", err)
	}
	defer player.CloseNow()
	hello(player, protocol.Hello{Want: protocol.WantJoin, Code: w.Code, Lang: "fi"})

	// Not trusted, or not TLS at all: nothing.
	if ws, err := dial(nil); err == nil {
		ws.CloseNow()
		t.Fatal("a client that does not trust the certificate connected")
	}
	if resp, err := http.Get("http" + strings.TrimPrefix(base, "https") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP was served on the HTTPS port")
		}
	}

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.all(), "TLS handshake error") {
		if time.Now().After(deadline) {
			t.Fatalf("the failed handshake was not logged\n%s", logs.all())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The server's own address is in "url"; no other address is anywhere.
	rest := regexp.MustCompile(`"url":"[^"]*"`).ReplaceAllString(logs.all(), "")
	if m := regexp.MustCompile(`127\.0\.0\.1|\[::1\]`).FindString(rest); m != "" {
		t.Fatalf("the logs carry an address (%s):\n%s", m, rest)
	}
}
