package webclient

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestRealClient builds the game's own ./client, as `go run ./server` would,
// and reports how big it is to download. It builds into the user's cache
// folder, where `go run ./server`, the browser tests and the release build
// find it: the client is linked once per tree, however many test binaries
// want it at once (they wait for one another's build). A cold build takes
// minutes: -short skips it.
func TestRealClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real client; skipped with -short")
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	if !hasGoFiles(filepath.Join(root, "client")) {
		t.Skip("./client does not exist yet: no Go files in client/ (the client package is being written)")
	}

	begin := time.Now()
	c, err := New(context.Background(), Options{
		Log:       zerolog.New(zerolog.NewTestWriter(t)),
		ModuleDir: root,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	select {
	case <-c.Ready():
	case <-ctx.Done():
	}
	ready := time.Since(begin)
	if err := c.Wait(ctx); err != nil {
		t.Skipf("./client does not build yet: %v", err)
	}
	raw, gz, br := c.Sizes()
	t.Logf("app.wasm: raw %d bytes (%.1f MB), gzip %d (%.1f%%), brotli q%d %d (%.1f%%)",
		raw, float64(raw)/1e6, gz, 100*float64(gz)/float64(raw), DefaultBrotliQuality, br, 100*float64(br)/float64(raw))
	t.Logf("built (or found in the cache) and gzipped in %v, go build ran %d times; brotli done %v later",
		ready.Round(time.Millisecond), c.builds.Load(), (time.Since(begin) - ready).Round(time.Millisecond))
	if raw == 0 || gz == 0 || br == 0 {
		t.Errorf("Sizes = %d, %d, %d; want all three", raw, gz, br)
	}
}

// hasGoFiles reports whether dir holds Go source besides tests.
func hasGoFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}
