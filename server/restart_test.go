package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// process is the server binary running.
type process struct {
	cmd    *exec.Cmd
	url    chan string // the address it serves, once it says so
	exited chan error

	mu   sync.Mutex
	logs bytes.Buffer
	msgs []string
}

func startServer(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), url: make(chan string, 1), exited: make(chan error, 1)}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Message, URL string }
			json.Unmarshal(sc.Bytes(), &line)
			p.mu.Lock()
			p.logs.Write(append(sc.Bytes(), '\n'))
			p.msgs = append(p.msgs, line.Message)
			p.mu.Unlock()
			if line.Message == "serving" {
				p.url <- line.URL
			}
		}
	}()
	go func() {
		<-read // Wait closes the pipe: read it all first
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// serving returns the server's address once it listens.
func (p *process) serving(t *testing.T) string {
	t.Helper()
	select {
	case u := <-p.url:
		return strings.TrimPrefix(u, "http://")
	case err := <-p.exited:
		t.Fatalf("the server exited: %v\n%s", err, p.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start\n%s", p.log())
	}
	return ""
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("ELM_DEBUG_STOP") != "" {
		go func() {
			time.Sleep(8 * time.Second)
			p.cmd.Process.Signal(syscall.SIGQUIT)
		}()
	}
	select {
	case err := <-p.exited:
		if err != nil && os.Getenv("ELM_DEBUG_STOP") == "" {
			t.Fatalf("the server exited with %v\n%s", err, p.log())
		}
		p.exited <- nil // for the cleanup
	case <-time.After(25 * time.Second):
		t.Fatalf("the server did not stop\n%s", p.log())
	}
	t.Logf("stopped in %v", time.Since(began).Round(time.Millisecond))
}

// kill ends the server as a crash does (SIGKILL) and waits until it has.
func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.exited <- <-p.exited // for the cleanup
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func (p *process) said(msg string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.msgs {
		if m == msg {
			return true
		}
	}
	return false
}

// TestRestartResumesTheGame builds the server, plays part of a game on it,
// stops it with SIGTERM, starts it again on the same data folder, and lets
// the clients find their seats again and finish the game.
func TestRestartResumesTheGame(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	began := time.Now()
	tmp := t.TempDir()
	bin := serverBinary(t)
	built := time.Since(began)
	// A stand-in for the browser client, so that nothing is compiled to
	// WebAssembly here.
	client := filepath.Join(tmp, "client")
	os.Mkdir(client, 0o755)
	os.WriteFile(filepath.Join(client, "app.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
	os.WriteFile(filepath.Join(client, "wasm_exec.js"), []byte("// stand-in\n"), 0o644)
	data := filepath.Join(tmp, "data")
	args := func(addr string) []string {
		return []string{"-addr", addr, "-data", data, "-client-prebuilt", client, "-client-cache", filepath.Join(tmp, "cache")}
	}

	first := startServer(t, bin, args("127.0.0.1:0")...)
	addr := first.serving(t)
	url := "ws://" + addr + "/ws"
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	type seat struct {
		b       *gametest.Bot
		restart chan struct{} // closed when told that the server restarts
	}
	var seats []*seat
	join := func(hello protocol.Hello, cfg gametest.BotConfig) *seat {
		s := &seat{restart: make(chan struct{})}
		var once sync.Once
		cfg.Pace = 20 * time.Millisecond
		s.b = gametest.StartBot(gametest.SessionOptions{URL: url, Hello: hello, OnFrame: func(m protocol.Message) {
			if n, ok := m.(protocol.Notice); ok && n.Kind == protocol.NoticeRestarting {
				once.Do(func() { close(s.restart) })
			}
		}}, cfg)
		t.Cleanup(s.b.Close)
		seats = append(seats, s)
		return s
	}
	host := join(protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja-Uudelleen", Lang: "fi"},
		gametest.BotConfig{Decks: []string{"lammittely", "tarina-opiskelu"}, WaitPlayers: 1, Seed: 3})
	hs := waitState(t, host.b.Session(), func(s *gametest.State) bool { return s.Watch != "" })
	join(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Nuori-Uudelleen", Lang: "en"},
		gametest.BotConfig{Typed: "vastaus-uudelleen", PassOneIn: 4, Seed: 4})
	join(protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "sv"}, gametest.BotConfig{})
	errs := make(chan error, len(seats))
	for _, s := range seats {
		go func() { errs <- s.b.Run(ctx) }()
	}

	// Part of the game, then SIGTERM.
	waitState(t, host.b.Session(), func(s *gametest.State) bool { return s.View.Played >= 3 })
	first.stop(t)
	for i, s := range seats {
		select {
		case <-s.restart:
		default:
			t.Fatalf("seat %d was not told that the server restarts", i)
		}
		// The server has gone, but the bot's reading goroutine may not have
		// taken in the close frame yet.
		if st := waitState(t, s.b.Session(), func(s *gametest.State) bool { return s.Closed != 0 }); st.Closed != 1012 {
			t.Fatalf("seat %d: connection closed with %d, want 1012", i, st.Closed)
		}
		if st := s.b.Session().State(); st.View.Phase != rules.Playing {
			t.Fatalf("seat %d: the game is in %v at the restart", i, st.View.Phase)
		}
	}
	if !first.said("stopped") {
		t.Fatalf("the server did not say it stopped\n%s", first.log())
	}

	restarted := time.Now()
	second := startServer(t, bin, args(addr)...)
	second.serving(t)
	for range seats {
		if err := <-errs; err != nil {
			t.Fatalf("a bot: %v\n%s", err, second.log())
		}
	}
	finished := time.Since(restarted)
	h, p := seats[0].b.Session().State().View, seats[1].b.Session().State().View
	if h.Summary == nil || p.Summary == nil || len(h.Summary.Steps) != len(p.Summary.Steps) {
		t.Fatalf("summaries: host %+v, player %+v", h.Summary, p.Summary)
	}
	if !strings.Contains(second.log(), `"rooms":1,`) {
		t.Fatalf("the room was not restored\n%s", second.log())
	}
	second.stop(t)

	// Logs carry no code, token, nickname, typed text or client address
	// (the server's own address is in "url").
	logs := regexp.MustCompile(`"url":"[^"]*"`).ReplaceAllString(first.log()+second.log(), "")
	for _, secret := range []string{hs.Code, hs.Watch, hs.Token, seats[1].b.Session().State().Token,
		"Ohjaaja-Uudelleen", "Nuori-Uudelleen", "vastaus-uudelleen", "127.0.0.1"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs carry %q", secret)
		}
	}
	t.Logf("built in %v, finished %v after the restart, %v in all", built.Round(time.Millisecond),
		finished.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

func waitState(t *testing.T, s *gametest.Session, cond func(*gametest.State) bool) *gametest.State {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if st := s.State(); cond(st) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := s.State()
	t.Fatalf("timed out: status %v, err %q, phase %v", st.Status, st.Err, st.View.Phase)
	return nil
}

// serverBinary builds the server once for the package's tests.
func serverBinary(t *testing.T) string {
	t.Helper()
	// Built once for the package's tests, removed when they are done.
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "elamanipeli-server-test")
		if err != nil {
			binErr = err
			return
		}
		binDir, binPath = dir, filepath.Join(dir, "server")
		out, err := exec.Command(goTool(t), "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// goTool finds the go command that runs the test.
func goTool(t *testing.T) string {
	t.Helper()
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the server with")
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestMain removes the server binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
