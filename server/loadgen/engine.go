//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Scenario is a load to put on the server.
type Scenario struct {
	Name     string
	Rooms    int
	Size     int           // members per room: a host, a player, and Size-2 spectators
	Every    time.Duration // the host acts this often, in every room
	Warmup   time.Duration // played before measuring
	Duration time.Duration // measured (in a ramp: each step)
	MemSteps int           // idle memory points taken while the rooms join; 0: none

	// A ramp adds StepRooms rooms at a time, each step measured for
	// Duration, until the p99 latency passes Limit or the connections would
	// pass MaxConns.
	StepRooms int
	Limit     time.Duration
	MaxConns  int
}

// Scenarios are the named loads of issue 6.
var Scenarios = map[string]Scenario{
	// A country's ordinary day: a worker and a young person at a table,
	// someone watching, a card every few seconds.
	"everyday": {Name: "everyday", Rooms: 6000, Size: 3, Every: 5 * time.Second, Warmup: 10 * time.Second, Duration: 30 * time.Second, MemSteps: 6},
	// Trainers' workshops: a projector and 18 phones watching each table.
	"workshop": {Name: "workshop", Rooms: 500, Size: 20, Every: time.Second, Warmup: 5 * time.Second, Duration: 30 * time.Second, MemSteps: 5},
	// Workshop-sized rooms acting five times a second, 50 more at each step.
	"ramp": {Name: "ramp", Rooms: 50, Size: 20, Every: 200 * time.Millisecond, Warmup: 2 * time.Second, Duration: 8 * time.Second,
		StepRooms: 50, Limit: 10 * time.Millisecond, MaxConns: 18000},
	// The workshop load over a service of three servers (and, in the same
	// run, over one): a third of the members connect to a server that does
	// not own their room.
	"cluster": {Name: "cluster", Rooms: 500, Size: 20, Every: time.Second, Warmup: 5 * time.Second, Duration: 30 * time.Second},
	// A short run for the tests.
	"smoke": {Name: "smoke", Rooms: 60, Size: 4, Every: 500 * time.Millisecond, Warmup: time.Second, Duration: 3 * time.Second, MemSteps: 2},
}

// Options say where to put the load and how.
type Options struct {
	Scenario Scenario
	WS       string  // the server's ws:// URL
	Server   *Server // the server's process, for memory and CPU; nil: none
	// Cluster, when set, is a service of several servers: the rooms are
	// made on each in turn, and a third of their members connect to
	// another server than the room's (see loadRoom.node). WS and Server
	// are then ignored; the CPU figures are the servers' together.
	Cluster  []*Server
	Sources  int    // loopback source addresses to spread connections over
	Deck     string // the deck the rooms play
	Parallel int    // rooms being set up at once
	Readers  int    // goroutines reading the connections (each waits on an epoll set)
	Log      io.Writer
	// PlayAt, when set, is when the play begins, once the rooms are set
	// up: two runs side by side then measure the same seconds, and
	// neither's setting up or ending falls in the other's window. A run
	// that is not set up by then fails.
	PlayAt time.Time
}

// Errors counts what went wrong during a run.
type Errors struct {
	Dial, Setup, Closed, Write, BadFrame, Server, Refused int64
}

func (e Errors) Total() int64 {
	return e.Dial + e.Setup + e.Closed + e.Write + e.BadFrame + e.Server + e.Refused
}

// Step is one measured window.
type Step struct {
	Rooms, Conns int
	Window       time.Duration
	Actions      int     // actions scheduled in the window
	Deliveries   int     // their updates that reached a member
	Missing      int     // updates that should have reached a member and did not within a second of the window's end
	PerSec       float64 // deliveries a second
	Latency      Dist    // scheduled send → arrival, per delivery
	Last         Dist    // scheduled send → arrival at the room's last member, per action
	SendLag      Dist    // how late the load generator itself sent (its own limit, counted in Latency too)
	Slow         [3]int  // deliveries over 10 ms: to hosts, players, spectators
	SlowRooms    int     // rooms with any delivery over 10 ms
	ServerCPU    float64 // the server's CPU time over the window, as a share of one core
	LoadCPU      float64 // the load generator's, likewise
}

// MemPoint is the server's memory after a collection with a number of idle
// connections.
type MemPoint struct {
	Conns int
	GC    GCReport
}

