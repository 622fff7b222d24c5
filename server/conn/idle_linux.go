package conn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/pore/elamanipeli/server/workers"
)

// On Linux a quiet connection holds no goroutine. A goroutine parked in the
// WebSocket's read keeps a stack of 4 KiB or more, which the collector scans
// at every cycle, and most connections are quiet most of the time: a seat
// that pings every few seconds. So once a connection has nothing more to
// read, its goroutine ends and its socket waits in an epoll set of the
// package's own; when the client sends something, a new goroutine reads it.
//
// The set is itself watched by the runtime's poller (an epoll set is
// readable while it has events), and one goroutine takes its events without
// waiting in epoll_wait: a goroutine blocked in a system call holds its
// processor until the runtime takes it back (20 µs to 10 ms later), which
// on two cores left the goroutines it had just started waiting. The runtime
// watches the set edge-triggered, as it watches sockets: every event that
// reaches the set wakes it again, and the goroutine takes all there are
// before it waits (TestThePollerMissesNoByte, TestQuietConnectionsAlwaysWake).
//
// Over TLS the record layer buffers what it has decrypted, out of the
// socket's sight, so a TLS connection keeps its goroutine.

// epollIdle is a connection's place in the poller.
type epollIdle struct {
	br     *bufio.Reader
	rc     syscall.RawConn
	added  bool         // in the epoll set, for good
	resume func()       // what park was given
	state  atomic.Int32 // reading or parked
	id     uint64       // its events', under the poller's mutex
	gone   bool         // forgotten, under the poller's mutex
}

// A connection is being read (its goroutine runs, or is about to), or is
// parked: the poller's goroutine starts the next one when the client
// sends something. Whoever moves it from parked to reading (the poller's
// goroutine on an event, or park, which finds something on the way)
// reads it.
const (
	reading int32 = iota
	parked
)

// newIdler parks a connection on its socket rc (socketOf; nil: it cannot).
func newIdler(rc syscall.RawConn, br *bufio.Reader) idler {
	if rc == nil {
		return blockingIdle{}
	}
	return &epollIdle{br: br, rc: rc}
}

// socketOf finds the socket under c, if its bytes are the WebSocket's own
// (not under TLS, whose record layer stands between).
func socketOf(c net.Conn) syscall.RawConn {
	for inner := c; inner != nil; {
		if _, ok := inner.(*tls.Conn); ok {
			return nil
		}
		if sc, ok := inner.(syscall.Conn); ok {
			rc, _ := sc.SyscallConn()
			return rc
		}
		u, ok := inner.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		inner = u.NetConn()
	}
	return nil
}

// writeNow writes what of b the socket takes without waiting: one
// write(2), which a socket with room in its send buffer takes whole.
func writeNow(rc syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if !errors.Is(werr, syscall.EINTR) {
				break
			}
		}
		if errors.Is(werr, syscall.EAGAIN) {
			werr = nil
		}
		n = max(n, 0)
		return true // never wait: what is left waits in the outbox
	})
	if err != nil {
		return 0, err
	}
	return n, werr
}

// readable reports whether the socket has something to read (the end of
// the stream and errors count, so that the read finds them).
func (e *epollIdle) readable() bool {
	ready := true
	err := e.rc.Control(func(fd uintptr) {
		var b [1]byte
		for {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if !errors.Is(err, syscall.EINTR) {
				ready = !errors.Is(err, syscall.EAGAIN)
				return
			}
		}
	})
	return ready || err != nil
}

// park lets the connection wait for its client without a goroutine:
// resume (the same each time) runs on a goroutine of its own once the
// client sends something. It reports false when there is something to read
// already, or the socket cannot wait in the set: the caller reads on.
//
// The socket is in the set from its first park on, edge-triggered: the set
// has an event each time bytes arrive, whatever the connection is doing,
// and parking costs no system call but the look at the socket that must
// come after the connection is marked parked. An event that comes while
// the connection is read finds it reading and is dropped (the reader
// reads on until it finds nothing); bytes that come after the look find
// it parked.
func (e *epollIdle) park(resume func()) bool {
	p, err := thePoller()
	if err != nil {
		return false
	}
	if e.br.Buffered() > 0 || !e.added && !p.add(e, resume) {
		return false
	}
	// Once parked, the connection may be another goroutine's at once:
	// the reader's buffer is not looked at again.
	e.state.Store(parked)
	if !e.readable() && !p.broken.Load() {
		return true
	}
	// Something came (or the set is gone): read it here, unless the
	// poller's goroutine has taken the connection meanwhile.
	return !e.state.CompareAndSwap(parked, reading)
}

