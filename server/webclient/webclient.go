// Package webclient serves the game page and the Ebiten client compiled to
// WebAssembly.
//
// The server builds the client itself, so that `go run ./server` on a fresh
// clone gives a playable page and no build output is ever committed. New
// starts `go build` for GOOS=js GOARCH=wasm in the background and returns at
// once; until the build is done the page says the game is being prepared and
// polls /client/status. Builds are cached on disk under a key hashed from the
// Go version and the client's inputs (go.mod, go.sum, client/, shared/,
// assets/), so a later start with the same tree serves the cached build at
// once. Each build is compressed once, gzip right away and brotli in the
// background, and never per request. Servers and test binaries sharing a
// cache folder take a lock per key, so that one builds and the others wait.
//
// The page (index.html, main.js, style.css) keeps to the site's
// Content-Security-Policy: no inline script or style. The wasm and
// wasm_exec.js carry the build key in their URLs and are cached by browsers
// for a year; the page itself is revalidated on every visit.
//
// A release build (`go run ./internal/release`, the build tag release)
// carries the client inside the binary, compiled and compressed when the
// release was built, and serves it the moment it starts, with no Go, cache
// folder or network (release.go). A deployment without Go can also set
// Options.Prebuilt to a folder holding app.wasm and the wasm_exec.js of the
// toolchain that built it (a folder of the build cache is one).
package webclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"
)

// DefaultPackage is the client's main package, relative to the module root.
const DefaultPackage = "./client"

// DefaultBrotliQuality is the brotli quality used for the precompressed
// client. Measured on the game's 22.2 MB app.wasm (2 cores, gzip -9 gives
// 5.18 MB): quality 9 gives 4.19 MB in 4 s, 10 gives 3.86 MB in 34 s, 11 gives
// 3.71 MB in 87 s, 10 and 11 using about 250 MB of memory meanwhile. It runs
// once per build, in the background while gzip is served; 10 keeps most of
// 11's gain at under half its time.
const DefaultBrotliQuality = 10

// Options configure a Client. The zero value builds ./client of the module
// found in the working directory into the user's cache folder.
type Options struct {
	Log zerolog.Logger

	// ModuleDir is the game's module root. Empty: the folder of the go.mod
	// that `go env GOMOD` reports for the working directory.
	ModuleDir string
	// Package is the client's main package, relative to ModuleDir.
	// Empty: DefaultPackage.
	Package string
	// CacheDir holds the builds, one subfolder per build key. Empty:
	// DefaultCacheDir().
	CacheDir string
	// Prebuilt is a folder holding an already built app.wasm and the
	// wasm_exec.js of the Go toolchain that built it. When set nothing is
	// built and Go need not be installed; the compressed copies still go
	// to CacheDir (or stay in memory if it cannot be written).
	Prebuilt string
	// BrotliQuality is the brotli quality, 1 to 11. Zero:
	// DefaultBrotliQuality. Negative: no brotli, only gzip.
	BrotliQuality int

	// After, when set, holds the background work (checking the cache,
	// building) until it is closed: the server lets its own start go
	// first. Tests use it to look at a client that is not ready yet.
	After <-chan struct{}
}

// DefaultCacheDir is where builds go unless Options.CacheDir says otherwise:
// elamanipeli/client under the user's cache folder, or under the system's
// temporary folder when the user has none.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "elamanipeli", "client")
}

// Client serves the game page and the client it loads. Its ServeHTTP is
// meant for the pattern "/" of a ServeMux.
type Client struct {
	o      Options
	log    zerolog.Logger
	state  atomic.Pointer[state]
	ready  chan struct{} // closed once the client can be served
	done   chan struct{} // closed once the background work has ended
	err    error         // why the client cannot be served; read after done
	cancel context.CancelFunc

	builds  atomic.Int32 // how many times go build ran, for tests
	brotlis atomic.Int32 // how many brotli files it made, for tests

	mu      sync.Mutex
	closers []io.Closer // files held open for serving
}

