package conn

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"sync"
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
	br    *bufio.Reader
	rc    syscall.RawConn
	id    uint64
	added bool // in the epoll set (it may be disarmed)
}

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

// pending reports whether there is something to read: bytes in the reader's
// buffer, or in the socket (the end of the stream and errors count, so that
// the read finds them).
func (e *epollIdle) pending() bool {
	if e.br.Buffered() > 0 {
		return true
	}
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

// park arms the socket: resume runs once it is readable (or closed by the
// client). It reports false when the socket cannot be armed.
func (e *epollIdle) park(resume func()) bool {
	p, err := thePoller()
	if err != nil {
		return false
	}
	if e.id == 0 {
		e.id = p.newID()
	}
	return p.arm(e, resume)
}

func (e *epollIdle) forget() {
	if e.id != 0 {
		if p, err := thePoller(); err == nil {
			p.drop(e.id)
		}
	}
}

// poller is one epoll set and the goroutine that waits on it. Every socket
// in it is armed for one event at a time (EPOLLONESHOT, level-triggered:
// arming a socket that is readable already reports it at once). Events
// carry an id, not the descriptor, since a closed descriptor's number is
// soon reused; the kernel takes a closed socket out of the set by itself.
type poller struct {
	fd  int
	set *os.File        // held, or its finalizer would close fd
	rc  syscall.RawConn // the set, in the runtime's poller

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]func()
	broken  bool // epoll_wait failed: nothing is armed any more
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
		pollerP = &poller{fd: fd, set: set, rc: rc, waiting: map[uint64]func(){}}
		go pollerP.loop()
	})
	return pollerP, pollerErr
}

func (p *poller) newID() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	return p.next
}

func (p *poller) arm(e *epollIdle, resume func()) bool {
	// What resume reads of e is written before the lock that hands resume
	// to the poller's goroutine.
	op := syscall.EPOLL_CTL_MOD
	if !e.added {
		op, e.added = syscall.EPOLL_CTL_ADD, true
	}
	p.mu.Lock()
	if p.broken {
		p.mu.Unlock()
		return false
	}
	p.waiting[e.id] = resume
	p.mu.Unlock()
	ev := syscall.EpollEvent{
		Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd:     int32(uint32(e.id)), Pad: int32(uint32(e.id >> 32)),
	}
	var err error
	// Control holds the descriptor open meanwhile, so it cannot be a
	// reused number.
	cerr := e.rc.Control(func(fd uintptr) { err = syscall.EpollCtl(p.fd, op, int(fd), &ev) })
	if cerr != nil || err != nil {
		// Not armed: no event can come, and the caller reads on.
		p.drop(e.id)
		if op == syscall.EPOLL_CTL_ADD {
			e.added = false
		}
		return false
	}
	return true
}

func (p *poller) drop(id uint64) {
	p.mu.Lock()
	delete(p.waiting, id)
	p.mu.Unlock()
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
	// in it goes back to reading.
	p.mu.Lock()
	p.broken = true
	for id, resume := range p.waiting {
		delete(p.waiting, id)
		go resume()
	}
	p.mu.Unlock()
}

// hand starts the goroutines of the sockets the events are for.
func (p *poller) hand(events []syscall.EpollEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range events {
		id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
		if resume := p.waiting[id]; resume != nil {
			delete(p.waiting, id)
			workers.Go(resume)
		}
	}
}
