//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// BuildServer compiles the game server into dir and returns the binary's
// path. It runs from the module's root, wherever the caller is.
func BuildServer(ctx context.Context, dir string) (string, error) {
	return build(ctx, dir, "./server", "elamanipeli-server")
}

// BuildPlain compiles the plain Go server (./server/loadgen/plain), the
// floor issue 19 measures the game's server against, into dir.
func BuildPlain(ctx context.Context, dir string) (string, error) {
	return build(ctx, dir, "./server/loadgen/plain", "plain")
}

// build compiles the module's package pkg into dir/name.
func build(ctx context.Context, dir, pkg, name string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("loadgen: find the module: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("loadgen: build %s: %w\n%s", pkg, err, b)
	}
	return bin, nil
}

// Server is a game server process the load generator started itself, so
// that it can read the process's memory and CPU time.
type Server struct {
	URL   string // http://127.0.0.1:port
	WS    string // ws://127.0.0.1:port/ws
	Debug string // http://127.0.0.1:port of pprof and /debug/gc
	Pid   int

	cmd  *exec.Cmd
	dir  string // its data folder, removed at Stop
	done chan error
}

// StartServer runs bin on a loopback port with a fresh data folder under
// dir, no browser client, and the debug listener on, and waits until it
// serves. Its log goes to dir/server.log.
func StartServer(ctx context.Context, bin, dir string, extra ...string) (*Server, error) {
	return startServer(ctx, bin, dir, "server.log", extra...)
}

func startServer(ctx context.Context, bin, dir, logName string, extra ...string) (*Server, error) {
	data, err := os.MkdirTemp(dir, "data-")
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, logName))
	if err != nil {
		return nil, err
	}
	args := append([]string{"-addr", "127.0.0.1:0", "-no-client", "-debug-addr", "127.0.0.1:0", "-data", data}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = dieWithUs()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadgen: start the server: %w", err)
	}
	s := &Server{Pid: cmd.Process.Pid, cmd: cmd, dir: data, done: make(chan error, 1)}
	urls := make(chan [2]string, 4)
	go func() {
		// Read the log for the addresses, and keep draining it to the file.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			logf.Write(append(line, '\n'))
			var l struct {
				Msg string `json:"message"`
				URL string `json:"url"`
			}
			if json.Unmarshal(line, &l) == nil && l.URL != "" {
				select {
				case urls <- [2]string{l.Msg, l.URL}:
				default:
				}
			}
		}
		io.Copy(logf, stderr)
		logf.Close()
	}()
	go func() { s.done <- cmd.Wait() }()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for s.URL == "" || s.Debug == "" {
		select {
		case u := <-urls:
			switch u[0] {
			case "serving":
				s.URL = u[1]
				s.WS = "ws" + strings.TrimPrefix(u[1], "http") + "/ws"
			case "serving debug":
				s.Debug = u[1]
			}
		case err := <-s.done:
			return nil, fmt.Errorf("loadgen: the server stopped at start: %v (see %s)", err, logf.Name())
		case <-deadline.C:
			s.Stop()
			return nil, errors.New("loadgen: the server did not start within 30 s")
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		}
	}
	return s, nil
}

// dieWithUs has the kernel kill a started server when the load generator
// goes, however it goes (a test binary killed at its timeout runs no
// deferred Stop), so that no server outlives the run that started it.
func dieWithUs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Stop ends the server: SIGTERM, then SIGKILL if it has not stopped in 10 s.
func (s *Server) Stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(s.dir)
}