// New starts preparing the client in the background and returns at once: the
// page is served from the start and tells the browser to wait. Cancelling ctx
// stops the build.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.Package == "" {
		o.Package = DefaultPackage
	}
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	switch {
	case o.BrotliQuality == 0:
		o.BrotliQuality = DefaultBrotliQuality
	case o.BrotliQuality > 11:
		return nil, fmt.Errorf("webclient: brotli quality %d: want 1 to 11", o.BrotliQuality)
	}
	if embedded != nil && o.Prebuilt == "" {
		return newEmbedded(o, embedded)
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &Client{
		o:      o,
		log:    o.Log,
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
		cancel: cancel,
	}
	c.state.Store(newState(nil, ""))
	go c.run(ctx)
	return c, nil
}

// Ready is closed once the client can be served. It stays open if the client
// cannot be built; Wait tells why.
func (c *Client) Ready() <-chan struct{} { return c.ready }

// Wait waits until all background work has ended, brotli included, and
// returns the reason the client cannot be served, if any.
func (c *Client) Wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sizes reports the bytes of app.wasm as built, gzipped and brotli-compressed;
// zero for what is not ready yet.
func (c *Client) Sizes() (raw, gz, br int64) {
	b := c.state.Load().bundle
	if b == nil {
		return 0, 0, 0
	}
	return b.wasm.size(encIdentity), b.wasm.size(encGzip), b.wasm.size(encBrotli)
}

// Close stops the background work and releases the files being served. Call
// it after the HTTP server has stopped.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, f := range c.closers {
		errs = append(errs, f.Close())
	}
	c.closers = nil
	return errors.Join(errs...)
}

// hold keeps f open for serving until Close.
func (c *Client) hold(f io.Closer) {
	c.mu.Lock()
	c.closers = append(c.closers, f)
	c.mu.Unlock()
}

// status is the JSON of /client/status.
type status struct {
	Ready    bool   `json:"ready"`
	Error    string `json:"error"`
	Wasm     string `json:"wasm,omitempty"`
	WasmExec string `json:"wasmExec,omitempty"`
}

// ServeHTTP serves the page, its script and style, the hashed client files
// and /client/status.
func (c *Client) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st := c.state.Load()
	if r.URL.Path == "/client/status" {
		s := status{Ready: st.bundle != nil, Error: st.err}
		if st.bundle != nil {
			s.Wasm, s.WasmExec = st.bundle.wasmURL, st.bundle.execURL
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(s)
		return
	}
	a := st.files[r.URL.Path]
	if a == nil {
		// Not cached: a hashed URL may appear once the build is done.
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	a.serve(w, r)
}

// state is what the client serves at one moment; it is replaced whole, never
// changed.
type state struct {
	bundle *bundle           // nil until ready
	err    string            // why it will not be ready
	files  map[string]*asset // by URL path
}

// newState puts together what to serve: the page, rendered for b (nil while
// not ready), and b's files.
func newState(b *bundle, errText string) *state {
	st := &state{bundle: b, err: errText, files: map[string]*asset{"/": renderIndex(b)}}
	for path, a := range staticFiles() {
		st.files[path] = a
	}
	if b != nil {
		st.files[b.wasmURL] = b.wasm
		st.files[b.execURL] = b.exec
		st.files["/sw.js"] = renderWorker(b, st.files["/"])
	}
	return st
}

// publish starts serving b.
func (c *Client) publish(b *bundle) {
	c.state.Store(newState(b, ""))
}

// fail records why the client cannot be served; the page shows that it
// could not be prepared.
func (c *Client) fail(ctx context.Context, err error) {
	c.err = err
	if ctx.Err() != nil {
		return // shutting down: nothing to report
	}
	c.log.Error().Err(err).Msg("client: cannot serve the WebAssembly client")
	c.state.Store(newState(nil, "the client could not be prepared; see the server log"))
}

// run prepares the client, serves it, prunes the cache and then adds brotli.
func (c *Client) run(ctx context.Context) {
	defer close(c.done)
	if c.o.After != nil {
		select {
		case <-c.o.After:
		case <-ctx.Done():
			c.err = ctx.Err()
			return
		}
	}
	b, err := c.prepare(ctx)
	if err != nil {
		c.fail(ctx, fmt.Errorf("webclient: %w", err))
		return
	}
	c.publish(b)
	close(c.ready)
	c.prune(b.key)
	if c.o.BrotliQuality < 0 {
		return
	}
	nb, err := c.addBrotli(ctx, b)
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn().Err(err).Msg("client: brotli failed; serving gzip")
		}
		return
	}
	c.publish(nb)
}
