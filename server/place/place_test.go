package place

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// zeros is a random source that always says the same: every code it makes
// is AAAAAA.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// peer records what a place sends and how it closed the connection; full
// makes Send refuse, as a client that stopped reading does.
type peer struct {
	mu     sync.Mutex
	frames [][]byte
	status int
	reason string
	full   bool
}

func (p *peer) Send(b []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.full {
		return false
	}
	p.frames = append(p.frames, b)
	return true
}

func (p *peer) Close(status int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.reason = status, reason
}

func (p *peer) closed() (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status, p.reason
}

// echo is the smallest place: a Hello's Code (a number) is the slot it
// takes, and each Train is answered with an Ack of the same id. It notes
// every call the kernel made, in order.
type echo struct {
	k     *Kernel
	calls []string
	ticks int
}

func (e *echo) Enter(h protocol.Hello, p Peer, _ string) (*Member, rules.Code) {
	if h.Code == "full" {
		return nil, rules.ErrRoomFull
	}
	e.calls = append(e.calls, "enter")
	return e.k.Attach(len(h.Code), p), ""
}

func (e *echo) Message(m *Member, msg protocol.Message, _ time.Time) {
	if t, ok := msg.(protocol.Train); ok {
		e.k.SendMsg(m.Slot(), protocol.Ack{ID: t.ID})
	}
	e.calls = append(e.calls, "message")
}

func (e *echo) Left(slot int)       { e.calls = append(e.calls, "left") }
func (e *echo) Tick(time.Time)      { e.ticks++ }
func (e *echo) Stop()               { e.calls = append(e.calls, "stop") }
func (e *echo) Gone() rules.Code    { return protocol.ErrRoomClosed }
func (e *echo) log() (out []string) { return append(out, e.calls...) }

func newDir(t *testing.T, o Options) *Directory {
	t.Helper()
	o.Log, o.Ready = zerolog.Nop(), true
	d := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
	})
	return d
}

func newEcho(d *Directory, o KernelOptions) *echo {
	e := &echo{}
	o.Stats = d.Stats()
	e.k = NewKernel(e, o)
	return e
}

// calls runs fn on e's goroutine and returns what it saw.
func calls(t *testing.T, e *echo) []string {
	t.Helper()
	var out []string
	if !e.k.Do(t.Context(), func() { out = e.log() }) {
		t.Fatal("the place did not answer")
	}
	return out
}

// TestCodesAreUniqueAcrossPlaces: a workshop's code and a room's are typed
// in the same box, so no two places ever share one, whichever came first.
func TestCodesAreUniqueAcrossPlaces(t *testing.T) {
	d := newDir(t, Options{Rand: zeros{}})
	a, b := newEcho(d, KernelOptions{}), newEcho(d, KernelOptions{})
	codes, err := d.Add(a.k, nil, Fresh{NS: Code, Len: CodeLen})
	if err != nil || codes[0] != "AAAAAA" {
		t.Fatalf("first code %q, %v", codes, err)
	}
	if _, err := d.Add(b.k, nil, Fresh{NS: Code, Len: CodeLen}); err == nil {
		t.Fatal("the same code given twice")
	}
	// The same letters in another namespace are another name.
	if _, err := d.Add(b.k, nil, Fresh{NS: Watch, Len: CodeLen}); err != nil {
		t.Fatalf("a spectator code clashed with a room code: %v", err)
	}
	if _, err := d.Add(newEcho(d, KernelOptions{}).k, []Name{{Watch, "AAAAAA"}}); err == nil {
		t.Fatal("a fixed name that is taken was given again")
	}
	d.Remove(a.k)
	if d.Find(Name{Code, "AAAAAA"}) != nil {
		t.Fatal("a removed place is still found")
	}
	if codes, err := d.Add(newEcho(d, KernelOptions{}).k, nil, Fresh{NS: Code, Len: CodeLen}); err != nil || codes[0] != "AAAAAA" {
		t.Fatalf("a released code is not given again: %q, %v", codes, err)
	}
}

