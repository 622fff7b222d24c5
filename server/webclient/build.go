package webclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	wasmName = "app.wasm"
	execName = "wasm_exec.js"

	keep      = 3         // builds kept in the cache folder, the one in use included
	staleTemp = time.Hour // a temporary left longer than this belongs to a build that died
)

// buildFlags are go build's flags besides -o. VCS stamping is off so that
// the output depends on the key alone, and so that a checkout git refuses to
// read (say, owned by another user) still builds.
var buildFlags = []string{"-trimpath", "-buildvcs=false", "-gcflags=all=-l", "-ldflags=-s -w"}

// keyedDirs are the module's folders whose files go into the build key:
// everything the client compiles or embeds.
var keyedDirs = []string{"client", "shared", "assets"}

// wasmMagic starts every WebAssembly module; a cached app.wasm without it
// is broken.
var wasmMagic = []byte("\x00asm")

// toolchain is what the go command reports about itself; it decides the
// build as much as the source does.
type toolchain struct {
	version    string // GOVERSION
	root       string // GOROOT, where wasm_exec.js is
	flags      string // GOFLAGS
	experiment string // GOEXPERIMENT
}

// bundle is one build ready to serve.
type bundle struct {
	key              string // hex SHA-256 of the build's inputs
	wasmURL, execURL string
	wasm, exec       *asset
	srcDir, encDir   string // where the files are, where their compressed copies go
}

// prepare finds or makes the build to serve, compressed with gzip, and with
// brotli too if an earlier run left that.
func (c *Client) prepare(ctx context.Context) (*bundle, error) {
	if c.o.Prebuilt != "" {
		key, err := prebuiltKey(c.o.Prebuilt)
		if err != nil {
			return nil, err
		}
		encDir := filepath.Join(c.o.CacheDir, key)
		if err := os.MkdirAll(encDir, 0o755); err != nil {
			c.log.Warn().Err(err).Msg("client: cache folder not writable; compressing in memory")
		} else {
			touch(encDir)
		}
		c.log.Info().Str("key", key[:12]).Msg("client: serving prebuilt client")
		return c.load(ctx, key, c.o.Prebuilt, encDir)
	}

	modDir, err := c.moduleDir(ctx)
	if err != nil {
		return nil, err
	}
	tc, err := goEnv(ctx, modDir)
	if err != nil {
		return nil, err
	}
	key, err := cacheKey(modDir, tc, c.o.Package)
	if err != nil {
		return nil, err
	}
	entry := filepath.Join(c.o.CacheDir, key)
	if err := c.findOrBuild(ctx, modDir, tc, key, entry); err != nil {
		return nil, err
	}
	return c.load(ctx, key, entry, entry)
}

// findOrBuild makes sure entry holds a complete build of key: one already
// there, one another process makes meanwhile (it holds the key's lock), or
// one built now.
func (c *Client) findOrBuild(ctx context.Context, modDir string, tc toolchain, key, entry string) error {
	if complete(entry) {
		c.log.Info().Str("key", key[:12]).Msg("client: using cached build")
		touch(entry)
		return nil
	}
	if err := os.MkdirAll(c.o.CacheDir, 0o755); err != nil {
		return fmt.Errorf("client cache: %w", err)
	}
	unlock, err := c.lockKey(ctx, key, "build")
	if err != nil {
		return err
	}
	defer unlock()
	if complete(entry) {
		c.log.Info().Str("key", key[:12]).Msg("client: using the build another process made")
		touch(entry)
		return nil
	}
	c.log.Info().Str("key", key[:12]).Msg("client: building WebAssembly client (first start takes about a minute)")
	start := time.Now()
	if err := c.build(ctx, modDir, tc, entry); err != nil {
		return err
	}
	c.log.Info().Str("took", time.Since(start).Round(time.Millisecond).String()).Msg("client: built")
	return nil
}

// moduleDir is the module root to build in.
func (c *Client) moduleDir(ctx context.Context) (string, error) {
	if c.o.ModuleDir != "" {
		return c.o.ModuleDir, nil
	}
	out, err := goCommand(ctx, "", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module with go env GOMOD (without Go, serve a prebuilt client): %w%s", err, stderrOf(err))
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the game's module: start the server from its source folder, or serve a prebuilt client")
	}
	return filepath.Dir(mod), nil
}

// goEnv asks the go command that will build the client about itself.
func goEnv(ctx context.Context, modDir string) (toolchain, error) {
	out, err := goCommand(ctx, modDir, "env", "GOVERSION", "GOROOT", "GOFLAGS", "GOEXPERIMENT").Output()
	if err != nil {
		return toolchain{}, fmt.Errorf("go env: %w%s", err, stderrOf(err))
	}
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\n")
	if len(lines) < 4 {
		lines = append(lines, make([]string, 4-len(lines))...)
	}
	tc := toolchain{
		version:    strings.TrimSpace(lines[0]),
		root:       strings.TrimSpace(lines[1]),
		flags:      strings.TrimSpace(lines[2]),
		experiment: strings.TrimSpace(lines[3]),
	}
	if tc.version == "" || tc.root == "" {
		return toolchain{}, fmt.Errorf("go env: unexpected output %q", out)
	}
	return tc, nil
}

