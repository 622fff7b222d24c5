package conn

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// errBehind is what writing to a connection returns once its client has
// fallen more than Config.QueueBytes behind.
var errBehind = errors.New("the client has fallen behind")

// outbox is what a WebSocket writes its frames into, under its buffered
// writer. Whoever sends a frame writes it to the socket at once when the
// kernel takes it whole without waiting, as it does for every frame of a
// client that keeps up: a room sends its update to its members with a
// system call each, and no goroutine starts. What the kernel does not take
// waits here, and a goroutine of the outbox's own writes it out, bounded
// by a deadline for each write; frames sent meanwhile wait behind it, in
// order. So a write never waits for a client: a client that stops reading
// fills the outbox, and writing fails with errBehind.
//
// Over TLS the record layer stands between the frame and the socket, and
// every frame goes through the goroutine.
type outbox struct {
	c   net.Conn
	rc  syscall.RawConn // the socket, written without waiting; nil: never
	cfg *Config

	mu       sync.Mutex
	failed   func()        // runs when a write of the goroutine's fails (whenFailed)
	waiting  []byte        // what the goroutine writes next
	writing  int           // bytes it is writing now
	busy     bool          // the goroutine runs
	err      error         // writing has failed for good
	idleOnce chan struct{} // closed when the goroutine ends (settle)
}

// newOutbox writes to c, and straight to its socket rc when rc is not nil
// (socketOf).
func newOutbox(c net.Conn, rc syscall.RawConn, cfg *Config) *outbox {
	return &outbox{c: c, rc: rc, cfg: cfg}
}

// Write takes b whole, or fails for good.
func (o *outbox) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	n := len(b)
	if !o.busy && o.rc != nil {
		w, err := writeNow(o.rc, b)
		if err != nil {
			o.err = err
			return 0, err
		}
		if b = b[w:]; len(b) == 0 {
			return n, nil
		}
	}
	if o.writing+len(o.waiting)+len(b) > o.cfg.QueueBytes {
		o.err = errBehind
		o.waiting = nil
		return 0, o.err
	}
	o.waiting = append(o.waiting, b...)
	if !o.busy {
		o.busy = true
		go o.drain()
	}
	return n, nil
}

// drain writes out what waits, each write bounded by Config.WriteTimeout.
func (o *outbox) drain() {
	for {
		o.mu.Lock()
		if len(o.waiting) == 0 || o.err != nil {
			// The deadline goes before writes at once may come again: a
			// deadline past would fail them.
			o.c.SetWriteDeadline(time.Time{})
			o.busy, o.waiting = false, nil
			if o.idleOnce != nil {
				close(o.idleOnce)
				o.idleOnce = nil
			}
			o.mu.Unlock()
			return
		}
		b := o.waiting
		o.waiting, o.writing = nil, len(b)
		o.mu.Unlock()

		o.c.SetWriteDeadline(time.Now().Add(o.cfg.WriteTimeout))
		_, err := o.c.Write(b)

		o.mu.Lock()
		o.writing = 0
		var failed func()
		if err != nil && o.err == nil {
			o.err, failed = err, o.failed
		}
		o.mu.Unlock()
		if failed != nil {
			failed()
		}
	}
}

// whenFailed has f run, on the outbox's goroutine, when a write there
// times out or fails: the connection is over. (A write at once that fails
// fails its caller.)
func (o *outbox) whenFailed(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed = f
}

// pending reports whether something waits to be written.
func (o *outbox) pending() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.busy
}

// settle waits until what waits has been written, or writing has failed.
// (Each write has its deadline, and nothing is added meanwhile by a peer
// that is closing.)
func (o *outbox) settle() {
	o.mu.Lock()
	if !o.busy {
		o.mu.Unlock()
		return
	}
	if o.idleOnce == nil {
		o.idleOnce = make(chan struct{})
	}
	ch := o.idleOnce
	o.mu.Unlock()
	<-ch
}

// broken reports whether writing has failed for good.
func (o *outbox) broken() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err != nil
}
