// Command server runs Elämäni peli online: the game page, the client it
// loads and the WebSocket rooms, on one port.
//
//	go run ./server                     # http://localhost:8080
//	go run ./server -addr :9000
//	go run ./server -check-deck my.yaml # check a deck file and exit (-lang sv: in Swedish)
//	go run ./server -data /var/lib/elamanipeli # where rooms are kept across restarts
//	go run ./server -metrics 127.0.0.1:9100     # /metrics on its own port
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/cluster"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/server/metrics"
	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/site"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/server/webclient"
	"github.com/pore/elamanipeli/server/workshop"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

type config struct {
	addr       string
	checkDeck  string
	lang       string
	decks      string
	origins    string
	publicURL  string
	tlsCert    string
	tlsKey     string
	window     time.Duration
	trustProxy bool
	logLevel   string
	pretty     bool
	clientDir  string
	prebuilt   string
	dataDir    string
	natsURL    string
	keyFile    string
	nodeName   string
	cluster    string
	routes     string
	actedLog   string
	noClient   bool
	metrics    string
	debugAddr  string
	memory     memorySetting
	version    bool
	health     bool
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := ":8080"
	if p := getenv("PORT"); p != "" {
		addr = ":" + p
	}
	fs.StringVar(&c.addr, "addr", addr, "listen on `host:port` ($PORT sets the port)")
	fs.StringVar(&c.checkDeck, "check-deck", "", "check the deck `file` (YAML or CSV), print its problems and exit")
	fs.StringVar(&c.lang, "lang", "", "the `language` (fi, sv or en) -check-deck speaks; default: the environment's ($LANG), or Finnish")
	fs.StringVar(&c.decks, "decks", "", "a `folder` of extra decks (and help services) to offer besides the bundled ones")
	fs.StringVar(&c.publicURL, "public-url", getenv("PUBLIC_URL"), "the `URL` people open the game at, e.g. https://peli.example.org ($PUBLIC_URL): needed when it is a name, not an IP address or localhost")
	fs.StringVar(&c.origins, "origin", "", "comma-separated `hosts` whose pages may open the game's WebSocket besides -public-url's (e.g. game.example.org,*.school.example)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the certificate's key `file` (PEM)")
	fs.DurationVar(&c.window, "window", 10*time.Minute, "how long a seat waits for a client that went away")
	fs.StringVar(&c.dataDir, "data", store.DefaultDir(), "`folder` where rooms are kept while they last, so they survive a restart")
	fs.StringVar(&c.keyFile, "key-file", "", "`file` with the key that seals the rooms' keys, made on the first start (default: beside the -data folder, its name with .key); keep it out of backups of the data folder")
	fs.StringVar(&c.natsURL, "nats", "", "keep rooms in this NATS `URL` (JetStream; several, comma-separated) instead of the built-in NATS in -data")
	fs.StringVar(&c.nodeName, "node", "", "this server's `name` among the servers of a service (default: the host's name; alone: elamanipeli)")
	fs.StringVar(&c.cluster, "cluster", "", "listen on `host:port` for the other servers of the service (their -routes): several servers as one")
	fs.StringVar(&c.actedLog, "acted-log", "", "for tests only: append every client action the rooms evaluate, each one the store has kept, and each seat's last action when a room comes back, to `file` (with room codes)")
	fs.StringVar(&c.routes, "routes", "", "the other servers' -cluster addresses, comma-separated (`nats://10.0.0.2:6222,...`)")
	fs.BoolVar(&c.trustProxy, "trust-proxy", false, "count wrong room codes by the address your reverse proxy puts last in X-Forwarded-For (only when nothing else can reach the server)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&c.pretty, "log-pretty", false, "human-readable logs instead of JSON")
	fs.StringVar(&c.clientDir, "client-cache", "", "`folder` for the compiled browser client (default: the user's cache folder)")
	fs.StringVar(&c.prebuilt, "client-prebuilt", "", "serve the already built client in this `folder` (app.wasm, wasm_exec.js) instead of building it")
	fs.BoolVar(&c.noClient, "no-client", false, "serve no browser client, only the WebSocket (load tests, native clients)")
	fs.StringVar(&c.metrics, "metrics", "", "where to serve Prometheus /metrics: empty for the game's own port, `host:port` for a port of its own, or off")
	fs.StringVar(&c.debugAddr, "debug-addr", "", "serve pprof and /debug/gc on this `host:port` (keep it on loopback); empty: off")
	memoryLimit := fs.String("memory-limit", "off", "let the heap grow to this `size` (e.g. 1GiB) before the collector runs: about half the memory of a machine or container that is the server's own; auto: half of what its container or systemd service may use, if limited; off: Go's default")
	fs.BoolVar(&c.version, "version", false, "print the version, the commit and the browser client's hash, and exit")
	fs.BoolVar(&c.health, "health", false, "ask the server on -addr ($PORT) of this machine whether it is up: exit 0 if /healthz answers (a container's health check)")
	err := fs.Parse(args)
	if err != nil {
		return c, err
	}
	if c.memory, err = parseMemoryLimit(*memoryLimit); err != nil {
		return c, err
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, errors.New("-tls-cert and -tls-key go together")
	}
	if c.routes != "" && c.cluster == "" {
		return c, errors.New("-routes goes with -cluster (this server's own address for them)")
	}
	if c.cluster != "" && c.natsURL != "" {
		return c, errors.New("-cluster and -nats: either the servers' own NATS cluster, or an existing NATS")
	}
	if c.publicURL != "" {
		u, err := url.Parse(c.publicURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return c, fmt.Errorf("-public-url %q: want an address like https://peli.example.org", c.publicURL)
		}
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.checkDeck != "" {
		return checkDeck(cfg.checkDeck, cfg.lang, getenv, stdout, stderr)
	}
	if cfg.version {
		return printVersion(stdout)
	}
	if cfg.health {
		return checkHealth(ctx, cfg, stdout)
	}
	log := newLogger(cfg, stderr)
	if n, err := cfg.memory.limit(memlimit.FromCgroup); err != nil {
		log.Info().Err(err).Msg("no memory limit found: Go's default collector")
	} else if n > 0 {
		defer limitMemory(n)()
		log.Info().Int64("memory_limit", n).Msg("the collector runs as the heap nears the memory limit")
	}
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	svc, err := build(ctx, cfg, log)
	if err != nil {
		l.Close()
		return err
	}
	defer svc.close()
	return svc.serve(ctx, &trackedListener{Listener: l})
}

// clustered reports whether this server is one of several: its NATS
// clustered with theirs, or one they share.
func (c config) clustered() bool { return c.cluster != "" || c.natsURL != "" }

// service is the whole server, built from its config: the places (rooms
// and workshops) and everything that reaches them.
type service struct {
	cfg       config
	log       zerolog.Logger
	node      atomic.Pointer[node.Node]       // once started
	store     atomic.Pointer[store.Store]     // once started
	cluster   atomic.Pointer[cluster.Cluster] // once started, when clustered
	addrs     *clientaddr.Keyer
	checks    atomic.Pointer[sharedCounter] // the service's count of deck checks, when clustered
	places    *place.Directory
	rooms     *room.Hub
	workshops *workshop.Manager
	http      *http.Server
	decksRead chan struct{} // closed once the decks are read (or failed)
	closers   []func()
}

// build wires the service. Nothing here serves yet, reads the decks or
// opens the store.
func build(ctx context.Context, cfg config, log zerolog.Logger) (*service, error) {
	s := &service{cfg: cfg, log: log, decksRead: make(chan struct{})}
	// The places are ready once the rooms a store kept are back (see
	// start); until then new places wait, and so do clients whose place is
	// not back yet.
	s.places = place.New(place.Options{Log: log})
	ro := room.Options{Config: room.Config{Window: cfg.window}, Log: log, Places: s.places, Durable: true}
	wo := workshop.Options{Places: s.places, Log: log}
	if cfg.clustered() {
		// Several servers as one: a room is this node's only while the
		// node's lease holds, and a workshop lives on the node that made
		// it.
		ro.Holds = func(epoch string) bool { n := s.node.Load(); return n != nil && n.Holds(epoch) }
		wo.Home = func() place.Home {
			if n := s.node.Load(); n != nil {
				return place.Home{Node: n.Name(), Epoch: n.Epoch()}
			}
			return place.Home{}
		}
	}
	if cfg.actedLog != "" {
		f, err := os.OpenFile(cfg.actedLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, func() { f.Close() })
		var mu sync.Mutex
		line := func(what, code string, seat rules.SeatID, id uint64) {
			// The time first: a line waits for the lock, and a process
			// paused on the way would stamp it after the pause.
			at := time.Now().UnixNano()
			name, epoch := "-", "-"
			if n := s.node.Load(); n != nil {
				name, epoch = n.Name(), n.Epoch()
			}
			mu.Lock()
			fmt.Fprintf(f, "%s %s %s %s %d %d %d\n", what, name, epoch, code, seat, id, at)
			mu.Unlock()
		}
		ro.Acted = func(code string, seat rules.SeatID, id uint64) { line("acted", code, seat, id) }
		ro.Kept = func(code string, seat rules.SeatID, id uint64) { line("kept", code, seat, id) }
		ro.Resumed = func(code string, seat rules.SeatID, last uint64) { line("resumed", code, seat, last) }
	}
	s.rooms = room.NewHub(ro)
	wo.Rooms = s.rooms
	s.workshops = workshop.New(wo)
	s.places.Handle(protocol.WantCreate, s.rooms.Create)
	s.places.Handle(protocol.WantWorkshop, s.workshops.Create)

	var origins []string
	if cfg.publicURL != "" {
		u, _ := url.Parse(cfg.publicURL) // checked by parseFlags
		origins = append(origins, u.Host)
	}
	for _, o := range strings.Split(cfg.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	addrs := clientaddr.New(cfg.trustProxy) // the keys every limit per address counts by
	s.addrs = addrs
	ws := conn.NewHandler(s.places, log, conn.Config{Origins: origins, Addresses: addrs})
	// The browser client is built (or taken from the cache) in the
	// background, after the decks; the page asks the browser to wait until
	// it is ready.
	var page http.Handler
	clientHash := func() string { return "" }
	if !cfg.noClient {
		client, err := webclient.New(ctx, webclient.Options{Log: log, CacheDir: cfg.clientDir, Prebuilt: cfg.prebuilt, After: s.decksRead})
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, func() { client.Close() })
		page = client
		clientHash = client.Hash
	}
	var metricsOnSite http.Handler
	switch cfg.metrics {
	case "":
		metricsOnSite = metrics.Handler(s.rooms, s.nodeStats)
	case "off":
	default:
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Handler(s.rooms, s.nodeStats))
		stop, err := serveAside(cfg.metrics, mux, "metrics", log)
		if err != nil {
			s.close()
			return nil, err
		}
		s.closers = append(s.closers, stop)
	}
	if cfg.debugAddr != "" {
		stop, err := serveAside(cfg.debugAddr, metrics.Debug(), "debug", log)
		if err != nil {
			s.close()
			return nil, err
		}
		s.closers = append(s.closers, stop)
	}
	handler := site.New(site.Options{
		Hub: s.rooms, Log: log, WS: ws, Client: page, Metrics: metricsOnSite, TLS: cfg.tlsCert != "", Addresses: addrs,
		Checks: func() clientaddr.Counter {
			if c := s.checks.Load(); c != nil {
				return c.Counter
			}
			return nil
		},
		Health: healthHandler(clientHash, func() (string, bool) {
			name, caughtUp := "", true
			if n := s.node.Load(); n != nil {
				name, caughtUp = n.Name(), n.CaughtUp()
			}
			return name, s.places.IsReady() && !s.places.Closing() && caughtUp
		}),
		Bundled: func(id string) bool { return s.rooms.Library().Deck(id) != nil },
	})
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          site.ErrorLog(log), // without the clients' addresses
	}
	if cfg.tlsCert != "" {
		s.http.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return s, nil
}

// close lets go of what build made besides the places.
func (s *service) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// serve serves on ln until ctx ends or serving fails, and then shuts down.
func (s *service) serve(ctx context.Context, ln *trackedListener) error {
	errc := make(chan error, 1)
	go func() {
		if s.cfg.tlsCert != "" {
			errc <- s.http.ServeTLS(ln, s.cfg.tlsCert, s.cfg.tlsKey)
		} else {
			errc <- s.http.Serve(ln)
		}
	}()
	scheme := "http"
	if s.cfg.tlsCert != "" {
		scheme = "https"
	}
	s.log.Info().Str("url", scheme+"://"+displayAddr(ln.Addr())).Msg("serving")

	started := make(chan struct{}) // the node is up, or will not be
	startErr := make(chan error, 1)
	go func() {
		err := s.start(ctx)
		close(started)
		if err != nil {
			startErr <- err
		}
	}()

	var failed error
	select {
	case err := <-errc:
		failed = fmt.Errorf("serve: %w", err)
	case err := <-startErr:
		failed = err
	case <-ctx.Done():
	}
	s.shutdown(ln)
	<-started
	if cl := s.cluster.Load(); cl != nil {
		cl.Close()
	}
	if n := s.node.Load(); n != nil {
		n.Close() // its lease goes with it
	}
	if failed != nil {
		return failed
	}
	s.log.Info().Msg("stopped")
	return nil
}

// start reads the decks, starts the node's NATS, opens the rooms' store
// and brings back the rooms nobody owns, while the server already serves.
// Reading the decks (YAML) is most of a start: it comes after the
// listener, and before the rooms that play them come back.
func (s *service) start(ctx context.Context) error {
	decks, err := loadDecks(s.cfg.decks)
	close(s.decksRead)
	if err != nil {
		return err
	}
	s.rooms.SetLibrary(rules.NewLibrary(decks...))
	s.log.Info().Int("decks", len(decks)).Msg("decks read")
	began := time.Now()
	octx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	keyFile := s.cfg.keyFile
	if keyFile == "" {
		keyFile = store.DefaultKeyFile(s.cfg.dataDir)
	}
	key, err := store.ReadKeyFile(keyFile)
	if err != nil {
		return err
	}
	var routes []string
	for _, r := range strings.Split(s.cfg.routes, ",") {
		if r = strings.TrimSpace(r); r != "" {
			routes = append(routes, r)
		}
	}
	n, err := node.Start(octx, node.Options{
		Name: s.cfg.nodeName, Dir: s.cfg.dataDir, Cluster: s.cfg.cluster, Routes: routes, URL: s.cfg.natsURL,
		Secret: key, Log: s.log,
	})
	if err != nil {
		return err
	}
	s.node.Store(n)
	st, err := store.Open(octx, store.Options{Node: n, Key: key, Log: s.log})
	if err != nil {
		return err
	}
	s.store.Store(st)
	if s.cfg.clustered() {
		cl, err := cluster.New(octx, cluster.Options{Node: n, Store: st, Places: s.places, Rooms: s.rooms, Log: s.log})
		if err != nil {
			return err
		}
		// The limits per address are the service's: one salt, and counts
		// in NATS.
		salt, err := cl.Salt(octx)
		if err != nil {
			return err
		}
		s.addrs.Share(salt)
		s.places.Join(cl.Registry(), cl.Elsewhere)
		s.checks.Store(&sharedCounter{cl.Registry().Counter("checks", site.CheckBurst, site.CheckRefill)})
		s.rooms.SetRemote(cl.Remote())
		s.cluster.Store(cl)
		go cl.Run()
	}
	opened := time.Since(began)
	restored, err := s.rooms.Restore(ctx, room.KeepIn(st))
	if err != nil {
		// The rooms that came back play on; what could not be read or
		// erased is tried again at the next start.
		s.log.Warn().Err(err).Msg("rooms not all restored")
	}
	s.log.Info().Str("node", n.Name()).Int("rooms", restored).Dur("open", opened).Dur("took", time.Since(began)).Msg("rooms restored")
	return nil
}

// shutdown stops taking rooms, has every place write itself down and tell
// its clients that the server restarts, and waits for the connections to
// close.
func (s *service) shutdown(ln *trackedListener) {
	s.log.Info().Msg("shutting down: saving rooms and telling clients")
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.places.Shutdown(ctx); err != nil {
		s.log.Warn().Err(err).Msg("rooms did not all finish")
	}
	s.log.Info().Dur("took", time.Since(began)).Msg("rooms saved")
	if err := s.http.Shutdown(ctx); err != nil {
		s.log.Warn().Err(err).Msg("http shutdown")
	}
	// WebSockets outlive the HTTP server: wait for their closing handshakes,
	// so that every client reads 1012 rather than a dropped connection.
	if err := ln.wait(ctx); err != nil {
		s.log.Warn().Err(err).Msg("connections did not all close")
	}
}

// serveAside serves h on a listener of its own (metrics, debugging) and
// returns a function that stops it.
func serveAside(addr string, h http.Handler, what string, log zerolog.Logger) (func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s: %w", what, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: site.ErrorLog(log)}
	go srv.Serve(l)
	log.Info().Str("url", "http://"+displayAddr(l.Addr())).Msg("serving " + what)
	return func() { srv.Close() }, nil
}

// trackedListener counts the connections it accepted that are still open,
// WebSockets included, which http.Server.Shutdown does not wait for.
type trackedListener struct {
	net.Listener
	wg sync.WaitGroup
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.wg.Add(1)
	return &trackedConn{Conn: c, done: l.wg.Done}, nil
}

// wait waits until every connection has closed, or ctx ends.
func (l *trackedListener) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type trackedConn struct {
	net.Conn
	once sync.Once
	done func()
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.done)
	return err
}