// cacheKey hashes everything the build depends on: the toolchain, the target,
// the package and flags, go.mod, go.sum and every file under keyedDirs but
// tests. The same tree gives the same key; any change gives a new one.
func cacheKey(modDir string, tc toolchain, pkg string) (string, error) {
	h := sha256.New()
	field := func(name string, value []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(value))
		h.Write(value)
	}
	field("goversion", []byte(tc.version))
	field("goflags", []byte(tc.flags))
	field("goexperiment", []byte(tc.experiment))
	field("target", []byte("js/wasm"))
	field("package", []byte(pkg))
	field("buildflags", []byte(strings.Join(buildFlags, "\x00")))
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(modDir, name))
		if err != nil && !(name == "go.sum" && errors.Is(err, fs.ErrNotExist)) {
			return "", fmt.Errorf("build key: %w", err)
		}
		field(name, data)
	}
	for _, dir := range keyedDirs {
		root := filepath.Join(modDir, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == root && errors.Is(err, fs.ErrNotExist) {
					return nil // a module may lack a folder
				}
				return err
			}
			if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), "_test.go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(modDir, path)
			if err != nil {
				return err
			}
			field("file "+filepath.ToSlash(rel), data)
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("build key: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// prebuiltKey names a prebuilt client by its contents.
func prebuiltKey(dir string) (string, error) {
	var files []io.Reader
	for _, name := range []string{wasmName, execName} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("prebuilt client (want %s and the %s of the Go that built it): %w", wasmName, execName, err)
		}
		defer f.Close()
		files = append(files, f)
	}
	key, err := hashFiles(files...)
	if err != nil {
		return "", fmt.Errorf("prebuilt client: %w", err)
	}
	return key, nil
}

