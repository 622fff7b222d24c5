package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// freePorts returns n loopback ports nothing listens on.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// clusterNode is one server of a test's service.
type clusterNode struct {
	name string
	args []string
	addr string
	p    *process
	past []*process // its earlier runs
}

func (n *clusterNode) start(t *testing.T, bin string) {
	t.Helper()
	if n.p != nil {
		n.past = append(n.past, n.p)
	}
	n.p = startServer(t, bin, n.args...)
	n.p.serving(t)
	n.ready(t)
}

// logs is everything the node's runs said.
func (n *clusterNode) logs() string {
	var b strings.Builder
	for i, p := range append(slices.Clone(n.past), n.p) {
		fmt.Fprintf(&b, "--- %s, run %d\n%s", n.name, i+1, p.log())
	}
	return b.String()
}

// warnings are the last n warnings and errors of a node's own in logs
// (NATS's are left out: they tell of routes and leaders, and are many).
func warnings(logs string, n int) []string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if (strings.Contains(line, `"level":"warn"`) || strings.Contains(line, `"level":"error"`)) && !strings.Contains(line, `"part":"nats"`) {
			out = append(out, line)
		}
	}
	return out[max(0, len(out)-n):]
}

// startCluster starts n servers as one service on loopback, each writing
// the actions its rooms evaluate to acted-<name> in dir.
func startCluster(t *testing.T, bin, dir string, n int, extra ...string) []*clusterNode {
	t.Helper()
	tmp := dir
	ports := freePorts(t, 2*n)
	var nodes []*clusterNode
	for i := range n {
		var routes []string
		for j := range n {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+j]))
			}
		}
		nd := &clusterNode{name: fmt.Sprintf("n%d", i+1), addr: fmt.Sprintf("127.0.0.1:%d", ports[i])}
		nd.args = append([]string{
			"-addr", nd.addr, "-node", nd.name, "-no-client",
			"-cluster", fmt.Sprintf("127.0.0.1:%d", ports[n+i]), "-routes", strings.Join(routes, ","),
			"-data", filepath.Join(tmp, nd.name), "-key-file", filepath.Join(tmp, "service.key"),
			"-acted-log", filepath.Join(tmp, "acted-"+nd.name),
		}, extra...)
		if os.Getenv("ELM_NODE_DEBUG") != "" {
			nd.args = append(nd.args, "-log-level", "debug")
		}
		nodes = append(nodes, nd)
	}
	var wg sync.WaitGroup
	for _, nd := range nodes {
		nd.p = startServer(t, bin, nd.args...)
	}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("ELM_KEEP_LOGS") != "" {
			for _, n := range nodes {
				f := filepath.Join(os.TempDir(), "elamanipeli-cluster-"+n.name+".log")
				logs := n.logs()
				os.WriteFile(f, []byte(logs), 0o644)
				if b, err := os.ReadFile(filepath.Join(tmp, "acted-"+n.name)); err == nil {
					// What its rooms evaluated and kept, with room
					// codes: kept only when asked or failed.
					os.WriteFile(filepath.Join(os.TempDir(), "elamanipeli-cluster-acted-"+n.name+".log"), b, 0o600)
				}
				t.Logf("%s's logs: %s", n.name, f)
				if t.Failed() {
					// A failure in CI leaves only the test's output: what
					// the node itself warned of goes there too.
					t.Logf("%s warned last:\n%s", n.name, strings.Join(warnings(logs, 20), "\n"))
				}
			}
		}
	})
	for _, nd := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nd.p.serving(t)
		}()
	}
	wg.Wait()
	for _, nd := range nodes {
		nd.ready(t)
	}
	return nodes
}

// ready waits until the node says, as a load balancer's readiness check
// asks it, that it has joined the service and has its rooms back.
func (n *clusterNode) ready(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + n.addr + "/healthz?ready")
		if err == nil {
			var a about
			json.NewDecoder(resp.Body).Decode(&a)
			resp.Body.Close()
			ready := resp.StatusCode == http.StatusOK
			if ready != (a.Ready != nil && *a.Ready) || ready && a.Node != n.name {
				t.Fatalf("%s's /healthz?ready: %s, %+v", n.name, resp.Status, a)
			}
			if ready {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not join\n%s", n.name, n.p.log())
		}
	}
}

