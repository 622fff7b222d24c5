package webclient

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/rs/zerolog"
)

// logBuffer keeps what a client logged, for tests that look for a line.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// writeFile writes a file under dir, making its folders.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newModule makes a small module laid out like the game's, whose ./client
// is the stand-in testdata/hello.
func newModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeModule(t, dir)
	return dir
}

func writeModule(t *testing.T, dir string) {
	t.Helper()
	hello, err := os.ReadFile(filepath.Join("testdata", "hello", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "go.mod", "module example.com/hello\n\ngo 1.26\n")
	writeFile(t, dir, "client/main.go", string(hello))
	writeFile(t, dir, "shared/words/words.go", "// Package words is a stand-in.\npackage words\n")
	writeFile(t, dir, "assets/decks/a.yaml", "id: a\n")
}

// shared is one module and build cache for the tests that only read a
// build, so that they reuse it instead of compressing it again each.
var shared struct {
	once       sync.Once
	dir        string
	mod, cache string
}

func sharedBuild(t *testing.T) (mod, cache string) {
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "webclient-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir, shared.mod, shared.cache = dir, filepath.Join(dir, "module"), filepath.Join(dir, "cache")
		writeModule(t, shared.mod)
	})
	if shared.mod == "" {
		t.Fatal("the shared module could not be made")
	}
	return shared.mod, shared.cache
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// start makes a client that logs to t and to the returned buffer, with a
// cache of its own unless o names one, and a fast brotli (quality 5 still
// beats gzip; 1 to 3 do not, and would not be served).
func start(t *testing.T, o Options) (*Client, *logBuffer) {
	t.Helper()
	if o.CacheDir == "" {
		o.CacheDir = t.TempDir()
	}
	if o.BrotliQuality == 0 {
		o.BrotliQuality = 5
	}
	logs := &logBuffer{}
	o.Log = zerolog.New(io.MultiWriter(zerolog.NewTestWriter(t), logs))
	c, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, logs
}

func wait(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("client: %v", err)
	}
}

// built returns a ready client of the shared stand-in module, with brotli.
func built(t *testing.T) *Client {
	t.Helper()
	mod, cache := sharedBuild(t)
	c, _ := start(t, Options{ModuleDir: mod, CacheDir: cache})
	wait(t, c)
	return c
}