// NetConn lets code that tunes sockets (package conn) reach the TCP
// connection.
func (c *trackedConn) NetConn() net.Conn { return c.Conn }

// loadDecks reads the bundled decks and, when dir is set, the extra ones
// there; a deck in dir replaces a bundled deck of the same id.
func loadDecks(dir string) ([]*deck.Deck, error) {
	decks, err := deckfile.LoadFS(assets.Decks, "decks")
	if err != nil {
		return nil, fmt.Errorf("bundled decks: %w", err)
	}
	if dir == "" {
		return decks, nil
	}
	extra, err := deckfile.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("decks in %s: %w", dir, err)
	}
	return append(decks, extra...), nil
}

func newLogger(cfg config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.logLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if cfg.pretty {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// nodeStats is what the node counts, for metrics: nothing before it has
// started.
func (s *service) nodeStats() metrics.Node {
	var m metrics.Node
	if n := s.node.Load(); n != nil {
		m.Node = n.Stats()
	}
	if st := s.store.Load(); st != nil {
		m.Store = st.Stats()
	}
	if cl := s.cluster.Load(); cl != nil {
		m.Cluster = cl.Stats()
	}
	return m
}

// sharedCounter boxes a counter the cluster gives once it has joined, so an
// atomic pointer can carry it to handlers built before.
type sharedCounter struct{ clientaddr.Counter }