// metricsOf reads a node's /metrics: name (with its labels) → value.
func metricsOf(t *testing.T, n *clusterNode) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + n.addr + "/metrics")
	if err != nil {
		t.Fatalf("%s's metrics: %v", n.name, err)
	}
	defer resp.Body.Close()
	got := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			got[name] = v
		}
	}
	return got
}

// TestPlayersOnDifferentServersShareARoom: a host, a player and a
// spectator each land on another server of a three-node service and play a
// game together.
func TestPlayersOnDifferentServersShareARoom(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers; skipped with -short")
	}
	bin := serverBinary(t)
	gametest.OneClusterAtATime(t)
	nodes := startCluster(t, bin, t.TempDir(), 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := func(i int) string { return "ws://" + nodes[i].addr + "/ws" }
	host := gametest.StartBot(gametest.SessionOptions{URL: url(0), Hello: protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}},
		gametest.BotConfig{Decks: []string{"lammittely"}, WaitPlayers: 1, Pace: 10 * time.Millisecond, Seed: 1})
	defer host.Close()
	hs := waitState(t, host.Session(), func(s *gametest.State) bool { return s.Watch != "" })
	player := gametest.StartBot(gametest.SessionOptions{URL: url(1), Hello: protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "en"}},
		gametest.BotConfig{Pace: 10 * time.Millisecond, Seed: 2})
	defer player.Close()
	watcher := gametest.StartBot(gametest.SessionOptions{URL: url(2), Hello: protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "sv"}},
		gametest.BotConfig{Seed: 3})
	defer watcher.Close()
	errs := make(chan error, 3)
	for _, b := range []*gametest.Bot{host, player, watcher} {
		go func() { errs <- b.Run(ctx) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			for _, n := range nodes {
				t.Logf("%s:\n%s", n.name, n.p.log())
			}
			t.Fatal(err)
		}
	}
	h, p, w := host.Session().State().View, player.Session().State().View, watcher.Session().State().View
	if h.Phase != rules.Summary || p.Summary == nil || w.Summary == nil || len(p.Summary.Steps) != len(h.Summary.Steps) {
		t.Fatalf("the game did not end alike: %v %v %v", h.Phase, p.Phase, w.Phase)
	}

	// Each server counts its own part: the room's owner the frames it
	// served for the others, they the frames they relayed.
	m := []map[string]float64{metricsOf(t, nodes[0]), metricsOf(t, nodes[1]), metricsOf(t, nodes[2])}
	if m[0][`elamanipeli_relayed_frames_total{direction="in"}`] == 0 {
		t.Errorf("the owner counted no frames relayed to it: %v", m[0])
	}
	for _, i := range []int{1, 2} {
		if m[i][`elamanipeli_relayed_frames_total{direction="out"}`] == 0 {
			t.Errorf("%s counted no frames it relayed", nodes[i].name)
		}
	}
	if m[0]["elamanipeli_rooms"] != 1 || m[1]["elamanipeli_rooms"] != 0 || m[2]["elamanipeli_rooms"] != 0 {
		t.Errorf("rooms counted on n1, n2, n3: %v, %v, %v (the room is n1's)", m[0]["elamanipeli_rooms"], m[1]["elamanipeli_rooms"], m[2]["elamanipeli_rooms"])
	}

	// The limits per address are the service's: wrong codes guessed on one
	// server count on the others, and an address whose guesses are used up
	// still reaches the rooms its own devices are in, on any server.
	try := func(i int, from string, h protocol.Hello) rules.Code {
		r := gametest.MustDial(t, ctx, url(i), gametest.DialOptions{From: from})
		defer r.Close()
		_, code := r.Hello(ctx, h)
		return code
	}
	wrong := func(i int) protocol.Hello {
		return protocol.Hello{Want: protocol.WantJoin, Code: fmt.Sprintf("XX%c%cXX", place.CodeAlphabet[i%22], place.CodeAlphabet[i/22%22])}
	}
	guesses := func(node int, from string) int {
		for i := range 40 {
			switch code := try(node, from, wrong(i)); code {
			case protocol.ErrRateLimited:
				return i
			case protocol.ErrNoRoom:
			default:
				t.Fatalf("a wrong code on %s: %q", nodes[node].name, code)
			}
		}
		t.Fatalf("40 wrong codes from %s on %s, none refused", from, nodes[node].name)
		return 0
	}
	const guesser = "127.0.0.9"
	if n := guesses(0, guesser); n > 12 {
		t.Fatalf("%d wrong codes before the first server refused", n)
	}
	if code := try(1, guesser, wrong(99)); code != protocol.ErrRateLimited {
		t.Fatalf("the guesser's next wrong code on another server: %q", code)
	}
	if code := try(2, guesser, protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch}); code != protocol.ErrRateLimited {
		t.Fatalf("the guesser's right code on a third server: %q", code)
	}
	if code := try(2, "127.0.0.10", wrong(98)); code != protocol.ErrNoRoom {
		t.Fatalf("another address's wrong code: %q", code)
	}
	// A school's address: a pupil watches on the first server, the same
	// address runs out of guesses on the second, and another pupil still
	// gets into the room the first is in, on the third.
	const school = "127.0.0.11"
	pupil := gametest.MustDial(t, ctx, url(0), gametest.DialOptions{From: school})
	defer pupil.Close()
	if _, code := pupil.Hello(ctx, protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch}); code != "" {
		t.Fatalf("a pupil could not watch: %q", code)
	}
	guesses(1, school)
	if code := try(2, school, protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch}); code != "" {
		t.Fatalf("an address out of guesses was kept from a room its own device is in, on another server: %q", code)
	}
}

