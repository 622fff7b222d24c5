package webclient

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestReleaseClient writes a built client as a release build embeds it, and
// serves it from there: ready when New returns, with nothing built or
// compressed, brotli and gzip at once, at URLs named by the files' contents.
func TestReleaseClient(t *testing.T) {
	c := built(t)
	dir := filepath.Join(t.TempDir(), ReleaseDir)
	writeFile(t, dir, "app.000000000000.wasm", "an earlier release's file")
	hash, err := c.WriteRelease(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "app.000000000000.wasm")); err == nil {
		t.Error("WriteRelease left an earlier release's file in the folder")
	}
	src := c.state.Load().bundle.srcDir
	if want, _ := prebuiltKey(src); hash != want {
		t.Errorf("release hash %s, want %s, the hash of the files as a prebuilt client", hash, want)
	}

	// What the release tag does, with the folder on disk.
	embedded = os.DirFS(dir)
	defer func() { embedded = nil }()
	r, err := New(context.Background(), Options{Log: zerolog.New(zerolog.NewTestWriter(t)), ModuleDir: filepath.Join(dir, "no-module")})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	select {
	case <-r.Ready():
	default:
		t.Fatal("a release client is not ready when New returns")
	}
	if err := r.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.builds.Load() != 0 || r.brotlis.Load() != 0 {
		t.Errorf("a release client ran go build %d times and brotli %d times", r.builds.Load(), r.brotlis.Load())
	}
	if r.Hash() != hash || EmbeddedHash() != hash {
		t.Errorf("Hash %q, EmbeddedHash %q, want %q", r.Hash(), EmbeddedHash(), hash)
	}
	s := getStatus(t, r)
	if !s.Ready || s.Wasm != "/app."+hash[:12]+".wasm" || s.WasmExec != "/wasm_exec."+hash[:12]+".js" {
		t.Errorf("status = %+v, want the URLs named by %s", s, hash[:12])
	}
	if page := string(readBody(t, get(t, r, "GET", "/"))); !strings.Contains(page, `<meta name="client-wasm" content="`+s.Wasm+`">`) {
		t.Errorf("the page does not load %s:\n%s", s.Wasm, page)
	}
	for _, f := range []struct{ url, name string }{{s.Wasm, wasmName}, {s.WasmExec, execName}} {
		raw := mustRead(t, filepath.Join(src, f.name))
		for _, enc := range []string{"br", "gzip", ""} {
			resp := get(t, r, "GET", f.url, "Accept-Encoding", enc)
			body := readBody(t, resp)
			if got := resp.Header.Get("Content-Encoding"); got != enc {
				t.Errorf("%s with %q: Content-Encoding %q", f.name, enc, got)
			}
			if string(decode(t, enc, body)) != raw {
				t.Errorf("%s with %q: the body does not decode to the built file", f.name, enc)
			}
			if got, want := resp.Header.Get("Etag"), etagOf(sha256.Sum256(body)); got != want {
				t.Errorf("%s with %q: ETag %s, want %s, the hash of the body", f.name, enc, got, want)
			}
		}
	}

	t.Run("with -client-prebuilt", func(t *testing.T) {
		p, _ := start(t, Options{Prebuilt: src})
		wait(t, p)
		if p.Hash() != hash || p.state.Load().bundle.srcDir != src {
			t.Error("a prebuilt client given to a release server is not the one served")
		}
	})
}

// TestBrokenRelease: a release folder that does not match its manifest
// stops the server at start, saying why, instead of serving a broken page.
func TestBrokenRelease(t *testing.T) {
	good := filepath.Join(t.TempDir(), ReleaseDir)
	if _, err := built(t).WriteRelease(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(good, manifestName))), &m); err != nil {
		t.Fatal(err)
	}
	wasm := m.Files[0].Encodings[0].File
	for _, tt := range []struct {
		name, want string
		spoil      func(t *testing.T, dir string)
	}{
		{"no manifest", manifestName, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, manifestName)) }},
		{"a file missing", wasm, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, wasm)) }},
		{"a file cut short", wasm, func(t *testing.T, dir string) { os.Truncate(filepath.Join(dir, wasm), 10) }},
		{"not WebAssembly", "not WebAssembly", func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, wasm), os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteAt([]byte("nope"), 0)
			f.Close()
		}},
		{"not a manifest", manifestName, func(t *testing.T, dir string) { writeFile(t, dir, manifestName, `{"hash": "x"}`) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, good, dir)
			tt.spoil(t, dir)
			if _, err := newEmbedded(Options{Log: zerolog.Nop()}, os.DirFS(dir)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newEmbedded = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
