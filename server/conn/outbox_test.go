package conn

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// socketPair is a server's socket with a small send buffer, as the handler
// sets it, and its client's end, whose kernel takes little while nobody
// reads it.
func socketPair(t *testing.T) (server, client *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client = c.(*net.TCPConn)
	client.SetReadBuffer(4 << 10)
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	server = s.(*net.TCPConn)
	server.SetWriteBuffer(8 << 10)
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// numbered is frame i of a test: its number, then filler.
func numbered(i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, size)
	b[0], b[1] = byte(i>>8), byte(i)
	return b
}

// TestOutboxWritesAtOnceAndInOrder: frames to a client that reads go out
// as they are written, with no goroutine; frames to a client that has
// stopped reading wait in the outbox, and once it reads again every byte
// arrives, in order, and writing at once resumes.
func TestOutboxWritesAtOnceAndInOrder(t *testing.T) {
	server, client := socketPair(t)
	cfg := Config{}
	cfg.defaults()
	o := newOutbox(server, socketOf(server), &cfg)
	const size = 200

	var want bytes.Buffer
	for i := range 20 {
		b := numbered(i, size)
		want.Write(b)
		if _, err := o.Write(b); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, size)
		client.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(client, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("frame %d arrived as %x…", i, got[:4])
		}
		if runtime.GOOS == "linux" && o.pending() {
			t.Fatalf("frame %d to a reading client waits in the outbox", i)
		}
	}

	// The client stops reading: its kernel and the server's send buffer
	// fill, and what follows waits.
	want.Reset()
	n := 0
	for behind := 0; behind < 50; n++ {
		if o.pending() {
			behind++
		}
		b := numbered(n, size)
		want.Write(b)
		if _, err := o.Write(b); err != nil {
			t.Fatalf("frame %d of a lagging client: %v", n, err)
		}
		if n > cfg.QueueBytes/size {
			t.Fatal("nothing waits for a client that does not read")
		}
	}
	// It reads again, while more frames come: those written at once must
	// not overtake those waiting.
	for m := n + 1000; n < m; n++ {
		want.Write(numbered(n, size))
	}
	read := make(chan []byte, 1)
	go func() {
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, want.Len())
		io.ReadFull(client, got)
		read <- got
	}()
	for i := want.Len()/size - 1000; i < n; i++ {
		if _, err := o.Write(numbered(i, size)); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		time.Sleep(50 * time.Microsecond)
	}
	if !bytes.Equal(<-read, want.Bytes()) {
		t.Fatalf("%d frames to a lagging client arrived out of order or changed", n)
	}
	o.settle()
	if o.pending() || o.broken() {
		t.Fatal("the outbox did not empty once its client read again")
	}
	if runtime.GOOS == "linux" {
		o.Write(numbered(0, size))
		if o.pending() {
			t.Fatal("writing at once did not resume")
		}
	}
}

// TestOutboxRefusesAClientTooFarBehind: a client that stops reading fills
// the outbox up to QueueBytes and no further; writing then fails, for good,
// with errBehind. One that fills less but never reads again is given up
// once a write of the outbox's goroutine outlasts WriteTimeout.
func TestOutboxRefusesAClientTooFarBehind(t *testing.T) {
	t.Run("behind", func(t *testing.T) {
		server, _ := socketPair(t)
		cfg := Config{QueueBytes: 64 << 10}
		cfg.defaults()
		o := newOutbox(server, socketOf(server), &cfg)
		var err error
		for i := 0; err == nil; i++ {
			if i > 10_000 {
				t.Fatal("a client that never reads was never refused")
			}
			_, err = o.Write(numbered(i, 1000))
		}
		if !errors.Is(err, errBehind) {
			t.Fatalf("writing to a client that never reads: %v, want errBehind", err)
		}
		o.mu.Lock()
		held := len(o.waiting) + o.writing
		o.mu.Unlock()
		if held > cfg.QueueBytes {
			t.Fatalf("the outbox holds %d bytes, over its %d", held, cfg.QueueBytes)
		}
		if _, err := o.Write([]byte{1}); !errors.Is(err, errBehind) {
			t.Fatalf("a write after the refusal: %v", err)
		}
	})
	t.Run("stuck", func(t *testing.T) {
		server, _ := socketPair(t)
		cfg := Config{WriteTimeout: 300 * time.Millisecond}
		cfg.defaults()
		o := newOutbox(server, socketOf(server), &cfg)
		failed := make(chan struct{})
		o.whenFailed(func() { close(failed) })
		start := time.Now()
		for i := 0; !o.pending(); i++ {
			if _, err := o.Write(numbered(i, 1000)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-failed:
		case <-time.After(10 * time.Second):
			t.Fatal("a write to a client that never reads did not time out")
		}
		if took := time.Since(start); took < cfg.WriteTimeout {
			t.Fatalf("given up after %v, before the write timeout", took)
		}
		if _, err := o.Write([]byte{1}); err == nil {
			t.Fatal("writing after the timeout succeeded")
		}
	})
}