// TestARoomNobodyComesBackToEndsOnAnotherServer: a room whose people have
// all gone away when its server dies still ends. Nothing wakes it on the
// other servers (no client comes back to it), so once the grace for a
// returning client has passed, another server's sweep takes it over by
// itself; there its seats' window runs out, and the room is forgotten and
// its codes set free, as it would be on the server it began on.
func TestARoomNobodyComesBackToEndsOnAnotherServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers and waits out a sweep's grace; skipped with -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	bin := serverBinary(t)
	gametest.OneClusterAtATime(t)
	nodes := startCluster(t, bin, t.TempDir(), 3, "-window", "3s")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	url := func(i int) string { return "ws://" + nodes[i].addr + "/ws" }

	// A game in play on the first server: the host and a player there.
	host := gametest.StartBot(gametest.SessionOptions{URL: url(0), Hello: protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}},
		gametest.BotConfig{Decks: []string{"lammittely"}, WaitPlayers: 1, Pace: 200 * time.Millisecond, Seed: 11})
	hs := waitState(t, host.Session(), func(s *gametest.State) bool { return s.Watch != "" })
	player := gametest.StartBot(gametest.SessionOptions{URL: url(0), Hello: protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "fi"}},
		gametest.BotConfig{Pace: 200 * time.Millisecond, Seed: 12})
	playing, stop := context.WithCancel(ctx)
	for _, b := range []*gametest.Bot{host, player} {
		go b.Run(playing)
	}
	waitState(t, host.Session(), func(s *gametest.State) bool { return s.View.Played >= 2 })
	stop()
	host.Close()
	player.Close()
	if n := metricsOf(t, nodes[0])["elamanipeli_rooms"]; n != 1 {
		t.Fatalf("the first server counts %v rooms, want its one", n)
	}

	// Its server dies, and nobody comes back.
	killed := time.Now()
	nodes[0].p.kill()

	others := nodes[1:]
	sum := func(name string) (total float64) {
		for _, n := range others {
			total += metricsOf(t, n)[name]
		}
		return total
	}
	// The lease (15 s) at most, a sweep (5 s) and the grace (10 s), and a
	// margin.
	for sum("elamanipeli_rooms_taken_over_total") == 0 {
		if time.Since(killed) > 60*time.Second {
			t.Fatalf("no other server took the room over in %v", time.Since(killed).Round(time.Second))
		}
		time.Sleep(250 * time.Millisecond)
	}
	// A dead server is known at once (nobody answers for it, before its
	// lease runs out); the room still waits the grace (cluster.Options,
	// 10 s by default) for a client of its own to come back first.
	took := time.Since(killed)
	if grace := 10 * time.Second; took < grace {
		t.Errorf("the room was taken over %v after its server died, within the grace of %v for its own clients", took.Round(time.Millisecond), grace)
	}
	// The window of 3 s runs out at one of the room's ticks (every 5 s), and
	// the server that took the room over forgets it, saying why. A count of
	// no rooms alone is no sign of that: a room taken over is counted as
	// taken over a moment before it is counted as running.
	said := func() bool {
		for _, n := range others {
			if n.p.said("room forgotten: everyone left") {
				return true
			}
		}
		return false
	}
	for !said() || sum("elamanipeli_rooms") != 0 {
		if time.Since(killed) > took+20*time.Second {
			t.Fatalf("the room taken over still runs %v later (forgotten for its people being gone: %v; rooms: %v)",
				(time.Since(killed) - took).Round(time.Second), said(), sum("elamanipeli_rooms"))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("taken over %v after the crash, forgotten %v after that", took.Round(time.Millisecond), (time.Since(killed) - took).Round(time.Millisecond))
	// Its codes are free: nothing is left to join or to watch.
	for _, h := range []protocol.Hello{{Want: protocol.WantJoin, Code: hs.Code}, {Want: protocol.WantWatch, Code: hs.Watch}} {
		r := gametest.MustDial(t, ctx, url(1), gametest.DialOptions{})
		if _, code := r.Hello(ctx, h); code != protocol.ErrNoRoom {
			t.Errorf("%v with the ended room's code: %q, want %q", h.Want, code, protocol.ErrNoRoom)
		}
		r.Close()
	}
}

// seatBot is one bot of the big test and the ids its session gave its
// actions.
type seatBot struct {
	name string
	b    *gametest.Bot
	sent gametest.Sent
}

// evaluation is one line of a node's acted log: an action evaluated
// ("acted"), an action the store has kept ("kept"), or a seat's last action
// id in a room that came back from the store ("resumed").
type evaluation struct {
	what, node, epoch, code string
	seat                    rules.SeatID
	id                      uint64
	at                      time.Time
}

// readActed reads every node's acted log in dir.
func readActed(t *testing.T, dir string) []evaluation {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "acted-*"))
	var out []evaluation
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var e evaluation
			var seat int
			var at int64
			if _, err := fmt.Sscanf(line, "%s %s %s %s %d %d %d", &e.what, &e.node, &e.epoch, &e.code, &seat, &e.id, &at); err != nil {
				continue
			}
			e.seat, e.at = rules.SeatID(seat), time.Unix(0, at)
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b evaluation) int { return a.at.Compare(b.at) })
	return out
}

