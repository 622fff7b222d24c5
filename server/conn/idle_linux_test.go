package conn

import (
	"bufio"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestThePollerMissesNoByte drives the epoll set alone, without WebSocket
// or rooms, at thousands of wakes a second: sockets that
// park, are written to at once or a moment later, wake, read, and park
// again. A wake lost anywhere between the set, the runtime's poller and
// the poller's goroutine leaves a byte unread, and the test fails (a
// poller that waited without asking the set, after a Read that had found
// events, failed it in four runs of six at 5,000 rounds).
func TestThePollerMissesNoByte(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Few sockets, so that none is woken by chance by another's event.
	const sockets, rounds = 2, 8000
	var wg sync.WaitGroup
	for i := range sockets {
		client, server := tcpPair(t, ln)
		br := bufio.NewReader(server)
		e, ok := newIdler(socketOf(server), br).(*epollIdle)
		if !ok {
			t.Fatal("a TCP socket does not wait in the epoll set")
		}
		defer e.forget()
		got := make(chan byte, 1)
		var resume func()
		resume = func() {
			for {
				b, err := br.ReadByte()
				if err != nil {
					return
				}
				got <- b
				if e.park(resume) { // false: more to read
					return
				}
			}
		}
		if !e.park(resume) {
			t.Fatal("a socket could not be parked")
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			for r := range rounds {
				switch k := rng.IntN(10); {
				case k < 6: // at once: as the socket parks again
				case k < 9:
					time.Sleep(time.Duration(rng.IntN(50)) * time.Microsecond)
				default:
					time.Sleep(time.Duration(rng.IntN(2)) * time.Millisecond)
				}
				if _, err := client.Write([]byte{byte(r)}); err != nil {
					t.Error(err)
					return
				}
				select {
				case b := <-got:
					if b != byte(r) {
						t.Errorf("socket %d, round %d: read %d", i, r, b)
						return
					}
				case <-time.After(2 * time.Second):
					t.Errorf("socket %d, round %d: the byte was never read (a lost wake)", i, r)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// tcpPair connects a client to ln and returns both ends, closed when the
// test ends.
func tcpPair(tb testing.TB, ln net.Listener) (client, server net.Conn) {
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { client.Close() })
	server, err = ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { server.Close() })
	return client, server
}

// BenchmarkWake: what a frame costs the server to notice and read when its
// connection waits without a goroutine (parked), against a goroutine that
// waits in the read (blocked: the plain Go server's way, the floor). Each
// operation is a byte sent to one of 64 quiet sockets and read on the
// other side; cpu-ns/op is the process's CPU (both sides, user and
// system) per operation.
func BenchmarkWake(b *testing.B) {
	b.Run("parked", func(b *testing.B) { benchWake(b, true) })
	b.Run("blocked", func(b *testing.B) { benchWake(b, false) })
}

func benchWake(b *testing.B, park bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	const sockets = 64
	clients := make([]net.Conn, sockets)
	got := make([]chan byte, sockets)
	for i := range sockets {
		client, server := tcpPair(b, ln)
		clients[i], got[i] = client, make(chan byte, 1)
		br := bufio.NewReader(server)
		read := func() bool {
			c, err := br.ReadByte()
			if err != nil {
				return false
			}
			got[i] <- c
			return true
		}
		if !park {
			go func() {
				for read() {
				}
			}()
			continue
		}
		e, ok := newIdler(socketOf(server), br).(*epollIdle)
		if !ok {
			b.Fatal("a TCP socket does not wait in the epoll set")
		}
		defer e.forget()
		var resume func()
		resume = func() {
			for read() && !e.park(resume) {
			}
		}
		if !e.park(resume) {
			b.Fatal("a socket could not be parked")
		}
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ResetTimer()
	before := cpuTime(b)
	for i := range sockets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if _, err := clients[i].Write([]byte{1}); err != nil {
					b.Error(err)
					return
				}
				<-got[i]
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
