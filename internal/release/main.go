// Command release builds what a deployment needs, from the game's module:
//
//	go run ./internal/release                      # into dist/
//	go run ./internal/release -version v1.2.0      # name the release
//	go run ./internal/release -server-only -o out  # the server alone (the Dockerfile's build)
//
// It compiles the browser client to WebAssembly, compresses it with brotli
// and gzip, and writes it for the server to embed (server/webclient/release,
// never committed); then it builds the server with the build tag release,
// which serves that client the moment it starts, with no Go toolchain, cache
// folder or network: one static file to deploy. Unless -server-only, it also
// builds the desktop client for Linux, Windows and macOS. The client is
// built through the same cache as `go run ./server` (and the tests), so a
// tree whose client was built before is not linked again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/webclient"
)

// desktops are the desktop clients a release carries, by GOOS/GOARCH, and
// their file names. They need no C compiler (Ebiten loads the system's
// libraries at run time).
var desktops = []struct{ goos, goarch, name string }{
	{"linux", "amd64", "elamanipeli-linux-amd64"},
	{"windows", "amd64", "elamanipeli-windows-amd64.exe"},
	{"darwin", "arm64", "elamanipeli-macos-arm64"},
}

// serverName is the release server's file name in the output folder.
const serverName = "elamanipeli-server"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

type config struct {
	out        string
	version    string
	commit     string
	serverOnly bool
	cache      string
}

// safe is what a version or commit may hold: it goes into -ldflags.
var safe = regexp.MustCompile(`^[A-Za-z0-9._+-]*$`)

func run(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.out, "o", "dist", "the `folder` to write the server (and the desktop clients) into")
	fs.StringVar(&cfg.version, "version", "", "the release's `name` (default: git describe, or dev)")
	fs.StringVar(&cfg.commit, "commit", "", "the `commit` built (default: git rev-parse HEAD, when git can tell)")
	fs.BoolVar(&cfg.serverOnly, "server-only", false, "build the server alone, without the desktop clients")
	fs.StringVar(&cfg.cache, "client-cache", "", "the `folder` of the browser client's build cache (default: the user's cache folder, as for the server)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: stderr, TimeFormat: time.TimeOnly}).With().Timestamp().Logger()

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if cfg.version == "" {
		cfg.version = gitOutput(ctx, root, "describe", "--tags", "--always", "--dirty")
		if cfg.version == "" {
			cfg.version = "dev"
		}
	}
	if cfg.commit == "" {
		cfg.commit = gitOutput(ctx, root, "rev-parse", "HEAD")
	}
	if !safe.MatchString(cfg.version) || !safe.MatchString(cfg.commit) {
		return fmt.Errorf("-version %q and -commit %q may hold letters, digits and . _ + - only", cfg.version, cfg.commit)
	}
	out, err := filepath.Abs(cfg.out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	began := time.Now()
	hash, err := embedClient(ctx, root, cfg.cache, log)
	if err != nil {
		return err
	}
	log.Info().Str("client", hash[:12]).Str("took", time.Since(began).Round(time.Millisecond).String()).Msg("browser client compiled and compressed")

	server := filepath.Join(out, serverName+exeSuffix())
	ldflags := "-s -w -X main.version=" + cfg.version + " -X main.commit=" + cfg.commit
	if err := goBuild(ctx, root, "", "", server, "./server", "-tags=release", "-ldflags="+ldflags); err != nil {
		return err
	}
	// The server says what it carries: a check that the client went in.
	said, err := exec.CommandContext(ctx, server, "-version").Output()
	if err != nil {
		return fmt.Errorf("%s -version: %w", server, err)
	}
	if !strings.Contains(string(said), hash) {
		return fmt.Errorf("the server built does not carry client %s; it says:\n%s", hash[:12], said)
	}
	log.Info().Str("file", server).Msg("server built")

	if !cfg.serverOnly {
		for _, d := range desktops {
			bin := filepath.Join(out, d.name)
			if err := goBuild(ctx, root, d.goos, d.goarch, bin, "./client", "-ldflags=-s -w"); err != nil {
				return err
			}
			log.Info().Str("file", bin).Msg("desktop client built")
		}
	}
	fmt.Fprintf(stderr, "%s", said)
	return nil
}

// embedClient builds the browser client (or finds it in the cache), with
// its gzip and brotli copies, and writes it where the release build embeds
// it. It returns the client's hash.
func embedClient(ctx context.Context, root, cache string, log zerolog.Logger) (string, error) {
	c, err := webclient.New(ctx, webclient.Options{Log: log, ModuleDir: root, CacheDir: cache})
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.WriteRelease(ctx, filepath.Join(root, "server", "webclient", webclient.ReleaseDir))
}

// goBuild builds pkg into bin for goos/goarch (empty: this machine's),
// statically (no cgo), with paths trimmed and no VCS stamping (the commit is
// given), so that the same tree and toolchain give the same file.
func goBuild(ctx context.Context, root, goos, goarch, bin, pkg string, flags ...string) error {
	args := append([]string{"build", "-trimpath", "-buildvcs=false"}, flags...)
	args = append(args, "-o", bin, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos, "GOARCH="+goarch)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// moduleRoot is the folder of the game's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run this inside the game's source folder")
	}
	return filepath.Dir(mod), nil
}

// gitOutput is what git says, or nothing when there is no git or no
// repository (a container's build has neither).
func gitOutput(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