// TestServiceOfThreeSurvivesACrashADeployAndAPause: three servers as one
// service behind a round-robin balancer, thirty rooms played by bots (hosts,
// players, spectators, and a trainer's workshop of six pairs). Mid-game one
// server is killed (kill -9) and started again, later another is stopped
// for a deploy (SIGTERM) and started again, later the third is paused past
// its lease (SIGSTOP) and let go on (SIGCONT). Every game finishes; every
// seat ends with the room's view; no action is evaluated twice, or lost,
// except what the crashed or paused server's store had not yet kept (its
// last 200 ms, or longer while the store could keep nothing); and the
// paused server applies nothing once its lease has lapsed. Nothing at all
// is lost across the deploy.
func TestServiceOfThreeSurvivesACrashADeployAndAPause(t *testing.T) {
	if testing.Short() {
		t.Skip("three servers, a hundred bots; skipped with -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	bin := serverBinary(t)
	gametest.OneClusterAtATime(t)
	began := time.Now()
	dir := t.TempDir()
	nodes := startCluster(t, bin, dir, 3)
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr)
	}
	lb := gametest.NewBalancer(t, addrs...)
	url := "ws://" + lb.Addr() + "/ws"
	ctx, cancel := context.WithTimeout(context.Background(), 110*time.Second)
	defer cancel()
	t.Logf("three servers up in %v", time.Since(began).Round(time.Millisecond))

	var everyone []*seatBot
	bot := func(name string, hello protocol.Hello, cfg gametest.BotConfig) *seatBot {
		p := &seatBot{name: name}
		if cfg.Pace == 0 {
			cfg.Pace = 250 * time.Millisecond // games of about a minute, to span all that happens
		}
		p.b = gametest.StartBot(gametest.SessionOptions{URL: url, Hello: hello, OnSend: p.sent.Record}, cfg)
		t.Cleanup(p.b.Close)
		everyone = append(everyone, p)
		return p
	}
	decks := []string{"lammittely", "tarina-opiskelu"}
	const rooms = 24
	type game struct {
		code  string
		seats []*seatBot
	}
	var games []*game
	for i := range rooms {
		seed := uint64(100 * (i + 1))
		host := bot(fmt.Sprintf("host %d", i), protocol.Hello{Want: protocol.WantCreate, Lang: "fi"},
			gametest.BotConfig{Decks: decks, WaitPlayers: 1, MarkOneIn: 4, Seed: seed})
		hs := waitState(t, host.b.Session(), func(s *gametest.State) bool { return s.Watch != "" })
		player := bot(fmt.Sprintf("player %d", i), protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "en"},
			gametest.BotConfig{PassOneIn: 5, Typed: "en tiedä", Seed: seed + 1})
		watcher := bot(fmt.Sprintf("spectator %d", i), protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "sv"},
			gametest.BotConfig{Seed: seed + 2})
		games = append(games, &game{code: hs.Code, seats: []*seatBot{host, player, watcher}})
	}
	// A trainer's workshop of six pairs: the pairs' rooms are the other
	// six of the thirty.
	trainer := gametest.StartSession(gametest.SessionOptions{URL: url, Hello: protocol.Hello{Want: protocol.WantWorkshop, Lang: "fi"}})
	defer trainer.Close()
	wcode := waitState(t, trainer, func(s *gametest.State) bool { return s.Workshop != "" && s.Trainer }).Workshop
	var pairs []*seatBot
	for i := range 12 {
		cfg := gametest.Participant(uint64(5000+i), decks...)
		cfg.Pace = 250 * time.Millisecond
		pairs = append(pairs, bot(fmt.Sprintf("participant %d", i), protocol.Hello{Want: protocol.WantJoin, Code: wcode, Nick: fmt.Sprintf("P%02d", i), Lang: "fi"}, cfg))
	}
	waitState(t, trainer, func(s *gametest.State) bool { return s.Dashboard != nil && gametest.Waiting(s.Dashboard) == 12 })
	trainer.Train(protocol.Train{Kind: protocol.TrainPairAll})

	errs := make([]error, len(everyone))
	var wg sync.WaitGroup
	for i, p := range everyone {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.b.Run(ctx)
		}()
	}
	played := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			least := 1 << 30
			for _, g := range games {
				least = min(least, g.seats[0].b.Session().State().View.Played)
			}
			if least >= n {
				return
			}
			if time.Now().After(deadline) {
				for _, g := range games {
					for _, p := range g.seats {
						st := p.b.Session().State()
						t.Logf("%s: status %v err %q played %d pending %d", p.name, st.Status, st.Err, st.View.Played, st.Pending)
					}
				}
				t.Fatalf("the games did not reach card %d", n)
			}
		}
	}

	// A crash: kill -9, and the server back a few seconds later.
	played(3)
	killed := time.Now()
	nodes[0].p.kill()
	time.Sleep(3 * time.Second)
	nodes[0].start(t, bin)
	t.Logf("crash at %v; back after %v", killed.Sub(began).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

	// A deploy: SIGTERM, and the server back.
	played(8)
	deployed := time.Now()
	nodes[1].p.stop(t)
	nodes[1].start(t, bin)
	t.Logf("deploy at %v", deployed.Sub(began).Round(time.Millisecond))

	// A pause past the lease.
	played(12)
	paused := time.Now()
	nodes[2].p.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(node.DefaultLease + 2*time.Second)
	resumed := time.Now()
	nodes[2].p.cmd.Process.Signal(syscall.SIGCONT)
	t.Logf("paused at %v for %v", paused.Sub(began).Round(time.Millisecond), resumed.Sub(paused).Round(time.Millisecond))

	wg.Wait()
	for i, err := range errs {
		if err != nil {
			st := everyone[i].b.Session().State()
			t.Fatalf("%s: %v (status %v, err %q, phase %v, room %s seat %d)", everyone[i].name, err, st.Status, st.Err, st.View.Phase, st.Code, st.Seat)
		}
	}
	finished := time.Now()
	// A seat's bot is done once its own actions are kept; the others'
	// last updates may still be on their way to it.
	for _, p := range everyone {
		waitState(t, p.b.Session(), func(s *gametest.State) bool { return s.Status == gametest.Online && s.View.Phase == rules.Summary })
	}

	// Every seat has the room's view: a fresh snapshot of its seat equals
	// what it built from updates (but for who is at the table: the bots
	// are done, their spectators gone, and this check connects as each of
	// them in turn).
	for _, p := range everyone {
		p.b.Close()
	}
	for _, p := range everyone {
		st := p.b.Session().State()
		// A room may be changing hands still (the paused server letting
		// its copies go): busy is answered then, and a client, like this
		// one, tries again in a moment.
		var r *gametest.Raw
		for try := 0; ; try++ {
			r = gametest.MustDial(t, ctx, url, gametest.DialOptions{})
			_, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantResume, Token: st.Token})
			if code == "" {
				break
			}
			r.Close()
			if code != protocol.ErrBusy || try == 40 {
				t.Fatalf("%s: resume at the end: %q", p.name, code)
			}
			time.Sleep(250 * time.Millisecond)
		}
		snap := r.Until(ctx, "a snapshot", func(m protocol.Message) bool { _, ok := m.(protocol.Snapshot); return ok }).(protocol.Snapshot)
		r.Close()
		if gameHash(t, snap.View) != gameHash(t, st.View) {
			t.Fatalf("%s: the client's view differs from the room's:\nclient %+v\nroom   %+v", p.name, st.View, snap.View)
		}
		if st.View.Phase != rules.Summary {
			t.Fatalf("%s ended in %v", p.name, st.View.Phase)
		}
	}

	// The actions: each evaluated once, none lost, but for what the
	// crashed server had not written yet, and nothing from the paused
	// server once its lease had lapsed.
	evals := readActed(t, dir)
	acted, back := map[string][]evaluation{}, map[string][]evaluation{}
	kept := map[string][]evaluation{}      // node → what its store kept, in time order
	epochs := map[string]map[string]bool{} // node → epochs before the pause
	for _, e := range evals {
		k := fmt.Sprintf("%s/%d", e.code, e.seat)
		switch e.what {
		case "acted":
			acted[k] = append(acted[k], e)
			if e.at.Before(paused) {
				if epochs[e.node] == nil {
					epochs[e.node] = map[string]bool{}
				}
				epochs[e.node][e.epoch] = true
			}
		case "kept":
			kept[e.node] = append(kept[e.node], e)
		case "resumed":
			back[k] = append(back[k], e)
		}
	}
	// What a server's store had not kept when the server was killed, or
	// paused past its lease, is lost, and a client that had no answer sends
	// it again. The store keeps an action within 200 ms while the log has
	// a leader; while the log elects one (its leader was the server just
	// deployed or killed) it keeps nothing, on any server, and the wait is
	// longer. So an action is unwritten when its server stopped before its
	// store kept it, and either within 200 ms or with nothing at all kept
	// on that server in between.
	const bound = 200 * time.Millisecond
	longest := time.Duration(0) // the longest an unwritten action waited
	unwritten := func(e evaluation) bool {
		keptSince := func(from, to time.Time, same bool) bool {
			for _, x := range kept[e.node] {
				if x.at.After(from) && x.at.Before(to) && (!same || x.code == e.code && x.seat == e.seat && x.id == e.id) {
					return true
				}
			}
			return false
		}
		// A signal takes a moment to stop a process.
		const slack = 50 * time.Millisecond
		for _, stop := range []struct {
			node string
			at   time.Time
		}{{nodes[0].name, killed.Add(slack)}, {nodes[2].name, paused.Add(slack)}} {
			if e.node != stop.node || !e.at.Before(stop.at) || keptSince(e.at, stop.at, true) {
				continue
			}
			if wait := stop.at.Sub(e.at); wait <= bound || !keptSince(e.at, stop.at, false) {
				longest = max(longest, wait)
				return true
			}
		}
		return false
	}
	// history is what the servers did of room code, for a failure.
	history := func(code string) string {
		var b strings.Builder
		for _, x := range evals {
			if x.code == code {
				fmt.Fprintf(&b, "\n  %v %s %s/%s seat %d id %d", x.at.Sub(began), x.what, x.node, x.epoch[:4], x.seat, x.id)
			}
		}
		return b.String()
	}
	redone, actions, checked := 0, 0, 0
	for _, p := range everyone {
		st := p.b.Session().State()
		sent := p.sent.IDs()
		actions += len(sent)
		k := fmt.Sprintf("%s/%d", st.Code, st.Seat)
		seen := map[uint64]evaluation{}
		for _, e := range acted[k] {
			if first, twice := seen[e.id]; twice {
				// Only an action a stopped server's store had not kept
				// may be evaluated again.
				if !unwritten(first) {
					t.Fatalf("%s: action %d evaluated twice: by %s at %v and by %s at %v (paused %v to %v); the room's history:%s",
						p.name, e.id, first.node, first.at.Sub(began), e.node, e.at.Sub(began), paused.Sub(began), resumed.Sub(began), history(st.Code))
				}
				redone++
			}
			seen[e.id] = e
		}
		for _, id := range sent {
			if _, ok := seen[id]; !ok {
				t.Fatalf("%s: action %d was sent and never evaluated", p.name, id)
			}
		}
		// Each time the room came back from the store, it had every
		// action evaluated before then: all of them after the deploy,
		// all but the crashed server's last 200 ms after the crash.
		for _, r := range back[k] {
			for _, e := range acted[k] {
				if !e.at.Before(r.at) || e.id <= r.id {
					continue
				}
				crashed := unwritten(e)
				later := false // evaluated again after it came back: the client had no answer
				for _, again := range acted[k] {
					later = later || again.id == e.id && again.at.After(r.at)
				}
				if !crashed && !later {
					t.Fatalf("%s: action %d (evaluated by %s at %v) was not kept: the room came back on %s at %v with action %d; the room's history:%s",
						p.name, e.id, e.node, e.at.Sub(began), r.node, r.at.Sub(began), r.id, history(st.Code))
				}
			}
			checked++
		}
	}
	// The paused server applies nothing under the lease it had before the
	// pause once it runs again: that lease lapsed during the pause.
	for _, e := range evals {
		if e.what == "acted" && e.node == nodes[2].name && epochs[e.node][e.epoch] && !e.at.Before(resumed) {
			t.Fatalf("the paused server evaluated an action under its lapsed lease: %+v", e)
		}
	}
	if checked == 0 {
		t.Fatal("no room came back from the store: the test saw nothing move")
	}
	// The servers' metrics tell the same story: rooms were taken over, and
	// the paused server lost its lease and let its rooms go.
	taken := 0.0
	for _, n := range nodes {
		taken += metricsOf(t, n)["elamanipeli_rooms_taken_over_total"]
	}
	if taken == 0 {
		t.Error("no server counted a room taken over")
	}
	if m := metricsOf(t, nodes[2]); m["elamanipeli_lease_losses_total"] == 0 || m["elamanipeli_rooms_let_go_total"] == 0 {
		t.Errorf("the paused server counted %v lease losses and %v rooms let go", m["elamanipeli_lease_losses_total"], m["elamanipeli_rooms_let_go_total"])
	}
	t.Logf("%d bots, %d actions, %d seats of rooms that came back checked, %d actions evaluated again after a stop (the longest unkept waited %v); played in %v, %v in all",
		len(everyone), actions, checked, redone, longest.Round(time.Millisecond), finished.Sub(began).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// gameHash is viewHash without the seats: the state of the game.
func gameHash(t testing.TB, v rules.View) [32]byte {
	v.Seats = nil
	return viewHash(t, v)
}

func viewHash(t testing.TB, v rules.View) [32]byte {
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