// TestOpenRoutesByWhatTheHelloWants: a new place for what a creator
// handles, a join by code, a resume by token key (a seat's first, then a
// waiting one's), and a clear code for everything else.
func TestOpenRoutesByWhatTheHelloWants(t *testing.T) {
	d := newDir(t, Options{})
	var made *echo
	d.Handle(protocol.WantCreate, func(protocol.Hello, string) (*Kernel, rules.Code) {
		made = newEcho(d, KernelOptions{})
		if _, err := d.Add(made.k, []Name{{Code, "ROOM"}}); err != nil {
			return nil, protocol.ErrBusy
		}
		d.Run(made.k)
		return made.k, ""
	})
	hello := func(want protocol.Want, code, token string) protocol.Hello {
		return protocol.Hello{V: protocol.Version, Want: want, Code: code, Token: token}
	}
	ctx := t.Context()
	if m, code := d.Open(ctx, "a", &peer{}, hello(protocol.WantCreate, "", "")); code != "" || m.Slot() != 0 {
		t.Fatalf("create: %q", code)
	}
	if m, code := d.Open(ctx, "a", &peer{}, hello(protocol.WantJoin, "r-o-o-m", "")); code != "" || m.Slot() != len("r-o-o-m") {
		t.Fatalf("join by a code written loosely: %q", code)
	}
	waiting := newEcho(d, KernelOptions{})
	key := KeyOf("secret")
	if _, err := d.Add(waiting.k, []Name{{Waiting, string(key[:])}}); err != nil {
		t.Fatal(err)
	}
	d.Run(waiting.k)
	if m, _ := d.Open(ctx, "a", &peer{}, hello(protocol.WantResume, "xy", "secret")); m == nil || m.k != waiting.k {
		t.Fatal("a waiting token did not find its place")
	}
	if !d.Claim(made.k, Name{Code, "FULL"}) || !d.Claim(made.k, TokenName(key)) {
		t.Fatal("a seat could not claim its token")
	}
	if m, _ := d.Open(ctx, "a", &peer{}, hello(protocol.WantResume, "xyz", "secret")); m == nil || m.k != made.k {
		t.Fatal("a seat's token did not find the seat before the waiting place")
	}
	for _, c := range []struct {
		name  string
		hello protocol.Hello
		want  rules.Code
	}{
		{"no such code", hello(protocol.WantJoin, "NOPE", ""), protocol.ErrNoRoom},
		{"no such token", hello(protocol.WantResume, "", "nope"), protocol.ErrBadToken},
		{"nobody makes workshops here", hello(protocol.WantWorkshop, "", ""), protocol.ErrBadMessage},
		{"the place says no", hello(protocol.WantJoin, "full", ""), rules.ErrRoomFull},
		{"too new", protocol.Hello{V: protocol.Version + 1, Want: protocol.WantJoin, Code: "ROOM"}, protocol.ErrVersion},
	} {
		if _, code := d.Open(ctx, "b", &peer{}, c.hello); code != c.want {
			t.Errorf("%s: %q, want %q", c.name, code, c.want)
		}
	}
}

// TestWrongGuessesLimitAnAddressToItsOwnPlaces: an address that guessed
// too many codes reaches only the places its own devices are in, and is
// told "rate-limited" for every other code, right or wrong.
func TestWrongGuessesLimitAnAddressToItsOwnPlaces(t *testing.T) {
	d := newDir(t, Options{FailedJoins: 3, FailRefill: time.Hour})
	for _, c := range []string{"ONE", "TWO"} {
		e := newEcho(d, KernelOptions{})
		if _, err := d.Add(e.k, []Name{{Code, c}}); err != nil {
			t.Fatal(err)
		}
		d.Run(e.k)
	}
	join := func(addr, code string) rules.Code {
		_, c := d.Open(t.Context(), addr, &peer{}, protocol.Hello{V: protocol.Version, Want: protocol.WantJoin, Code: code})
		return c
	}
	if c := join("school", "ONE"); c != "" {
		t.Fatalf("an honest join: %q", c)
	}
	for range 3 {
		if c := join("school", "WRONG"); c != protocol.ErrNoRoom {
			t.Fatalf("a wrong code: %q", c)
		}
	}
	if c := join("school", "WRONG"); c != protocol.ErrRateLimited {
		t.Fatalf("a wrong code past the allowance: %q", c)
	}
	if c := join("school", "TWO"); c != protocol.ErrRateLimited {
		t.Fatalf("a right code that no device of the address is in: %q, want it told like a wrong one", c)
	}
	if c := join("school", "ONE"); c != "" {
		t.Fatalf("the classroom's own place: %q", c)
	}
	if c := join("home", "TWO"); c != "" {
		t.Fatalf("another address is not held back: %q", c)
	}
}

