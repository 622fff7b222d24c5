//go:build !js

package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/chromedp"
)

// releaseCommand builds a release server into out: the command the README
// gives and the Dockerfile's build stage runs (TestDockerfile checks that).
func releaseCommand(out, version, commit string) []string {
	return []string{"go", "run", "./internal/release", "-server-only", "-o", out, "-version", version, "-commit", commit}
}

// moduleRoot is the game's source folder, two up from this package's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestReleaseServer builds the release server as a deployment gets it,
// copies it alone into an empty folder and runs it with no Go on the PATH
// and an empty home and cache: it serves the client from its first answer,
// in brotli and gzip, a whole game plays on it in headless Chromium, it
// writes nothing outside its data folder, and it stops cleanly on SIGTERM.
// How soon /healthz answered is logged (BENCHMARKS.md), not a pass mark: the
// first answer carrying the ready client's hash is what shows that nothing
// was built at start. The browser client is the one the rest of the run
// builds (the shared cache): only the server is linked here.
func TestReleaseServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release server; skipped with -short")
	}
	const version, commit = "v0.0.0-releasetest", "releasetest"
	built := t.TempDir()
	began := time.Now()
	argv := releaseCommand(built, version, commit)
	build := exec.Command(argv[0], argv[1:]...)
	build.Dir = moduleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	t.Logf("release built in %v", time.Since(began).Round(time.Millisecond))

	// The file alone, and a machine without Go, home or cache.
	dir, empty, home, cache, data := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	bin := filepath.Join(dir, "elamanipeli-server")
	copyFile(t, filepath.Join(built, "elamanipeli-server"), bin)
	env := []string{"PATH=" + empty, "HOME=" + home, "XDG_CACHE_HOME=" + cache, "TMPDIR=" + data}

	said := runRelease(t, dir, env, bin, "-version")
	client := regexp.MustCompile(`(?m)^client ([0-9a-f]{64})$`).FindStringSubmatch(said)
	if !strings.Contains(said, "elamanipeli-server "+version+"\n") || !strings.Contains(said, "commit "+commit+"\n") || client == nil {
		t.Fatalf("-version says %q; want the version, the commit and the client's hash", said)
	}
	// The container starts the server with these arguments: flags it knows.
	entry := dockerfileStages(t)[1].entrypoint()
	runRelease(t, dir, env, bin, append(slices.Clone(entry[1:]), "-version")...)

	srv := startRelease(t, dir, env, bin, "-addr", "127.0.0.1:0", "-data", filepath.Join(data, "rooms"))
	t.Logf("release server: /healthz answered %v after the process started", srv.healthy.Round(time.Millisecond))
	// Ready from its first answer: nothing was built or compressed.
	if srv.first.Status != "ok" || srv.first.Version != version || srv.first.Commit != commit || srv.first.Client != client[1] {
		t.Errorf("first /healthz = %+v; want ok, %s, %s and client %s", srv.first, version, commit, client[1][:12])
	}
	var status struct {
		Ready bool
		Wasm  string
	}
	getJSON(t, srv.url+"/client/status", &status)
	if !status.Ready || status.Wasm != "/app."+client[1][:12]+".wasm" {
		t.Errorf("client status %+v; want ready with the wasm named by %s", status, client[1][:12])
	}
	// The page's wasm in brotli and in gzip, made at build time.
	var raw []byte
	for _, enc := range []string{"br", "gzip", ""} {
		body, got := fetch(t, srv.url+status.Wasm, enc)
		if got != enc {
			t.Errorf("wasm asked for %q came as %q", enc, got)
		}
		plain := decompress(t, enc, body)
		if raw == nil {
			raw = plain
		}
		if !bytes.HasPrefix(plain, []byte("\x00asm")) || !bytes.Equal(plain, raw) {
			t.Errorf("wasm as %q does not decode to the client", enc)
		}
		t.Logf("app.wasm as %q: %.2f MB", enc, float64(len(body))/1e6)
	}

	t.Run("a whole game in Chromium", func(t *testing.T) {
		needBrowser(t)
		playShortGame(t, srv.url)
	})

	srv.stop(t)
	for _, d := range []string{home, cache, empty} {
		if entries, _ := os.ReadDir(d); len(entries) > 0 {
			t.Errorf("the release server wrote into %s: %v", d, entries)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the release server's folder holds %v, want the server alone", entries)
	}
}