// StartCluster runs n servers as one service on loopback, as "Running
// several servers" in the README says: each with a name, its own data
// folder and log (dir/server-nK.log), NATS clustered over routes between
// them, and one key file for all. It waits until every server is ready
// (/healthz?ready: joined the service); on an error it stops those started.
func StartCluster(ctx context.Context, bin, dir string, n int, extra ...string) ([]*Server, error) {
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close() // free for the server's cluster listener a moment later
	}
	var nodes []*Server
	stop := func() {
		for _, s := range nodes {
			s.Stop()
		}
	}
	for i := range n {
		var routes []string
		for j := range n {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[j]))
			}
		}
		name := fmt.Sprintf("n%d", i+1)
		args := append([]string{"-node", name, "-cluster", fmt.Sprintf("127.0.0.1:%d", ports[i]),
			"-routes", strings.Join(routes, ","), "-key-file", filepath.Join(dir, "service.key")}, extra...)
		s, err := startServer(ctx, bin, dir, "server-"+name+".log", args...)
		if err != nil {
			stop()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		nodes = append(nodes, s)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for i, s := range nodes {
		for deadline := time.Now().Add(2 * time.Minute); ; {
			resp, err := client.Get(s.URL + "/healthz?ready")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				stop()
				log, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("server-n%d.log", i+1)))
				if len(log) > 4000 {
					log = log[len(log)-4000:]
				}
				return nil, fmt.Errorf("loadgen: %s did not join the service within 2 minutes; the end of its log:\n%s", s.URL, log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nodes, nil
}

// Metric reads one figure of the server's /metrics (Prometheus text).
func (s *Server) Metric(ctx context.Context, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("loadgen: metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == name {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("loadgen: no %s in the server's metrics", name)
}

// GCReport is what the server's /debug/gc answers (server/metrics).
type GCReport struct {
	RSS        int64  `json:"rss"`
	HeapInuse  uint64 `json:"heap_inuse"`
	HeapAlloc  uint64 `json:"heap_alloc"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
	Goroutines int    `json:"goroutines"`
	StackStart uint64 `json:"stack_start"`
}

// GC asks the server for a full collection and its memory afterwards.
func (s *Server) GC(ctx context.Context) (GCReport, error) {
	var r GCReport
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Debug+"/debug/gc", nil)
	if err != nil {
		return r, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return r, fmt.Errorf("loadgen: gc: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return r, fmt.Errorf("loadgen: gc: %w", err)
	}
	if r.RSS <= 0 {
		return r, fmt.Errorf("loadgen: gc: the server reported no RSS")
	}
	return r, nil
}

// CPU is the CPU time the server has used so far.
func (s *Server) CPU() time.Duration { return procCPU(s.Pid) }

// clockTick is USER_HZ, which Linux fixes at 100 for /proc.
const clockTick = 100

// procCPU reads utime+stime of pid from /proc/pid/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields start after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick
}

// raiseFileLimit lifts the soft limit on open files to the hard one. (Go
// does this at start on its own; doing it again costs nothing and reports
// the figure.)
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}

// StartupTime starts bin (with the browser client taken from its cache, as
// a real start) on a free loopback port and measures how long it takes until
// it answers /healthz. It repeats n times and returns every figure.
func StartupTime(ctx context.Context, bin, dir string, n int) (Startup, error) {
	var out Startup
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return out, err
		}
		addr := l.Addr().String()
		l.Close()
		data := filepath.Join(dir, fmt.Sprintf("startup-%d", i))
		cmd := exec.Command(bin, "-addr", addr, "-data", data, "-log-level", "warn")
		cmd.SysProcAttr = dieWithUs()
		client := &http.Client{Timeout: time.Second}
		began := time.Now()
		if err := cmd.Start(); err != nil {
			return out, err
		}
		var accepted, served time.Duration
		for time.Since(began) < 10*time.Second && ctx.Err() == nil {
			if accepted == 0 {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					time.Sleep(200 * time.Microsecond)
					continue
				}
				accepted = time.Since(began)
				c.Close()
			}
			resp, err := client.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					served = time.Since(began)
					break
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		os.RemoveAll(data)
		if served == 0 {
			return out, fmt.Errorf("loadgen: the server did not answer within 10 s")
		}
		out.Accepted = append(out.Accepted, accepted)
		out.Served = append(out.Served, served)
	}
	return out, nil
}

// Startup is how soon a started server took a connection (the listener
// open: the connection waits for the server, it is not refused) and how
// soon it answered /healthz, for each start.
type Startup struct {
	Accepted, Served []time.Duration
}