// TestKernelDropsTheSlowAndTheReplaced: a connection that cannot take a
// frame is dropped (1008) and the handler told; a newer connection for the
// same slot replaces the older one without telling the handler it left.
func TestKernelDropsTheSlowAndTheReplaced(t *testing.T) {
	d := newDir(t, Options{})
	e := newEcho(d, KernelOptions{})
	if _, err := d.Add(e.k, []Name{{Code, "X"}}); err != nil {
		t.Fatal(err)
	}
	d.Run(e.k)
	ctx := t.Context()
	join := func(p *peer) *Member {
		m, code := e.k.Enter(ctx, protocol.Hello{Code: "ab"}, p, "a")
		if code != "" {
			t.Fatalf("enter: %q", code)
		}
		return m
	}
	first, second := &peer{}, &peer{}
	m1 := join(first)
	m2 := join(second)
	if st, why := first.closed(); st != StatusPolicy || why != "replaced by a newer connection" || !m1.Detached() {
		t.Fatalf("the replaced connection: %d %q", st, why)
	}
	if got := calls(t, e); len(got) != 2 {
		t.Fatalf("calls %v: the handler heard of the replaced connection", got)
	}
	// A frame from the replaced member is not the slot's any more.
	if err := m1.Deliver(ctx, protocol.Train{ID: 1}); err != nil {
		t.Fatal(err)
	}
	second.mu.Lock()
	second.full = true
	second.mu.Unlock()
	if err := m2.Deliver(ctx, protocol.Train{ID: 2}); err != nil {
		t.Fatal(err)
	}
	got := calls(t, e)
	if want := []string{"enter", "enter", "left", "message"}; !equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if st, why := second.closed(); st != StatusPolicy || why != "too slow" {
		t.Fatalf("the slow connection: %d %q", st, why)
	}
	if c := d.Counts(); c.Slow != 1 || c.Conns != 0 {
		t.Fatalf("counts %+v", c)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKernelWorkAlarmsAndStop: work off the goroutine (its own, or
// another's: Await) comes back on it, and Settle waits for it; an alarm
// runs on the goroutine; Shutdown stops every place after its handler's
// Stop, and a place that stopped tells newcomers why.
func TestKernelWorkAlarmsAndStop(t *testing.T) {
	d := newDir(t, Options{})
	e := newEcho(d, KernelOptions{Tick: time.Hour})
	if _, err := d.Add(e.k, nil); err != nil {
		t.Fatal(err)
	}
	d.Run(e.k)
	release := make(chan struct{})
	var order []string
	if !e.k.Do(t.Context(), func() {
		e.k.Go(func() func() {
			<-release
			return func() { order = append(order, "work done") }
		})
		close(release)
		e.k.Settle()
		order = append(order, "after settle")
	}) {
		t.Fatal("no answer")
	}
	if !equal(order, []string{"work done", "after settle"}) {
		t.Fatalf("order %v", order)
	}
	// Work finished elsewhere: two finishes from one goroutine that never
	// waits (a store's answers), both run on the place's goroutine before
	// Settle returns.
	order = nil
	if !e.k.Do(t.Context(), func() {
		a, b := e.k.Await(), e.k.Await()
		returned := make(chan struct{})
		go func() {
			a(func() { order = append(order, "a") })
			b(func() { order = append(order, "b") })
			close(returned)
		}()
		<-returned
		e.k.Settle()
		order = append(order, "after settle")
	}) {
		t.Fatal("no answer")
	}
	if len(order) != 3 || order[2] != "after settle" {
		t.Fatalf("order %v", order)
	}
	rang := make(chan bool, 1)
	e.k.Do(t.Context(), func() {
		e.k.After(time.Hour, func() { rang <- false })
		e.k.After(time.Millisecond, func() { rang <- true }) // replaces the first
	})
	if !<-rang {
		t.Fatal("the replaced alarm rang")
	}
	if err := d.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !e.k.Ended() || e.calls[len(e.calls)-1] != "stop" {
		t.Fatalf("after shutdown: ended %v, calls %v", e.k.Ended(), e.calls)
	}
	if _, code := e.k.Enter(t.Context(), protocol.Hello{}, &peer{}, "a"); code != protocol.ErrRoomClosed {
		t.Fatalf("a stopped place answered %q", code)
	}
	if _, err := d.Add(newEcho(d, KernelOptions{}).k, nil); err != ErrClosing {
		t.Fatalf("a place added while closing: %v", err)
	}
}

// TestKernelRunsOnlyWhenItHasWork: a place has a goroutine only while it
// has something to do, never two at once, and loses nothing that comes
// while its goroutine is going away. Many goroutines hand it calls, work
// and alarms at once; every one is handled exactly once, on one goroutine
// at a time (the race detector checks the handler's counts, which only the
// place touches), and the place is left with no goroutine when all is
// done. No tick comes meanwhile, which would hide a wake that was lost;
// ticks are the last part.
func TestKernelRunsOnlyWhenItHasWork(t *testing.T) {
	beforePark = func() { time.Sleep(20 * time.Microsecond) }
	t.Cleanup(func() { beforePark = nil })
	d := newDir(t, Options{})
	e := newEcho(d, KernelOptions{Tick: time.Hour, Inbox: 4, Linger: 50 * time.Microsecond})
	if _, err := d.Add(e.k, nil); err != nil {
		t.Fatal(err)
	}
	d.Run(e.k)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var inside atomic.Int32
	handled, worked, rang := 0, 0, 0
	alone := func() func() {
		if inside.Add(1) != 1 {
			t.Error("two goroutines ran the place at once")
		}
		return func() { inside.Add(-1) }
	}
	do := func(fn func()) {
		if !e.k.Do(ctx, func() { defer alone()(); fn() }) {
			t.Error("the place did not answer: a wake was lost")
		}
	}
	const senders, each = 8, 500
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			for j := range each {
				switch j % 4 {
				case 0: // fire and forget, again while the inbox is full
					for !e.k.TryCall(func() { defer alone()(); handled++ }) {
						if ctx.Err() != nil {
							t.Error("the inbox stayed full: a wake was lost")
							return
						}
						runtime.Gosched()
					}
				case 1:
					do(func() { handled++ })
				case 2: // work whose result comes back later, from elsewhere
					do(func() {
						handled++
						finish := e.k.Await()
						go finish(func() { defer alone()(); worked++ })
					})
				case 3:
					do(func() {
						handled++
						if i == 0 { // one alarm at a time: each replaces the last
							e.k.After(time.Duration(j%3)*time.Microsecond, func() { defer alone()(); rang++ })
						}
					})
				}
			}
		})
	}
	wg.Wait()
	var got, work int
	if !e.k.Do(ctx, func() { // not alone(): Settle runs the results here
		e.k.Settle()
		got, work = handled, worked
		e.k.After(0, func() { rang++ })
	}) {
		t.Fatal("the place did not answer")
	}
	if got != senders*each || work != senders*each/4 {
		t.Fatalf("handled %d of %d calls, %d of %d results", got, senders*each, work, senders*each/4)
	}
	idle := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); e.k.queued.Load() != 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s, the place kept a goroutine", what)
			}
		}
	}
	idle("after the calls")
	for n := 0; n == 0; do(func() { n = rang }) {
		idle("waiting for the last alarm")
	}

	// Ticks wake a place that has nothing else to do.
	do(func() { e.k.opt.Tick = time.Millisecond; e.k.tick.Reset(time.Millisecond) })
	time.Sleep(20 * time.Millisecond)
	var ticks int
	do(func() { ticks = e.ticks })
	if ticks == 0 {
		t.Fatal("no tick came while the place slept")
	}
}
