//go:build linux

// Command loadgen puts a country's worth of rooms on the game server and
// measures it: memory per idle connection, latency from an action's
// scheduled send to its arrival at every member, deliveries a second, the
// server's CPU, and the floor (a bare WebSocket echo on loopback) that every
// latency is compared with. It builds and starts the server as a process of
// its own, on loopback, with a fresh data folder, and stops it afterwards.
//
//	go run ./server/loadgen                       # everyday: 6,000 rooms × 3
//	go run ./server/loadgen -scenario workshop    # 500 rooms × 20
//	go run ./server/loadgen -scenario ramp        # rooms of 20 until p99 passes 10 ms
//	go run ./server/loadgen -scenario cluster     # the workshop load on one server, then on three as one service
//	go run ./server/loadgen -scenario startup     # how soon the server accepts connections
//	go run ./server/loadgen -scenario all         # all of them, with the targets checked
//	go run ./server/loadgen -against plain -rounds 3   # everyday on the plain Go server and on this one, in turn
//
// Scenarios are defined in engine.go; flags override their figures. The
// clients speak the real protocol (shared/protocol) over real WebSockets
// (coder/websocket), from loopback addresses 127.0.0.2 and up, so that
// 18,000 connections do not run out of ephemeral ports and come, as they
// would, from many clients (the server limits what one address may do).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "everyday", "everyday, workshop, ramp, cluster, startup, smoke, or all")
	rooms := fs.Int("rooms", 0, "rooms (a ramp: the first step's); 0: the scenario's")
	size := fs.Int("size", 0, "members per room: host, player, spectators; 0: the scenario's")
	every := fs.Duration("every", 0, "one action per room this often; 0: the scenario's")
	duration := fs.Duration("duration", 0, "measured window (a ramp: each step's); 0: the scenario's")
	warmup := fs.Duration("warmup", -1, "played before measuring; -1: the scenario's")
	bin := fs.String("server-bin", "", "the server binary; empty: build ./server")
	wsURL := fs.String("ws", "", "put the load on this running server (ws://…/ws) instead of starting one; no memory or CPU figures then")
	sources := fs.Int("sources", 256, "loopback source addresses (127.0.0.2 and up) to spread connections over: many clients, as the server's limits per address expect")
	parallel := fs.Int("parallel", 64, "rooms set up at once")
	deck := fs.String("deck", "lammittely", "the deck the rooms play")
	jsonOut := fs.String("json", "", "also write the figures to this file as JSON")
	serverArgs := fs.String("server-args", "", "extra flags for the server, space-separated")
	quiet := fs.Bool("q", false, "no progress lines")
	nodes := fs.Int("nodes", 0, "put the scenario on one server and then on a service of this many (the cluster scenario: 3)")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
	playAt := fs.Int64("play-at", 0, "start playing (the warm-up, then the window) at this Unix time, in seconds, once the rooms are set up: two load generators given the same measure their servers side by side in the same seconds")
	against := fs.String("against", "", "`plain` (the plain Go server, ./server/loadgen/plain, built here) or a server binary: put each scenario on it and on this server in turn, and give this server's figures as ratios to its, round by round")
	rounds := fs.Int("rounds", 1, "put each scenario on the server (with -against: on both, in turn) this many times")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var names []string
	switch *scenario {
	case "all":
		names = []string{"startup", "everyday", "workshop", "ramp"}
	default:
		names = strings.Split(*scenario, ",")
	}
	rep := &Report{FileLimit: raiseFileLimit(), Sources: *sources}
	var progress io.Writer = stderr
	if *quiet {
		progress = nil
	}

	if *rounds < 1 {
		return fmt.Errorf("-rounds %d: want at least 1", *rounds)
	}
	if (*against != "" || *rounds > 1) && (*wsURL != "" || *nodes > 1 || slices.Contains(names, "cluster")) {
		return errors.New("-against and -rounds take turns on a server they start: not with -ws, -nodes or the cluster scenario")
	}

	dir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *bin == "" && *wsURL == "" {
		fmt.Fprintln(stderr, "building the server…")
		if *bin, err = BuildServer(ctx, dir); err != nil {
			return err
		}
	}
	// The builds each scenario is put on: this server, and first, with
	// -against, the one it is measured against, in the same rounds.
	builds := []serverBuild{{bin: *bin, args: strings.Fields(*serverArgs)}}
	switch *against {
	case "":
	case "plain":
		plain, err := BuildPlain(ctx, dir)
		if err != nil {
			return err
		}
		// The plain server takes only the flags it is started with.
		rep.Against = PlainName
		builds = append([]serverBuild{{name: PlainName, bin: plain}}, builds...)
	default:
		rep.Against = filepath.Base(*against)
		builds = append([]serverBuild{{name: rep.Against, bin: *against, args: builds[0].args}}, builds...)
	}
	if rep.Floor, err = Floor(ctx, 5000); err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	for _, name := range names {
		if name == "startup" {
			if *bin == "" {
				continue
			}
			if rep.Startup, err = StartupTime(ctx, *bin, dir, 5); err != nil {
				return err
			}
			continue
		}
		sc, ok := Scenarios[name]
		if !ok {
			return fmt.Errorf("no scenario %q", name)
		}
		if *rooms > 0 {
			sc.Rooms = *rooms
		}
		if *size > 0 {
			sc.Size = *size
		}
		if *every > 0 {
			sc.Every = *every
		}
		if *duration > 0 {
			sc.Duration = *duration
		}
		if *warmup >= 0 {
			sc.Warmup = *warmup
		}
		opt := Options{Scenario: sc, WS: *wsURL, Sources: *sources, Parallel: *parallel, Deck: *deck, Log: progress}
		if *playAt > 0 {
			opt.PlayAt = time.Unix(*playAt, 0)
		}
		if sc.Name == "cluster" || *nodes > 1 {
			if *bin == "" {
				return fmt.Errorf("-scenario %s starts its own servers: give -server-bin, not -ws", name)
			}
			// The same load on one server, then on the service of several.
			many := *nodes
			if many < 2 {
				many = 3
			}
			for _, n := range []int{1, many} {
				res, err := runCluster(ctx, opt, *bin, dir, n, strings.Fields(*serverArgs), progress)
				if res != nil {
					rep.Results = append(rep.Results, res)
				}
				if err != nil {
					rep.Print(stdout)
					return err
				}
				time.Sleep(time.Second)
			}
			continue
		}
		if *wsURL != "" {
			res, err := Run(ctx, opt)
			if res != nil {
				rep.Results = append(rep.Results, res)
			}
			if err != nil {
				rep.Print(stdout)
				return err
			}
			time.Sleep(time.Second)
			continue
		}
		// Round by round, the build measured against first, then this one.
		for round := 1; round <= *rounds; round++ {
			for _, b := range builds {
				srv, err := StartServer(ctx, b.bin, dir, b.args...)
				if err != nil {
					return err
				}
				opt.Server, opt.WS = srv, srv.WS
				if progress != nil {
					fmt.Fprintf(progress, "%s, pid %d at %s (debug %s)\n", rep.name(b.name), srv.Pid, srv.URL, srv.Debug)
				}
				res, err := Run(ctx, opt)
				srv.Stop()
				if res != nil {
					res.Build, res.Round = b.name, round
					rep.Results = append(rep.Results, res)
				}
				if err != nil {
					rep.Print(stdout)
					return err
				}
				time.Sleep(time.Second)
			}
		}
	}
	rep.Print(stdout)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// serverBuild is a server binary to put a scenario on: this server (name
// empty), or the one it is measured against.
type serverBuild struct {
	name string
	bin  string
	args []string
}

// runCluster puts opt's load on a service of n servers started for it (one:
// a single server as "go run ./server" runs it), and stops them afterwards.
func runCluster(ctx context.Context, opt Options, bin, dir string, n int, extra []string, progress io.Writer) (*Result, error) {
	var nodes []*Server
	if n == 1 {
		s, err := StartServer(ctx, bin, dir, extra...)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, s)
	} else {
		var err error
		if nodes, err = StartCluster(ctx, bin, dir, n, extra...); err != nil {
			return nil, err
		}
	}
	defer func() {
		for _, s := range nodes {
			s.Stop()
		}
	}()
	if progress != nil {
		for _, s := range nodes {
			fmt.Fprintf(progress, "server pid %d at %s\n", s.Pid, s.URL)
		}
	}
	opt.Cluster = nodes
	return Run(ctx, opt)
}