// playShortGame plays a whole game on the server at url with two pages, a
// worker on a tablet and a young person on a phone, tapping on the canvas:
// create, join by link, knock, admit, choose a deck, start, answer and pass
// cards on whichever side the turn falls, end, and both see the summary.
func playShortGame(t *testing.T, url string) {
	b := browser(t)
	host := open(t, b, "release-worker", url+"/", 768, 1024, true)
	host.tap("create")
	host.waitFor("the lobby", `!!document.getElementById("act-start")`)
	code := codePattern.FindString(host.live())
	if code == "" {
		t.Fatalf("no room code in the lobby's announcement %q", host.live())
	}
	youth := open(t, b, "release-youth", url+"/#join="+strings.ReplaceAll(code, "-", ""), 390, 844, true)
	youth.knockAtDoor("")
	host.tap("admit-1")
	host.waitFor("the young person seated", `!!document.getElementById("act-remove-1")`)
	host.tap("choose-decks")
	host.tap("deck-lammittely")
	host.waitFor("the warm-up chosen", `document.getElementById("act-deck-lammittely").getAttribute("aria-pressed") === "true"`)
	host.tap("done")
	host.tap("start")

	// Three cards: two answered aloud and one passed, by whoever's turn it is.
	deadline := time.Now().Add(3 * time.Minute)
	for played := 0; played < 3; {
		var p *Page
		switch {
		case host.has("answered"):
			p = host
		case youth.has("answered"):
			p = youth
		case time.Now().After(deadline):
			t.Fatalf("no turn came; worker %v, youth %v", host.actions(), youth.actions())
		default:
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if played == 2 {
			p.tap("pass")
		} else {
			p.tap("answered")
		}
		played++
		before := host.live()
		host.tap("next")
		host.waitFor("the next card", fmt.Sprintf(`document.getElementById("sr").textContent !== %q`, before))
	}
	host.tap("end")
	host.tap("end-yes")
	host.waitFor("the summary", `!!document.getElementById("act-close")`)
	youth.waitFor("the summary", `!!document.getElementById("act-help-0")`)
	sizes, err := chromedp.Run(host.ctx, chromedp.Evaluate[[]float64](`(m => m ? [m.detail.sent, m.detail.decoded] : [])(performance.getEntriesByName("elamanipeli-compiled")[0])`))
	if err != nil || len(sizes) != 2 || sizes[0] <= 0 || sizes[0] > sizes[1]/3 {
		t.Errorf("the worker's page fetched the wasm as %v bytes [sent, decoded] (%v); want it compressed", sizes, err)
	}
	t.Logf("the worker's page fetched the wasm: %.2f MB sent, %.2f MB decoded", sizes[0]/1e6, sizes[1]/1e6)
}

// runRelease runs the release server with args to the end and returns what
// it printed.
func runRelease(t *testing.T, dir string, env []string, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("elamanipeli-server %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// about is what /healthz says.
type about struct{ Status, Version, Commit, Client string }

// releaseProcess is a running release server.
type releaseProcess struct {
	cmd     *exec.Cmd
	url     string
	healthy time.Duration // from the process's start to /healthz's first 200
	first   about         // what /healthz first said
	exited  chan error

	mu  sync.Mutex
	log bytes.Buffer
}

// startRelease starts the server and waits until /healthz answers.
func startRelease(t *testing.T, dir string, env []string, bin string, args ...string) *releaseProcess {
	t.Helper()
	p := &releaseProcess{cmd: exec.Command(bin, args...), exited: make(chan error, 1)}
	p.cmd.Dir, p.cmd.Env = dir, env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	began := time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.Write(append(sc.Bytes(), '\n'))
			p.mu.Unlock()
			var line struct{ Message, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "serving" {
				urls <- line.URL
			}
		}
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("release server's log:\n%s", p.logText())
		}
	})
	select {
	case p.url = <-urls:
	case err := <-p.exited:
		t.Fatalf("the release server ended: %v\n%s", err, p.logText())
	case <-time.After(time.Minute):
		t.Fatalf("the release server did not say where it serves\n%s", p.logText())
	}
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := hc.Get(p.url + "/healthz")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&p.first)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.healthy = time.Since(began)
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer: %v\n%s", err, p.logText())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *releaseProcess) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM, as systemd and docker stop do, and waits for a clean
// exit.
func (p *releaseProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("the release server stopped with %v\n%s", err, p.logText())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the release server did not stop\n%s", p.logText())
	}
	if !strings.Contains(p.logText(), `"message":"stopped"`) {
		t.Errorf("the release server did not log its clean stop:\n%s", p.logText())
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// fetch gets url accepting enc only, and returns the body as sent and its
// Content-Encoding.
func fetch(t *testing.T, url, enc string) ([]byte, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", enc)
	if enc == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	// A transport of its own: the default one would ask for gzip and
	// decode it out of sight.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body, resp.Header.Get("Content-Encoding")
}

func decompress(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %q: %v", enc, err)
	}
	return b
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestDockerfile checks the container recipe as far as a machine without
// Docker can: it parses, its build stage builds the release with the very
// command TestReleaseServer runs and fetches nothing but Go modules, and
// its image runs that server alone, as a non-root user, without a shell
// (so SIGTERM reaches the server), with /data as the volume for -data,
// $PORT honoured and a health check the server answers itself.
func TestDockerfile(t *testing.T) {
	stages := dockerfileStages(t)
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a build stage and the image", len(stages))
	}
	build, image := stages[0], stages[1]
	if !strings.HasPrefix(build.from, "golang:1.26") || build.name == "" {
		t.Errorf("the build stage is FROM %s AS %q; want the official Go image, named", build.from, build.name)
	}
	want := releaseCommand("/out", "$VERSION", "$COMMIT")
	var runs [][]string
	for _, in := range build.all("RUN") {
		words := shellWords(in.args)
		runs = append(runs, words)
		if regexp.MustCompile(`\b(curl|wget|apt-get|apt|apk|git|go install|go get)\b`).MatchString(in.args) {
			t.Errorf("line %d fetches something besides Go modules: %s", in.line, in.args)
		}
	}
	if !slices.ContainsFunc(runs, func(w []string) bool { return slices.Equal(w, want) }) {
		t.Errorf("the build stage runs %q; want %q, the release test's command", runs, want)
	}
	for _, arg := range []string{"VERSION", "COMMIT"} {
		if !slices.ContainsFunc(build.all("ARG"), func(in instruction) bool { return strings.HasPrefix(in.args, arg) }) {
			t.Errorf("the build stage has no ARG %s", arg)
		}
	}

	if !regexp.MustCompile(`^gcr\.io/distroless/static[-a-z0-9]*:nonroot$`).MatchString(image.from) {
		t.Errorf("the image is FROM %s; want a minimal static base", image.from)
	}
	if runs := image.all("RUN"); len(runs) > 0 {
		t.Errorf("the image runs %q at build; its base has no shell", runs[0].args)
	}
	copied := ""
	for _, in := range image.all("COPY") {
		if slices.Contains(in.flags, "--from="+build.name) && strings.HasPrefix(in.args, "/out/elamanipeli-server ") {
			copied = strings.Fields(in.args)[1]
		}
	}
	if copied == "" {
		t.Fatal("the image does not copy /out/elamanipeli-server from the build stage")
	}
	users := image.all("USER")
	if len(users) != 1 || regexp.MustCompile(`^(root|0)(:|$)`).MatchString(users[0].args) {
		t.Errorf("USER %v; want one non-root user", users)
	}
	entry := image.entrypoint()
	if len(entry) == 0 || entry[0] != copied {
		t.Errorf("ENTRYPOINT %q; want the exec form (no shell as PID 1) starting %s", entry, copied)
	}
	i := slices.Index(entry, "-data")
	if i < 0 || i+1 >= len(entry) || !strings.HasPrefix(entry[i+1]+"/", "/data/") {
		t.Errorf("ENTRYPOINT %q does not keep the rooms under /data", entry)
	}
	if vols := image.all("VOLUME"); len(vols) != 1 || vols[0].exec == nil || !slices.Equal(vols[0].exec, []string{"/data"}) {
		t.Errorf("VOLUME %v; want [\"/data\"]", vols)
	}
	port := ""
	for _, in := range image.all("ENV") {
		if p, ok := strings.CutPrefix(in.args, "PORT="); ok {
			port = p
		}
	}
	if exposed := image.all("EXPOSE"); port == "" || len(exposed) != 1 || exposed[0].args != port {
		t.Errorf("ENV PORT=%q and EXPOSE %v; want the port set and exposed", port, exposed)
	}
	hc := image.all("HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("%d HEALTHCHECKs, want 1", len(hc))
	}
	sub, rest, _ := strings.Cut(hc[0].args, " ")
	var check []string
	if sub != "CMD" || json.Unmarshal([]byte(rest), &check) != nil || !slices.Equal(check, []string{copied, "-health"}) {
		t.Errorf("HEALTHCHECK %q; want CMD [%q, \"-health\"]", hc[0].args, copied)
	}
	for _, in := range append(image.all("CMD"), image.all("STOPSIGNAL")...) {
		t.Errorf("line %d: %s %s; the server takes SIGTERM and no default arguments", in.line, in.cmd, in.args)
	}
}