// hashFiles hashes a client's app.wasm and wasm_exec.js, in that order.
func hashFiles(files ...io.Reader) (string, error) {
	h := sha256.New()
	h.Write([]byte("prebuilt\n"))
	for _, f := range files {
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// build runs go build into a temporary folder, adds wasm_exec.js and the
// gzip copies, and renames the folder to entry: a build that dies halfway
// leaves only a temporary that prune removes later.
func (c *Client) build(ctx context.Context, modDir string, tc toolchain, entry string) error {
	if err := os.RemoveAll(entry); err != nil { // what is there is incomplete
		return fmt.Errorf("client cache: %w", err)
	}
	if err := os.MkdirAll(c.o.CacheDir, 0o755); err != nil {
		return fmt.Errorf("client cache: %w", err)
	}
	tmp, err := os.MkdirTemp(c.o.CacheDir, "tmp-")
	if err != nil {
		return fmt.Errorf("client cache: %w", err)
	}
	defer os.RemoveAll(tmp) // nothing left to remove after the rename

	c.builds.Add(1)
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", filepath.Join(tmp, wasmName), c.o.Package)
	cmd := goCommand(ctx, modDir, args...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("go build %s: %w\n%s", c.o.Package, err, tail(out, 4096))
	}
	js, err := os.ReadFile(filepath.Join(tc.root, "lib", "wasm", execName))
	if err != nil {
		return fmt.Errorf("wasm_exec.js of %s: %w", tc.version, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, execName), js, 0o644); err != nil {
		return fmt.Errorf("client cache: %w", err)
	}
	for _, name := range []string{wasmName, execName} {
		src := filepath.Join(tmp, name)
		err := writeAtomic(src+encExt[encGzip], func(w io.Writer) error {
			return compressFile(ctx, w, src, encGzip, 0)
		})
		if err != nil {
			return fmt.Errorf("gzip %s: %w", name, err)
		}
	}
	if err := os.Rename(tmp, entry); err != nil {
		if complete(entry) {
			return nil // another server built the same tree at the same time
		}
		return fmt.Errorf("client cache: %w", err)
	}
	return nil
}

// complete reports whether dir holds a usable build.
func complete(dir string) bool {
	f, err := os.Open(filepath.Join(dir, wasmName))
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(wasmMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, wasmMagic) {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, execName))
	return err == nil
}

// load opens a build's files for serving, with their gzip copies (made now
// if missing) and brotli copies (if there already).
func (c *Client) load(ctx context.Context, key, srcDir, encDir string) (*bundle, error) {
	b := &bundle{
		key:     key,
		wasmURL: "/app." + key[:12] + ".wasm",
		execURL: "/wasm_exec." + key[:12] + ".js",
		srcDir:  srcDir,
		encDir:  encDir,
	}
	var err error
	if b.wasm, err = c.loadAsset(ctx, b, wasmName, "application/wasm"); err != nil {
		return nil, err
	}
	if b.exec, err = c.loadAsset(ctx, b, execName, "text/javascript; charset=utf-8"); err != nil {
		return nil, err
	}
	return b, nil
}

func (c *Client) loadAsset(ctx context.Context, b *bundle, name, ctype string) (*asset, error) {
	src := filepath.Join(b.srcDir, name)
	raw, err := c.openRep(src)
	if err != nil {
		return nil, err
	}
	if name == wasmName && !raw.hasPrefix(wasmMagic) {
		return nil, fmt.Errorf("%s is not WebAssembly", src)
	}
	a := &asset{ctype: ctype, immutable: true}
	a.reps[encIdentity] = raw
	if a.reps[encGzip], err = c.encoded(ctx, src, filepath.Join(b.encDir, name), encGzip); err != nil {
		return nil, err
	}
	if c.o.BrotliQuality > 0 {
		// Whatever quality made it: it is as correct as a new one.
		a.reps[encBrotli], _ = c.openRep(filepath.Join(b.encDir, name+encExt[encBrotli]))
	}
	return a, nil
}

// addBrotli returns b with brotli copies of its files, made now where an
// earlier run did not leave them.
func (c *Client) addBrotli(ctx context.Context, b *bundle) (*bundle, error) {
	if b.wasm.reps[encBrotli] != nil && b.exec.reps[encBrotli] != nil {
		return b, nil
	}
	// Another process may be making the same copies: wait for it, and
	// encoded then finds them.
	unlock, err := c.lockKey(ctx, b.key, "brotli compression")
	if err != nil {
		return nil, err
	}
	defer unlock()
	start := time.Now()
	nb := *b
	for _, a := range []struct {
		name string
		to   **asset
	}{{wasmName, &nb.wasm}, {execName, &nb.exec}} {
		r, err := c.encoded(ctx, filepath.Join(b.srcDir, a.name), filepath.Join(b.encDir, a.name), encBrotli)
		if err != nil {
			return nil, err
		}
		*a.to = (*a.to).with(encBrotli, r)
	}
	c.log.Info().
		Int("quality", c.o.BrotliQuality).
		Int64("raw", nb.wasm.size(encIdentity)).
		Int64("gzip", nb.wasm.size(encGzip)).
		Int64("brotli", nb.wasm.size(encBrotli)).
		Str("took", time.Since(start).Round(time.Millisecond).String()).
		Msg("client: brotli ready")
	return &nb, nil
}

// prune keeps the keep newest builds, current included, and removes what
// dead builds left behind.
func (c *Client) prune(current string) {
	entries, err := os.ReadDir(c.o.CacheDir)
	if err != nil {
		return
	}
	type build struct {
		name string
		mod  time.Time
	}
	var builds []build
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		if !e.IsDir() {
			// The lock of a build that is gone (pruned by another
			// server, or failed).
			key, isLock := strings.CutSuffix(e.Name(), lockExt)
			if isLock && isKey(key) && key != current && time.Since(info.ModTime()) > staleTemp && !exists(filepath.Join(c.o.CacheDir, key)) {
				os.Remove(filepath.Join(c.o.CacheDir, e.Name()))
			}
			continue
		}
		switch {
		case e.Name() == current:
			removeStaleTemps(filepath.Join(c.o.CacheDir, e.Name()))
		case isKey(e.Name()):
			builds = append(builds, build{e.Name(), info.ModTime()})
		case strings.HasPrefix(e.Name(), "tmp-") && time.Since(info.ModTime()) > staleTemp:
			os.RemoveAll(filepath.Join(c.o.CacheDir, e.Name()))
		}
	}
	slices.SortFunc(builds, func(a, b build) int { return b.mod.Compare(a.mod) })
	for i, b := range builds {
		if i < keep-1 {
			continue
		}
		if err := os.RemoveAll(filepath.Join(c.o.CacheDir, b.name)); err != nil {
			c.log.Warn().Err(err).Str("key", b.name[:12]).Msg("client: cannot remove an old build")
			continue
		}
		os.Remove(filepath.Join(c.o.CacheDir, b.name+lockExt))
		c.log.Debug().Str("key", b.name[:12]).Msg("client: removed an old build")
	}
}

// removeStaleTemps removes the temporaries of compressions that died.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.Contains(e.Name(), ".tmp-") && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func isKey(name string) bool {
	if len(name) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// touch marks a build as just used, for prune.
func touch(dir string) {
	now := time.Now()
	os.Chtimes(dir, now, now)
}

func goCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// stderrOf returns what a failed command said, to add to its error.
func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return ": " + strings.TrimSpace(string(tail(ee.Stderr, 1024)))
	}
	return ""
}

// tail keeps the last n bytes of a command's output.
func tail(out []byte, n int) []byte {
	if len(out) <= n {
		return out
	}
	return append([]byte("…"), out[len(out)-n:]...)
}