// Result is what a run measured.
type Result struct {
	Scenario Scenario
	Mem      []MemPoint
	Steps    []Step
	Errors   Errors
	Stopped  string  // why a ramp stopped
	Servers  int     // servers of the service: 1, or the cluster's
	Relayed  float64 // frames the servers relayed to members whose room another server owns (relayed_frames_total, out, together)
	// ServerRSS is each server's RSS after a full collection, taken after
	// the last window with every connection still open (a service's
	// servers, one server's for comparison; none without Cluster).
	ServerRSS []int64
	// Build is the server measured: empty for this one, or the one it is
	// measured against (-against). Round counts the turns from 1.
	Build string `json:",omitempty"`
	Round int    `json:",omitempty"`
}

// gen is a run in progress.
type gen struct {
	ctx     context.Context
	opt     Options
	dialer  *dialer
	readers *readers
	writer  *writer
	rooms   []*loadRoom
	conns   atomic.Int64

	actFrom   atomic.Int64 // when the hosts start acting; 0: not yet
	winStart  atomic.Int64
	winEnd    atomic.Int64
	recording atomic.Bool
	stopping  atomic.Bool
	wg        sync.WaitGroup

	errs struct {
		dial, setup, closed, write, badFrame, server, refused atomic.Int64
	}
}

// windowOf is the start of the window being measured if t falls in it,
// or 0.
func (g *gen) windowOf(t int64) int64 {
	if s, e := g.winStart.Load(), g.winEnd.Load(); s > 0 && t >= s && t < e {
		return s
	}
	return 0
}

func (g *gen) logf(format string, args ...any) {
	if g.opt.Log != nil {
		fmt.Fprintf(g.opt.Log, "%7.1fs  "+format+"\n", append([]any{time.Since(epoch).Seconds()}, args...)...)
	}
}

// Run puts a scenario's load on the server and measures it.
func Run(ctx context.Context, opt Options) (*Result, error) {
	sc := opt.Scenario
	if sc.Size < 1 || sc.Rooms < 1 {
		return nil, errors.New("loadgen: a scenario needs rooms and members")
	}
	if opt.Deck == "" {
		opt.Deck = "lammittely"
	}
	if opt.Parallel <= 0 {
		opt.Parallel = 64
	}
	if opt.Readers <= 0 {
		opt.Readers = 2
	}
	urls := []string{opt.WS}
	if len(opt.Cluster) > 0 {
		urls = urls[:0]
		for _, s := range opt.Cluster {
			urls = append(urls, s.WS)
		}
	}
	d, err := newDialer(urls, opt.Sources)
	if err != nil {
		return nil, err
	}
	rd, err := newReaders(opt.Readers)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	g := &gen{ctx: ctx, opt: opt, dialer: d, readers: rd}
	g.writer = newWriter(g, sc.Every)
	rd.run(ctx)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.writer.run(ctx)
	}()
	defer func() {
		g.stopping.Store(true)
		cancel()
		g.wg.Wait()
		for _, r := range g.rooms {
			for _, m := range r.members {
				m.ws.close()
			}
		}
	}()
	res := &Result{Scenario: sc, Servers: len(urls)}

	// Join the rooms, idle, taking memory points on the way.
	steps := max(sc.MemSteps, 1)
	if sc.MemSteps > 0 && opt.Server != nil {
		p, err := g.memPoint(ctx)
		if err != nil {
			return nil, err
		}
		res.Mem = append(res.Mem, p)
	}
	for i := range steps {
		want := sc.Rooms * (i + 1) / steps
		if err := g.joinRooms(ctx, want-len(g.rooms)); err != nil {
			return res, err
		}
		if sc.MemSteps > 0 && opt.Server != nil {
			p, err := g.memPoint(ctx)
			if err != nil {
				return nil, err
			}
			res.Mem = append(res.Mem, p)
			g.logf("idle: %d connections, server RSS %.1f MB after GC", p.Conns, float64(p.GC.RSS)/1e6)
		}
	}

	// Play.
	if !opt.PlayAt.IsZero() {
		wait := time.Until(opt.PlayAt)
		if wait < 0 {
			return res, fmt.Errorf("loadgen: set up %v after -play-at", -wait.Round(time.Millisecond))
		}
		if err := sleep(ctx, wait); err != nil {
			return res, err
		}
	}
	g.actFrom.Store(now())
	for _, r := range g.rooms {
		g.writer.add <- writerJob{r: r, act: true}
	}
	for {
		if err := sleep(ctx, sc.Warmup); err != nil {
			return res, err
		}
		st := g.measure(ctx, sc.Duration)
		res.Steps = append(res.Steps, st)
		g.logf("%d rooms, %d connections: %.0f deliveries/s, latency p50 %v p99 %v max %v, server CPU %.0f%%, missing %d",
			st.Rooms, st.Conns, st.PerSec, st.Latency.P50, st.Latency.P99, st.Latency.Max, 100*st.ServerCPU, st.Missing)
		if sc.StepRooms == 0 {
			break
		}
		if st.Latency.P99 > sc.Limit {
			res.Stopped = fmt.Sprintf("p99 %v passed %v", st.Latency.P99, sc.Limit)
			break
		}
		if int(g.conns.Load())+sc.StepRooms*sc.Size > sc.MaxConns {
			res.Stopped = fmt.Sprintf("the next step would pass %d connections", sc.MaxConns)
			break
		}
		if err := g.joinRooms(ctx, sc.StepRooms); err != nil {
			res.Stopped = err.Error()
			break
		}
	}
	res.Errors = g.errors()
	for _, s := range opt.Cluster {
		r, err := s.GC(ctx)
		if err != nil {
			return res, err
		}
		res.ServerRSS = append(res.ServerRSS, r.RSS)
	}
	if len(opt.Cluster) > 1 { // one server relays nothing
		for _, s := range opt.Cluster {
			n, err := s.Metric(ctx, `elamanipeli_relayed_frames_total{direction="out"}`)
			if err != nil {
				return res, err
			}
			res.Relayed += n
		}
	}
	return res, nil
}

