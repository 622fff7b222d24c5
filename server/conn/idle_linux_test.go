package conn

import (
	"bufio"
	"math/rand/v2"
	"net"
	"sync"
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
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		defer server.Close()
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
				if !e.pending() {
					break
				}
			}
			if !e.park(resume) {
				t.Error("a socket could not be parked again")
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
