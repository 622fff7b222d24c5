package gametest

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a TCP proxy on loopback that cuts the connections through it, as
// a flaky network or a sleeping tablet would. Clients dial the proxy; it
// dials the server, which may change (a restarted server) with SetTarget.
// With several servers (NewBalancer) it is an ordinary round-robin load
// balancer: each new connection goes to the next server in turn, or past
// one that does not answer, and no client sticks to a server.
type Proxy struct {
	ln       net.Listener
	targets  atomic.Pointer[[]string]
	next     atomic.Uint64
	lifetime func() time.Duration
	cuts     atomic.Int64
	delay    atomic.Int64 // nanoseconds each way

	mu     sync.Mutex
	links  map[*link]struct{}
	closed bool
	wg     sync.WaitGroup
}

type link struct {
	a, b net.Conn
	once sync.Once
}

func (l *link) cut() {
	l.once.Do(func() {
		l.a.Close()
		l.b.Close()
	})
}

// NewProxy listens on a loopback port and forwards to target. lifetime, when
// set, says how long each new connection lives before the proxy cuts it (0:
// no cut); it is called from several goroutines. The proxy stops when the
// test ends.
func NewProxy(t testing.TB, target string, lifetime func() time.Duration) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, lifetime: lifetime, links: map[*link]struct{}{}}
	p.SetTarget(target)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// NewBalancer listens on a loopback port and spreads the connections over
// targets, round-robin. It stops when the test ends.
func NewBalancer(t testing.TB, targets ...string) *Proxy {
	t.Helper()
	p := NewProxy(t, "", nil)
	p.targets.Store(&targets)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetTarget sends new connections to addr (host:port).
func (p *Proxy) SetTarget(addr string) { p.targets.Store(&[]string{addr}) }

// SetDelay holds everything through the proxy for d each way, as a slow
// mobile network does: latency, not bandwidth, and the order is kept. It
// applies to connections made after it.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Cuts returns how many connections the proxy has cut.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// CutAll cuts every connection through the proxy.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		p.cuts.Add(1)
		l.cut()
	}
}

// Close stops the proxy and cuts what goes through it.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.CutAll()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// dial connects to the next target that answers.
func (p *Proxy) dial() (net.Conn, error) {
	targets := *p.targets.Load()
	first := p.next.Add(1)
	var err error
	for i := range len(targets) {
		var s net.Conn
		if s, err = net.DialTimeout("tcp", targets[(first+uint64(i))%uint64(len(targets))], time.Second); err == nil {
			return s, nil
		}
	}
	return nil, err
}

func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	s, err := p.dial()
	if err != nil {
		c.Close()
		return
	}
	l := &link{a: c, b: s}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.cut()
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
	}()
	if p.lifetime != nil {
		if d := p.lifetime(); d > 0 {
			t := time.AfterFunc(d, func() {
				p.cuts.Add(1)
				l.cut()
			})
			defer t.Stop()
		}
	}
	done := make(chan struct{}, 2)
	delay := time.Duration(p.delay.Load())
	pipe := func(dst, src net.Conn) {
		if delay > 0 {
			late(dst, src, delay)
		} else {
			io.Copy(dst, src)
		}
		l.cut() // either side ending ends both, as a dropped network would
		done <- struct{}{}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
	<-done
}

// late copies src to dst, each read d after it arrived, until either side
// ends.
func late(dst, src net.Conn, d time.Duration) {
	type chunk struct {
		at time.Time
		b  []byte
	}
	chunks := make(chan chunk, 256)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				select {
				case chunks <- chunk{time.Now().Add(d), buf[:n]}:
				case <-stop:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			return
		}
	}
}