// instruction is one line of a Dockerfile (continuations joined).
type instruction struct {
	line  int
	cmd   string   // upper case: FROM, RUN, …
	flags []string // leading --name=value options
	args  string   // the rest
	exec  []string // the rest in JSON (exec) form; nil in shell form
}

type stage struct {
	from, name string
	ins        []instruction
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// entrypoint is the stage's last ENTRYPOINT in exec form, or nil.
func (s stage) entrypoint() []string {
	e := s.all("ENTRYPOINT")
	if len(e) == 0 {
		return nil
	}
	return e[len(e)-1].exec
}

// known are the instructions Docker's reference lists.
var known = []string{"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
	"LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}

// dockerfileStages parses the module's Dockerfile: comments, backslash
// continuations, flags and the JSON form, as Docker reads them; an unknown
// instruction or a broken JSON form fails the test.
func dockerfileStages(t *testing.T) []stage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var cur strings.Builder
	start := 0
	for n, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue // a comment, also within a continuation
		}
		if cur.Len() == 0 {
			start = n + 1
		}
		if body, more := strings.CutSuffix(trimmed, `\`); more {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		in := parseInstruction(t, start, cur.String())
		cur.Reset()
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			} else if len(f) != 1 {
				t.Fatalf("line %d: FROM %s", start, in.args)
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("line %d: %s before FROM", start, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	if cur.Len() > 0 {
		t.Fatalf("line %d: a continuation runs off the end", start)
	}
	return stages
}

func parseInstruction(t *testing.T, line int, text string) instruction {
	t.Helper()
	cmd, rest, _ := strings.Cut(text, " ")
	in := instruction{line: line, cmd: strings.ToUpper(cmd)}
	if !slices.Contains(known, in.cmd) {
		t.Fatalf("line %d: unknown instruction %s", line, cmd)
	}
	rest = strings.TrimSpace(rest)
	for strings.HasPrefix(rest, "--") {
		flag, after, _ := strings.Cut(rest, " ")
		in.flags = append(in.flags, flag)
		rest = strings.TrimSpace(after)
	}
	if rest == "" {
		t.Fatalf("line %d: %s without arguments", line, in.cmd)
	}
	in.args = rest
	if strings.HasPrefix(rest, "[") {
		if err := json.Unmarshal([]byte(rest), &in.exec); err != nil {
			t.Fatalf("line %d: %s's JSON form: %v", line, in.cmd, err)
		}
	}
	return in
}

// shellWords splits a simple shell command into its words, taking quotes
// off; enough for one command without pipes or expansions inside words.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}