// get requests path from h with headers given as name, value pairs.
func get(t *testing.T, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func getStatus(t *testing.T, c *Client) status {
	t.Helper()
	resp := get(t, c, "GET", "/client/status")
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("status Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("status Cache-Control %q", cc)
	}
	var s status
	if err := json.Unmarshal(readBody(t, resp), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("unknown encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	return b
}

func TestNewReturnsAtOnceAndStatusFollowsTheBuild(t *testing.T) {
	gate := make(chan struct{})
	mod, cache := sharedBuild(t)
	// The fastest of three, so that a busy machine does not fail the test.
	fastest := time.Hour
	for range 3 {
		begin := time.Now()
		c, err := New(context.Background(), Options{ModuleDir: mod, CacheDir: t.TempDir(), After: gate})
		fastest = min(fastest, time.Since(begin))
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if fastest > 50*time.Millisecond {
		t.Errorf("New took %v; the server must listen within 50 ms", fastest)
	}
	c, _ := start(t, Options{ModuleDir: mod, CacheDir: cache, After: gate})

	if s := getStatus(t, c); s.Ready || s.Error != "" || s.Wasm != "" {
		t.Errorf("status before the build = %+v, want not ready and no error", s)
	}
	select {
	case <-c.Ready():
		t.Fatal("ready before the build")
	default:
	}
	resp := get(t, c, "GET", "/")
	page := string(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<meta name="client-wasm" content="">`) {
		t.Errorf("page before the build: %d, want a page without client URLs:\n%s", resp.StatusCode, page)
	}
	if raw, gz, br := c.Sizes(); raw != 0 || gz != 0 || br != 0 {
		t.Errorf("Sizes before the build = %d, %d, %d", raw, gz, br)
	}

	close(gate)
	<-c.Ready()
	s := getStatus(t, c)
	if !s.Ready || s.Error != "" || !regexp.MustCompile(`^/app\.[0-9a-f]{12}\.wasm$`).MatchString(s.Wasm) ||
		!regexp.MustCompile(`^/wasm_exec\.[0-9a-f]{12}\.js$`).MatchString(s.WasmExec) {
		t.Errorf("status after the build = %+v", s)
	}
	if resp := get(t, c, "GET", s.Wasm); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", s.Wasm, resp.StatusCode)
	}
	wait(t, c)
}

func TestHashedURLsAreMissingBeforeTheBuild(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	c, _ := start(t, Options{ModuleDir: newModule(t), After: gate})
	resp := get(t, c, "GET", "/app.0123456789ab.wasm")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("hashed URL before the build: %d %q, want 404 no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestBuildIsCachedAndRebuiltWhenTheTreeChanges(t *testing.T) {
	mod := newModule(t)
	cache := t.TempDir()

	first, logs := start(t, Options{ModuleDir: mod, CacheDir: cache})
	wait(t, first)
	if n := first.builds.Load(); n != 1 {
		t.Fatalf("first start ran go build %d times, want 1", n)
	}
	if !strings.Contains(logs.String(), "client: building WebAssembly client (first start takes about a minute)") {
		t.Errorf("first start did not log the build:\n%s", logs)
	}
	key := first.state.Load().bundle.key
	for _, name := range []string{"app.wasm", "app.wasm.gz", "app.wasm.br", "wasm_exec.js", "wasm_exec.js.gz", "wasm_exec.js.br"} {
		if _, err := os.Stat(filepath.Join(cache, key, name)); err != nil {
			t.Errorf("cache lacks %s: %v", name, err)
		}
	}
	raw, gz, br := first.Sizes()
	if raw == 0 || gz == 0 || br == 0 || gz >= raw || br >= raw {
		t.Errorf("Sizes = %d, %d, %d", raw, gz, br)
	}

	second, logs := start(t, Options{ModuleDir: mod, CacheDir: cache})
	wait(t, second)
	if n := second.builds.Load(); n != 0 {
		t.Errorf("second start ran go build %d times, want the cached build", n)
	}
	if !strings.Contains(logs.String(), "client: using cached build") {
		t.Errorf("second start did not log the cache:\n%s", logs)
	}
	if strings.Contains(logs.String(), "brotli ready") {
		t.Errorf("second start compressed again:\n%s", logs)
	}
	if got := second.state.Load().bundle.key; got != key {
		t.Errorf("second start key %s, want %s", got, key)
	}
	if r2, gz2, br2 := second.Sizes(); r2 != raw || gz2 != gz || br2 != br {
		t.Errorf("second start Sizes = %d, %d, %d, want %d, %d, %d", r2, gz2, br2, raw, gz, br)
	}

	writeFile(t, mod, "client/main.go", strings.Replace(mustRead(t, filepath.Join(mod, "client", "main.go")), "hei maailma", "moi", 1))
	third, logs := start(t, Options{ModuleDir: mod, CacheDir: cache})
	wait(t, third)
	if n := third.builds.Load(); n != 1 {
		t.Errorf("start after a change ran go build %d times, want 1", n)
	}
	if third.state.Load().bundle.key == key {
		t.Error("the key did not change with the client's source")
	}

	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !isKey(e.Name()) && !isKey(strings.TrimSuffix(e.Name(), lockExt)) {
			t.Errorf("cache holds %s besides the builds and their locks", e.Name())
		}
		files, _ := os.ReadDir(filepath.Join(cache, e.Name()))
		for _, f := range files {
			if strings.Contains(f.Name(), ".tmp-") {
				t.Errorf("cache holds the temporary %s/%s", e.Name()[:12], f.Name())
			}
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientsSharingACacheBuildOnce starts three clients of one tree on one
// empty cache at once, as parallel test binaries or servers on one machine
// do: one builds and compresses, the others wait for it and serve its files.
func TestClientsSharingACacheBuildOnce(t *testing.T) {
	mod, cache := newModule(t), t.TempDir()
	var clients []*Client
	for range 3 {
		c, _ := start(t, Options{ModuleDir: mod, CacheDir: cache})
		clients = append(clients, c)
	}
	var builds, compressions int32
	keys := map[string]bool{}
	for _, c := range clients {
		wait(t, c)
		builds += c.builds.Load()
		compressions += c.brotlis.Load()
		keys[c.state.Load().bundle.key] = true
		if _, _, br := c.Sizes(); br == 0 {
			t.Error("a client serves no brotli")
		}
	}
	if builds != 1 {
		t.Errorf("three clients sharing a cache ran go build %d times, want 1", builds)
	}
	if compressions != 2 {
		t.Errorf("three clients sharing a cache made %d brotli files, want 2 (app.wasm and wasm_exec.js once)", compressions)
	}
	if len(keys) != 1 {
		t.Errorf("the clients serve %d builds, want 1", len(keys))
	}
}

func TestCacheKey(t *testing.T) {
	tc := toolchain{version: "go1.26.8", root: "/usr/local/go"}
	tests := []struct {
		name   string
		change func(t *testing.T, dir string, tc *toolchain, pkg *string)
		same   bool
	}{
		{"nothing", func(*testing.T, string, *toolchain, *string) {}, true},
		{"client source", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "client/main.go", "package main\n\nfunc main() {}\n")
		}, false},
		{"new client file", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "client/draw.go", "package main\n")
		}, false},
		{"client test", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "client/main_test.go", "package main\n")
		}, true},
		{"shared", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "shared/words/words.go", "// Package words changed.\npackage words\n")
		}, false},
		{"renamed shared file", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			if err := os.Rename(filepath.Join(dir, "shared/words/words.go"), filepath.Join(dir, "shared/words/w.go")); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"asset", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "assets/decks/a.yaml", "id: b\n")
		}, false},
		{"new asset", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "assets/fonts/x.ttf", "\x00\x01")
		}, false},
		{"go.mod", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "go.mod", "module example.com/hello\n\ngo 1.26.8\n")
		}, false},
		{"go.sum", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "go.sum", "example.org/x v1.0.0 h1:abc=\n")
		}, false},
		{"server code", func(t *testing.T, dir string, _ *toolchain, _ *string) {
			writeFile(t, dir, "server/main.go", "package main\n")
		}, true},
		{"Go version", func(_ *testing.T, _ string, tc *toolchain, _ *string) { tc.version = "go1.26.9" }, false},
		{"GOFLAGS", func(_ *testing.T, _ string, tc *toolchain, _ *string) { tc.flags = "-tags=debug" }, false},
		{"GOROOT alone", func(_ *testing.T, _ string, tc *toolchain, _ *string) { tc.root = "/opt/go" }, true},
		{"package", func(_ *testing.T, _ string, _ *toolchain, pkg *string) { *pkg = "./client/web" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newModule(t)
			before, err := cacheKey(dir, tc, DefaultPackage)
			if err != nil {
				t.Fatal(err)
			}
			tc2, pkg := tc, DefaultPackage
			tt.change(t, dir, &tc2, &pkg)
			after, err := cacheKey(dir, tc2, pkg)
			if err != nil {
				t.Fatal(err)
			}
			if (before == after) != tt.same {
				t.Errorf("key before %s, after %s; want same = %v", before[:12], after[:12], tt.same)
			}
		})
	}
}

func TestChooseEncoding(t *testing.T) {
	tests := []struct {
		accept   string
		gzip, br bool
		want     int
	}{
		{"", true, true, encIdentity},
		{"gzip, deflate, br, zstd", true, true, encBrotli},
		{"gzip, deflate, br", true, false, encGzip},
		{"br", false, true, encBrotli},
		{"br", true, false, encIdentity},
		{"gzip", true, true, encGzip},
		{"GZIP", true, true, encGzip},
		{"x-gzip", true, true, encGzip},
		{"identity", true, true, encIdentity},
		{"deflate", true, true, encIdentity},
		{"br;q=0, gzip", true, true, encGzip},
		{"br;q=0.5, gzip;q=0.8", true, true, encGzip},
		{"br;q=0.8, gzip;q=0.8", true, true, encBrotli},
		{"gzip;q=0", true, true, encIdentity},
		{"gzip; q=0.0, *;q=0.1", true, true, encBrotli},
		{"*", true, true, encBrotli},
		{"*;q=0", true, true, encIdentity},
		{"br;q=bad, gzip", true, true, encGzip},
	}
	for _, tt := range tests {
		if got := chooseEncoding(tt.accept, tt.gzip, tt.br); got != tt.want {
			t.Errorf("chooseEncoding(%q, gzip %v, br %v) = %q, want %q", tt.accept, tt.gzip, tt.br, encNames[got], encNames[tt.want])
		}
	}
}

func TestBrotliLargerThanGzipIsNotServed(t *testing.T) {
	a := &asset{ctype: "application/wasm", immutable: true}
	a.reps[encIdentity] = memRep(bytes.Repeat([]byte("x"), 100))
	a.reps[encGzip] = memRep(make([]byte, 50))
	a.reps[encBrotli] = memRep(make([]byte, 60))
	r := httptest.NewRequest("GET", "/app.wasm", nil)
	r.Header.Set("Accept-Encoding", "gzip, br")
	w := httptest.NewRecorder()
	a.serve(w, r)
	if got := w.Result().Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip, the smaller", got)
	}
}

func TestClientFilesByEncoding(t *testing.T) {
	c := built(t)
	b := c.state.Load().bundle
	for _, f := range []struct{ url, name, ctype string }{
		{b.wasmURL, wasmName, "application/wasm"},
		{b.execURL, execName, "text/javascript; charset=utf-8"},
	} {
		raw, err := os.ReadFile(filepath.Join(b.srcDir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		etags := map[string]string{}
		for _, tt := range []struct{ accept, want string }{
			{"gzip, deflate, br, zstd", "br"},
			{"br", "br"},
			{"gzip", "gzip"},
			{"br;q=0, gzip", "gzip"},
			{"", ""},
			{"identity", ""},
			{"gzip;q=0, deflate", ""},
		} {
			resp := get(t, c, "GET", f.url, "Accept-Encoding", tt.accept)
			body := readBody(t, resp)
			h := resp.Header
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s with %q: %d", f.name, tt.accept, resp.StatusCode)
			}
			if got := h.Get("Content-Encoding"); got != tt.want {
				t.Errorf("%s with %q: Content-Encoding %q, want %q", f.name, tt.accept, got, tt.want)
			}
			if got := h.Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("%s with %q: Content-Length %q for %d bytes", f.name, tt.accept, got, len(body))
			}
			if !bytes.Equal(decode(t, tt.want, body), raw) {
				t.Errorf("%s with %q: the body does not decode to the built file", f.name, tt.accept)
			}
			if got := h.Get("X-Raw-Size"); got != strconv.Itoa(len(raw)) {
				t.Errorf("%s: X-Raw-Size %q, want %d", f.name, got, len(raw))
			}
			if got := h.Get("Content-Type"); got != f.ctype {
				t.Errorf("%s: Content-Type %q, want %q", f.name, got, f.ctype)
			}
			if got := h.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", f.name, got)
			}
			if got := h.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("%s: Vary %q", f.name, got)
			}
			etag := h.Get("Etag")
			if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
				t.Errorf("%s: ETag %q is not strong", f.name, etag)
			}
			if prev, ok := etags[tt.want]; ok && prev != etag {
				t.Errorf("%s: encoding %q has ETags %s and %s", f.name, tt.want, prev, etag)
			}
			etags[tt.want] = etag
		}
		if len(etags) != 3 || etags["br"] == etags["gzip"] || etags["gzip"] == etags[""] || etags["br"] == etags[""] {
			t.Errorf("%s: ETags by encoding %v, want three different", f.name, etags)
		}

		resp := get(t, c, "GET", f.url, "Accept-Encoding", "br", "If-None-Match", etags["br"])
		if body := readBody(t, resp); resp.StatusCode != http.StatusNotModified || len(body) != 0 ||
			resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Etag") != etags["br"] {
			t.Errorf("%s revalidated: %d, %d bytes, encoding %q, ETag %q; want an empty 304",
				f.name, resp.StatusCode, len(body), resp.Header.Get("Content-Encoding"), resp.Header.Get("Etag"))
		}
		resp = get(t, c, "GET", f.url, "Accept-Encoding", "gzip", "If-None-Match", etags["br"])
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s with a brotli ETag but gzip accepted: %d %q, want 200 gzip", f.name, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}

		full := readBody(t, get(t, c, "GET", f.url, "Accept-Encoding", "br"))
		resp = get(t, c, "GET", f.url, "Accept-Encoding", "br", "Range", "bytes=0-99")
		if body := readBody(t, resp); resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "br" ||
			!bytes.Equal(body, full[:100]) || resp.Header.Get("Content-Range") != "bytes 0-99/"+strconv.Itoa(len(full)) {
			t.Errorf("%s range of the brotli body: %d %q %q, %d bytes", f.name, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Range"), len(body))
		}
		resp = get(t, c, "GET", f.url, "Accept-Encoding", "br", "Range", "bytes=0-9,20-29")
		if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") {
			t.Errorf("%s with two ranges: %d %q %q, want 206 multipart from the plain bytes", f.name, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
		}
		resp = get(t, c, "GET", f.url, "Accept-Encoding", "br", "Range", "bytes=999999999-")
		if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s with a range past the end: %d %q, want 416 without encoding", f.name, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		resp = get(t, c, "HEAD", f.url, "Accept-Encoding", "br")
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || len(body) != 0 ||
			resp.Header.Get("Content-Length") != strconv.Itoa(len(full)) || resp.Header.Get("Content-Encoding") != "br" {
			t.Errorf("%s HEAD: %d, %d bytes, Content-Length %q", f.name, resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
		}
	}
	if resp := get(t, c, "GET", "/app.000000000000.wasm"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another build's URL: %d, want 404", resp.StatusCode)
	}
}

func TestPage(t *testing.T) {
	c := built(t)
	b := c.state.Load().bundle

	resp := get(t, c, "GET", "/")
	page := string(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<meta name="client-wasm" content="` + b.wasmURL + `">`,
		`<meta name="client-wasm-exec" content="` + b.execURL + `">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">`,
		`<script src="/main.js" defer></script>`,
		`<link rel="stylesheet" href="/style.css">`,
		`<div id="sr" aria-live="polite" class="visually-hidden"></div>`,
		`<div id="sr-actions" class="visually-hidden"></div>`,
		`<noscript>`,
		`<title>Elämäni peli</title>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, m := range regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script in the page: %s", m[0])
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<style`),
		regexp.MustCompile(`(?i)\sstyle\s*=`),
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)javascript:`),
	} {
		if loc := bad.FindString(page); loc != "" {
			t.Errorf("the page has %q, which the Content-Security-Policy forbids", loc)
		}
	}

	for _, f := range []struct{ path, ctype, contains string }{
		{"/", "text/html; charset=utf-8", "Elämäni peli"},
		{"/main.js", "text/javascript; charset=utf-8", "X-Raw-Size"},
		{"/style.css", "text/css; charset=utf-8", ".visually-hidden"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
	} {
		resp := get(t, c, "GET", f.path, "Accept-Encoding", "gzip")
		body := decode(t, resp.Header.Get("Content-Encoding"), readBody(t, resp))
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != f.ctype || !strings.Contains(string(body), f.contains) {
			t.Errorf("%s: %d %q, want %q with %q", f.path, resp.StatusCode, h.Get("Content-Type"), f.ctype, f.contains)
		}
		if h.Get("Cache-Control") != "no-cache" || h.Get("Etag") == "" {
			t.Errorf("%s: Cache-Control %q, ETag %q; want no-cache with an ETag", f.path, h.Get("Cache-Control"), h.Get("Etag"))
		}
		resp = get(t, c, "GET", f.path, "Accept-Encoding", "gzip", "If-None-Match", h.Get("Etag"))
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s revalidated: %d, want 304", f.path, resp.StatusCode)
		}
	}

	resp = get(t, c, "POST", "/")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if resp := get(t, c, "GET", "/nothing-here"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing-here: %d", resp.StatusCode)
	}
}

func TestBuildFailure(t *testing.T) {
	mod := newModule(t)
	writeFile(t, mod, "client/main.go", "package main\n\nfunc main() { undefined() }\n")
	c, logs := start(t, Options{ModuleDir: mod})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := c.Wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Fatalf("Wait = %v, want the compiler's error", err)
	}
	select {
	case <-c.Ready():
		t.Error("Ready closed after a failed build")
	default:
	}
	s := getStatus(t, c)
	if s.Ready || s.Error == "" || strings.Contains(s.Error, "undefined") {
		t.Errorf("status = %+v; want not ready, with an error that keeps the compiler output to the log", s)
	}
	if !strings.Contains(logs.String(), "undefined") {
		t.Errorf("the log lacks the compiler's error:\n%s", logs)
	}
}

func TestStaleBuildsArePruned(t *testing.T) {
	cache := t.TempDir()
	now := time.Now()
	var fakes []string
	for i := range 4 {
		name := strings.Repeat(strconv.Itoa(i+1), 64)
		writeFile(t, cache, name+"/app.wasm", "\x00asm")
		age := now.Add(-time.Duration(4-i) * time.Hour) // the last is the newest
		if err := os.Chtimes(filepath.Join(cache, name), age, age); err != nil {
			t.Fatal(err)
		}
		fakes = append(fakes, name)
	}
	writeFile(t, cache, "tmp-dead/app.wasm", "half")
	writeFile(t, cache, "tmp-running/app.wasm", "half")
	old := now.Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(cache, "tmp-dead"), old, old); err != nil {
		t.Fatal(err)
	}
	writeFile(t, cache, "notes.txt", "not ours")

	c, _ := start(t, Options{ModuleDir: newModule(t), CacheDir: cache})
	wait(t, c)

	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	key := c.state.Load().bundle.key
	want := []string{key, key + lockExt, fakes[2], fakes[3], "notes.txt", "tmp-running"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("cache holds %v, want %v", got, want)
	}
}

func TestPrebuilt(t *testing.T) {
	src := built(t).state.Load().bundle.srcDir
	dir := t.TempDir()
	for _, name := range []string{wasmName, execName} {
		writeFile(t, dir, name, mustRead(t, filepath.Join(src, name)))
	}
	raw := mustRead(t, filepath.Join(dir, wasmName))

	for _, tt := range []struct {
		name  string
		cache func(t *testing.T) string
	}{
		{"cache", func(t *testing.T) string { return t.TempDir() }},
		{"unwritable cache", func(t *testing.T) string {
			blocker := filepath.Join(t.TempDir(), "file")
			writeFile(t, filepath.Dir(blocker), "file", "a file where a folder would go")
			return filepath.Join(blocker, "cache")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, logs := start(t, Options{Prebuilt: dir, ModuleDir: filepath.Join(dir, "no-module"), CacheDir: tt.cache(t)})
			wait(t, c)
			if n := c.builds.Load(); n != 0 {
				t.Errorf("a prebuilt client ran go build %d times", n)
			}
			if !strings.Contains(logs.String(), "client: serving prebuilt client") {
				t.Errorf("no log line for the prebuilt client:\n%s", logs)
			}
			url := c.state.Load().bundle.wasmURL
			for _, enc := range []string{"br", "gzip"} {
				resp := get(t, c, "GET", url, "Accept-Encoding", enc)
				if got := resp.Header.Get("Content-Encoding"); got != enc {
					t.Errorf("Content-Encoding %q, want %q", got, enc)
				}
				if string(decode(t, enc, readBody(t, resp))) != raw {
					t.Errorf("%s body does not decode to the prebuilt app.wasm", enc)
				}
			}
		})
	}

	t.Run("without wasm_exec.js", func(t *testing.T) {
		bare := t.TempDir()
		writeFile(t, bare, wasmName, raw)
		c, _ := start(t, Options{Prebuilt: bare})
		if err := c.Wait(context.Background()); err == nil || !strings.Contains(err.Error(), execName) {
			t.Errorf("Wait = %v, want an error naming %s", err, execName)
		}
	})
}

func TestModuleOfTheWorkingDirectory(t *testing.T) {
	c, _ := start(t, Options{Package: "./server/webclient/testdata/hello", BrotliQuality: -1})
	wait(t, c)
	b := c.state.Load().bundle
	if _, err := os.Stat(filepath.Join(b.srcDir, wasmName)); err != nil {
		t.Fatal(err)
	}
	if _, _, br := c.Sizes(); br != 0 {
		t.Errorf("brotli made with BrotliQuality -1")
	}
	if resp := get(t, c, "GET", b.wasmURL, "Accept-Encoding", "br, gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("without brotli: Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := New(context.Background(), Options{BrotliQuality: 12}); err == nil {
		t.Error("New accepted brotli quality 12")
	}
}