// forget takes the connection out of the poller's sight for good. It may
// come as the connection parks (its client closed it meanwhile).
func (e *epollIdle) forget() {
	if p, err := thePoller(); err == nil {
		p.mu.Lock()
		e.gone = true
		delete(p.conns, e.id)
		p.mu.Unlock()
	}
}

// poller is one epoll set and the goroutine that waits on it. Every socket
// in it is there edge-triggered (see epollIdle.park). Events carry an id,
// not the descriptor, since a closed descriptor's number is soon reused;
// the kernel takes a closed socket out of the set by itself.
type poller struct {
	fd  int
	set *os.File        // held, or its finalizer would close fd
	rc  syscall.RawConn // the set, in the runtime's poller

	broken atomic.Bool // epoll_wait failed: nothing parks any more

	mu    sync.Mutex
	next  uint64
	conns map[uint64]*epollIdle
}

var (
	pollerOnce sync.Once
	pollerP    *poller
	pollerErr  error
)

func thePoller() (*poller, error) {
	pollerOnce.Do(func() {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err == nil {
			err = syscall.SetNonblock(fd, true)
		}
		if err != nil {
			pollerErr = err
			return
		}
		// Non-blocking, the set's file goes into the runtime's poller.
		set := os.NewFile(uintptr(fd), "conn-idle")
		rc, err := set.SyscallConn()
		if err != nil {
			set.Close()
			pollerErr = err
			return
		}
		pollerP = &poller{fd: fd, set: set, rc: rc, conns: map[uint64]*epollIdle{}}
		go pollerP.loop()
	})
	return pollerP, pollerErr
}

// edgeTriggered is EPOLLET in an event's mask (syscall's constant is
// negative).
const edgeTriggered = syscall.EPOLLET & 0xffffffff

// add puts e's socket in the set for good, under a new id.
func (p *poller) add(e *epollIdle, resume func()) bool {
	// What the poller's goroutine reads of e is written before the lock
	// that hands e to it.
	e.resume = resume
	p.mu.Lock()
	if e.gone {
		p.mu.Unlock()
		return false
	}
	p.next++
	id := p.next
	e.id = id
	p.conns[id] = e
	p.mu.Unlock()
	ev := syscall.EpollEvent{
		Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | edgeTriggered,
		Fd:     int32(uint32(id)), Pad: int32(uint32(id >> 32)),
	}
	var err error
	// Control holds the descriptor open meanwhile, so it cannot be a
	// reused number.
	cerr := e.rc.Control(func(fd uintptr) { err = syscall.EpollCtl(p.fd, syscall.EPOLL_CTL_ADD, int(fd), &ev) })
	if cerr != nil || err != nil {
		// Not in the set: no event can come, and the caller reads on.
		p.mu.Lock()
		delete(p.conns, id)
		p.mu.Unlock()
		return false
	}
	e.added = true
	return true
}

// loop waits for sockets with something to read and hands each to a new
// goroutine, for the life of the process. It waits in the runtime's poller,
// not in epoll_wait, so its processor runs those goroutines meanwhile.
//
// One Read lasts the poller's life: the runtime forgets, as a Read begins,
// that the set became readable before it, so a new Read after the set was
// found empty could wait for an event that had already come. Within the
// Read, anything that reaches the set after epoll_wait has looked makes
// the set readable again and ends the wait.
func (p *poller) loop() {
	events := make([]syscall.EpollEvent, 256)
	p.rc.Read(func(fd uintptr) bool {
		for {
			n, err := syscall.EpollWait(int(fd), events, 0)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil {
				return true
			}
			p.hand(events[:n])
			if n < len(events) {
				return false // none left: wait until the set is readable
			}
		}
	})
	// The Read ends only if epoll_wait or the wait failed, which cannot
	// happen on a set that is open; if it did, every connection waiting
	// in it goes back to reading (and one that parks from now on finds
	// the set broken).
	p.broken.Store(true)
	p.mu.Lock()
	for _, e := range p.conns {
		if e.state.CompareAndSwap(parked, reading) {
			go e.resume()
		}
	}
	p.mu.Unlock()
}

// hand starts the goroutines of the parked connections the events are for.
func (p *poller) hand(events []syscall.EpollEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range events {
		id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
		if e := p.conns[id]; e != nil && e.state.CompareAndSwap(parked, reading) {
			workers.Go(e.resume)
		}
	}
}
