//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The load generator's WebSocket client is its own: RFC 6455 as a client
// speaks it (the upgrade handshake, masked frames out, frames in), with
// reading done by a few goroutines that each wait on an epoll set of many
// sockets. A goroutine per connection, woken for every frame, would cost the
// load generator more CPU than the server it measures, on a machine they
// share; here a delivery costs one read.

// wsConn is one client WebSocket.
type wsConn struct {
	c    net.Conn
	fd   int
	mask [4]byte

	wmu sync.Mutex
	wb  []byte

	in     []byte // bytes read and not yet a whole frame (the reader's only)
	onMsg  func(b []byte, at int64)
	onDone func(err error)
	closed bool
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// dialWS connects from local (nil: any) to the ws:// URL u and upgrades.
func dialWS(ctx context.Context, u *url.URL, local net.Addr) (*wsConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: local}
	c, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	ws, err := handshake(c, u)
	if err != nil {
		c.Close()
		return nil, err
	}
	return ws, nil
}

func handshake(c net.Conn, u *url.URL) (*wsConn, error) {
	var key [16]byte
	rand.Read(key[:])
	k := base64.StdEncoding.EncodeToString(key[:])
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + k + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return nil, err
	}
	var resp []byte
	buf := make([]byte, 1024)
	for !bytes.Contains(resp, []byte("\r\n\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			return nil, fmt.Errorf("handshake: %w", err)
		}
		resp = append(resp, buf[:n]...)
		if len(resp) > 8<<10 {
			return nil, errors.New("handshake: response too long")
		}
	}
	end := bytes.Index(resp, []byte("\r\n\r\n")) + 4
	head := string(resp[:end])
	if !bytes.HasPrefix(resp, []byte("HTTP/1.1 101")) {
		line, _, _ := bytes.Cut(resp, []byte("\r\n"))
		return nil, fmt.Errorf("handshake: %s", line)
	}
	sum := sha1.Sum([]byte(k + wsGUID))
	if !bytes.Contains(bytes.ToLower([]byte(head)), bytes.ToLower([]byte("sec-websocket-accept: "+base64.StdEncoding.EncodeToString(sum[:])))) {
		return nil, errors.New("handshake: wrong Sec-WebSocket-Accept")
	}
	ws := &wsConn{c: c, in: append([]byte(nil), resp[end:]...)}
	rand.Read(ws.mask[:])
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, errors.New("not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	rc.Control(func(fd uintptr) { ws.fd = int(fd) })
	return ws, nil
}

// write sends b as one masked binary frame.
func (w *wsConn) write(b []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	f := w.wb[:0]
	f = append(f, 0x82)
	switch n := len(b); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	f = append(f, w.mask[:]...)
	for i, c := range b {
		f = append(f, c^w.mask[i&3])
	}
	w.wb = f
	w.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := w.c.Write(f)
	return err
}

func (w *wsConn) close() { w.c.Close() }

// frames takes the whole frames out of w.in and hands their payloads on.
func (w *wsConn) frames(at int64) error {
	for {
		b := w.in
		if len(b) < 2 {
			return nil
		}
		op, n, hl := b[0]&0x0f, int(b[1]&0x7f), 2
		if b[0]&0x80 == 0 {
			return errors.New("fragmented frame")
		}
		if b[1]&0x80 != 0 {
			return errors.New("masked frame from the server")
		}
		switch n {
		case 126:
			if len(b) < 4 {
				return nil
			}
			n, hl = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return nil
			}
			n, hl = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if n > 16<<20 {
			return errors.New("frame too large")
		}
		if len(b) < hl+n {
			return nil
		}
		payload := b[hl : hl+n]
		switch op {
		case 0x2:
			w.onMsg(payload, at)
		case 0x8:
			return errors.New("closed by the server")
		}
		w.in = b[hl+n:]
		if len(w.in) == 0 {
			w.in = b[:0] // reuse the buffer
		}
	}
}

// readers wait on epoll sets of connections and read what arrives.
type readers struct {
	sets []*epollSet
	next atomic.Uint64 // rooms join in parallel
}

type epollSet struct {
	fd    int
	mu    sync.Mutex
	conns map[int]*wsConn
}

func newReaders(n int) (*readers, error) {
	r := &readers{}
	for range n {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return nil, err
		}
		s := &epollSet{fd: fd, conns: map[int]*wsConn{}}
		r.sets = append(r.sets, s)
	}
	return r, nil
}

// run reads until ctx ends.
func (r *readers) run(ctx context.Context) {
	for _, s := range r.sets {
		go s.loop(ctx)
	}
}

func (r *readers) add(w *wsConn) error {
	s := r.sets[(r.next.Add(1)-1)%uint64(len(r.sets))]
	s.mu.Lock()
	s.conns[w.fd] = w
	s.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(w.fd)}
	return syscall.EpollCtl(s.fd, syscall.EPOLL_CTL_ADD, w.fd, &ev)
}

func (s *epollSet) loop(ctx context.Context) {
	defer syscall.Close(s.fd)
	events := make([]syscall.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		n, err := syscall.EpollWait(s.fd, events, 100)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		at := now()
		for _, ev := range events[:n] {
			s.mu.Lock()
			w := s.conns[int(ev.Fd)]
			s.mu.Unlock()
			if w == nil || w.closed {
				continue
			}
			m, err := syscall.Read(w.fd, buf)
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				continue
			}
			if err == nil && m == 0 {
				err = errors.New("closed")
			}
			if err == nil {
				w.in = append(w.in, buf[:m]...)
				err = w.frames(at)
			}
			if err != nil {
				w.closed = true
				syscall.EpollCtl(s.fd, syscall.EPOLL_CTL_DEL, w.fd, nil)
				s.mu.Lock()
				delete(s.conns, w.fd)
				s.mu.Unlock()
				w.onDone(err)
			}
		}
	}
}