func (g *gen) errors() Errors {
	e := &g.errs
	return Errors{Dial: e.dial.Load(), Setup: e.setup.Load(), Closed: e.closed.Load(), Write: e.write.Load(),
		BadFrame: e.badFrame.Load(), Server: e.server.Load(), Refused: e.refused.Load()}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// memPoint lets the server settle, then asks it for a collection.
func (g *gen) memPoint(ctx context.Context) (MemPoint, error) {
	if err := sleep(ctx, 2*time.Second); err != nil {
		return MemPoint{}, err
	}
	r, err := g.opt.Server.GC(ctx)
	return MemPoint{Conns: int(g.conns.Load()), GC: r}, err
}

// joinRooms sets up n more rooms, Parallel at a time, and starts their
// traffic (pings at once; actions once the generator says so).
func (g *gen) joinRooms(ctx context.Context, n int) error {
	began := time.Now()
	sem := make(chan struct{}, g.opt.Parallel)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range n {
		r := &loadRoom{g: g, sched: map[uint64]sent{}, seqSched: map[uint64]int64{},
			rng: rand.New(rand.NewPCG(uint64(len(g.rooms)), 6)), home: len(g.rooms) % len(g.dialer.urls)}
		g.rooms = append(g.rooms, r)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := g.setupRoom(ctx, r); err != nil {
				g.errs.setup.Add(1)
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			g.writer.add <- writerJob{r: r}
			if g.actFrom.Load() > 0 {
				g.writer.add <- writerJob{r: r, act: true}
			}
		}()
	}
	wg.Wait()
	g.logf("%d rooms joined in %v (%d connections)", n, time.Since(began).Round(time.Millisecond), g.conns.Load())
	if firstErr != nil {
		return fmt.Errorf("loadgen: setting up rooms: %w (%d failed)", firstErr, g.errs.setup.Load())
	}
	return nil
}

// setupRoom plays a room's start through the protocol, as people would: the
// host creates it and chooses a deck, a player knocks and is let in, the
// spectators watch, and the host starts the game.
func (g *gen) setupRoom(ctx context.Context, r *loadRoom) error {
	size := g.opt.Scenario.Size
	host, err := r.join(ctx, true, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if err != nil {
		return err
	}
	msg, err := host.expect(ctx, protocol.TypeWelcome, nil)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	w := msg.(protocol.Welcome)
	r.code, r.watch = w.Code, w.Watch
	r.hb = time.Duration(max(w.Heartbeat, 1)) * time.Second
	if _, err := host.expect(ctx, protocol.TypeSnapshot, nil); err != nil {
		return err
	}
	if err := host.act(ctx, 1, rules.Action{Kind: rules.ActDecks, Decks: []string{g.opt.Deck}}); err != nil {
		return err
	}
	if size >= 2 {
		p, err := r.join(ctx, false, protocol.Hello{Want: protocol.WantJoin, Code: r.code, Lang: "fi"})
		if err != nil {
			return err
		}
		msg, err := p.expect(ctx, protocol.TypeWelcome, nil)
		if err != nil {
			return fmt.Errorf("join: %w", err)
		}
		if _, err := p.expect(ctx, protocol.TypeSnapshot, nil); err != nil {
			return err
		}
		if err := host.act(ctx, 2, rules.Action{Kind: rules.ActAdmit, Seat: msg.(protocol.Welcome).Seat}); err != nil {
			return err
		}
		if _, err := p.expect(ctx, protocol.TypeSnapshot, nil); err != nil {
			return fmt.Errorf("let in: %w", err)
		}
	}
	for range size - 2 {
		s, err := r.join(ctx, false, protocol.Hello{Want: protocol.WantWatch, Code: r.watch, Lang: "fi"})
		if err != nil {
			return err
		}
		if _, err := s.expect(ctx, protocol.TypeSnapshot, nil); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
	}
	if err := host.act(ctx, 3, rules.Action{Kind: rules.ActStart}); err != nil {
		return err
	}
	r.nextID = 4
	for _, m := range r.members {
		m.inSetup.Store(false)
	}
	return nil
}

// measure records one window of d and works out what it saw.
func (g *gen) measure(ctx context.Context, d time.Duration) Step {
	for _, r := range g.rooms {
		r.mu.Lock()
		r.arrivals, r.lags, r.actions = r.arrivals[:0], r.lags[:0], 0
		clear(r.seqSched)
		r.mu.Unlock()
	}
	cpu0 := g.serverCPU()
	self0 := procCPU(os.Getpid())
	start := now()
	g.recording.Store(true)
	g.winEnd.Store(start + int64(d))
	g.winStart.Store(start)
	sleep(ctx, d)
	end := now()
	cpu := g.serverCPU() - cpu0
	self := procCPU(os.Getpid()) - self0
	sleep(ctx, time.Second) // the window's last actions arrive
	g.recording.Store(false)
	g.winStart.Store(0)

	st := Step{Rooms: len(g.rooms), Conns: int(g.conns.Load()), Window: time.Duration(end - start)}
	var lat, last, lags []int64
	for _, r := range g.rooms {
		r.mu.Lock()
		per := map[uint64]int64{}
		got := map[uint64]int{}
		slow := false
		for _, a := range r.arrivals {
			t, ok := r.seqSched[a.seq]
			if !ok {
				continue
			}
			l := a.at - t
			if l > int64(10*time.Millisecond) {
				st.Slow[min(a.who, 2)]++
				slow = true
			}
			lat = append(lat, l)
			per[a.seq] = max(per[a.seq], l)
			got[a.seq]++
		}
		for seq, l := range per {
			if got[seq] == len(r.members) {
				last = append(last, l)
			}
		}
		if slow {
			st.SlowRooms++
		}
		st.Actions += r.actions
		lags = append(lags, r.lags...)
		r.mu.Unlock()
	}
	st.Deliveries = len(lat)
	st.Missing = max(st.Actions*g.opt.Scenario.Size-st.Deliveries, 0)
	st.PerSec = float64(st.Deliveries) / st.Window.Seconds()
	st.Latency, st.Last, st.SendLag = distOf(lat), distOf(last), distOf(lags)
	st.ServerCPU = cpu.Seconds() / st.Window.Seconds()
	st.LoadCPU = self.Seconds() / st.Window.Seconds()
	return st
}

// serverCPU is the CPU time the service's servers have used so far.
func (g *gen) serverCPU() time.Duration {
	var t time.Duration
	if g.opt.Server != nil && len(g.opt.Cluster) == 0 {
		t = g.opt.Server.CPU()
	}
	for _, s := range g.opt.Cluster {
		t += s.CPU()
	}
	return t
}

// Dist is a distribution of durations.
type Dist struct {
	N                   int
	P50, P99, P999, Max time.Duration
}

func distOf(v []int64) Dist {
	if len(v) == 0 {
		return Dist{}
	}
	slices.Sort(v)
	at := func(q float64) time.Duration { return time.Duration(v[min(int(q*float64(len(v))), len(v)-1)]) }
	return Dist{N: len(v), P50: at(0.50), P99: at(0.99), P999: at(0.999), Max: time.Duration(v[len(v)-1])}
}
