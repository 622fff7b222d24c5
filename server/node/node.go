// Package node runs this server's part of NATS: a server embedded in the
// process (alone, with no network port at all, or clustered with the other
// nodes of a service through its routes), or a connection to an existing
// NATS. Everything the service shares (rooms, their owners, their codes,
// the limits per address) lives in NATS JetStream through it.
//
// A node is alive while it keeps renewing its lease: a key in the "nodes"
// bucket, with its name and the epoch of this run of the process, that
// NATS forgets a few seconds after the last renewal. Every room a node owns
// is owned under that lease (package store). A node that cannot renew in
// time (a long pause, a network split) has lost its rooms: Lost says so,
// and LeaseValid says so at once, by the clock, before NATS has even been
// asked.
package node

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Options say which NATS the node runs or joins.
type Options struct {
	// Name names this node in its service; every node's is its own.
	// Empty: "elamanipeli" for a node alone, the host's name in a cluster.
	Name string
	// Dir is the embedded server's data folder (ignored with URL).
	Dir string
	// Cluster is the host:port the embedded server listens on for the
	// other nodes' routes; empty runs it alone, with no port at all.
	Cluster string
	// Routes are the other nodes' cluster addresses (nats://host:port).
	Routes []string
	// URL is an existing NATS (a cluster of them, comma-separated) to
	// use instead of an embedded one.
	URL string
	// Secret authenticates the routes between the nodes: every node of a
	// service has the same (it comes from the key file).
	Secret []byte
	// Replicas overrides how many copies NATS keeps of what the service
	// shares; zero: one per node, up to three.
	Replicas int
	// Lease is how long the node's lease lasts without a renewal; zero:
	// DefaultLease. It is renewed every second (or Lease/5, if shorter).
	Lease time.Duration
	Log   zerolog.Logger
}

// DefaultLease is how long a node stays the owner of its rooms after its
// last renewal. It outlasts the few seconds (4 to 9) JetStream may take to
// elect a new leader when a node goes, so that the nodes that stay keep
// their leases meanwhile. A node that crashes is found gone at once (its
// connection to NATS is), not after its lease; one that is paused, or cut
// off, is found gone once its lease has lapsed.
const DefaultLease = 15 * time.Second

// maxPayload lets a snapshot carry the decks a host brought (four files of
// up to 256 KiB each) with room to spare.
const maxPayload = 8 << 20

// Node is this server's NATS.
type Node struct {
	ns       *server.Server // nil with an external NATS
	nc       *nats.Conn
	js       jetstream.JetStream
	name     string
	replicas int
	lease    time.Duration
	log      zerolog.Logger

	nodes   jetstream.KeyValue
	cur     atomic.Pointer[lease]
	rev     atomic.Uint64 // the lease's revision, which the next renewal expects
	renewed atomic.Int64  // when the last renewal was sent (see renewedAt): nanoseconds by clock
	began   time.Time
	running bool // the renewing goroutine runs
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	caughtUp atomic.Bool // the embedded server's streams were all current once

	stats Stats
}

// Stats are the node's running counts, for metrics.
type Stats struct {
	Renewals atomic.Int64 // lease renewals
	Losses   atomic.Int64 // leases lost
}

// Start starts the embedded server (or connects to o.URL), waits for
// JetStream, and takes the node's lease.
func Start(ctx context.Context, o Options) (*Node, error) {
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Name == "" {
		o.Name = "elamanipeli"
		if o.Cluster != "" {
			if h, err := os.Hostname(); err == nil {
				o.Name = h
			}
		}
	}
	if !validName(o.Name) {
		return nil, fmt.Errorf("node: name %q: use letters, digits, - and _", o.Name)
	}
	n := &Node{name: o.Name, lease: o.Lease, log: o.Log, began: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	n.cur.Store(newLease())
	var err error
	if o.URL == "" {
		if n.ns, err = startServer(o); err != nil {
			return nil, err
		}
		n.nc, err = nats.Connect("", nats.InProcessServer(n.ns), nats.Name("elamanipeli "+o.Name))
	} else {
		n.nc, err = nats.Connect(o.URL, nats.Name("elamanipeli "+o.Name), nats.MaxReconnects(-1))
	}
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("node: connect: %w", err)
	}
	if n.js, err = jetstream.New(n.nc); err != nil {
		n.Close()
		return nil, fmt.Errorf("node: jetstream: %w", err)
	}
	n.replicas = o.Replicas
	if n.replicas <= 0 {
		n.replicas = min(3, 1+len(o.Routes))
		if o.URL != "" {
			n.replicas = min(3, len(n.nc.Servers()))
		}
	}
	if err := n.waitJetStream(ctx); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.takeLease(ctx); err != nil {
		n.Close()
		return nil, err
	}
	// Other nodes ask here whether this node runs: while this connection
	// lives, NATS knows of this subscription, and once the process is
	// gone, at once, it does not.
	if _, err := n.nc.Subscribe("elm.alive."+n.name, func(m *nats.Msg) { m.Respond([]byte(n.Epoch())) }); err != nil {
		n.Close()
		return nil, fmt.Errorf("node: %w", err)
	}
	n.awaitPeers(ctx)
	n.running = true
	go n.renew()
	return n, nil
}

// awaitPeers waits, a few seconds at most, until every other node that
// holds a lease answers on its liveness subject. A node that has just joined
// the cluster hears of the others' subscriptions a moment after its routes
// come up; until then a live node looks gone, and the start would take its
// rooms from under it.
func (n *Node) awaitPeers(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 3*n.every())
	defer cancel()
	names, err := n.nodes.Keys(ctx)
	if err != nil {
		return // none (jetstream.ErrNoKeysFound), or nothing to learn in time
	}
	began := time.Now()
	defer func() {
		n.log.Info().Strs("nodes", names).Dur("waited", time.Since(began)).Err(ctx.Err()).Msg("peers heard")
	}()
	for _, name := range names {
		for name != n.name {
			actx, acancel := context.WithTimeout(ctx, 500*time.Millisecond)
			_, err := n.nc.RequestWithContext(actx, "elm.alive."+name, nil)
			acancel()
			if !errors.Is(err, nats.ErrNoResponders) {
				break
			}
			select {
			case <-ctx.Done():
				return // a node that crashed a moment ago, not yet lapsed
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// routeUser is the user the nodes' routes authenticate as; the password
// comes from the service's secret.
const routeUser = "elamanipeli"

func routePassword(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("elamanipeli routes"))
	return hex.EncodeToString(m.Sum(nil))
}

func startServer(o Options) (*server.Server, error) {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("node: data folder: %w", err)
	}
	opts := &server.Options{
		ServerName: o.Name,
		JetStream:  true,
		StoreDir:   o.Dir,
		MaxPayload: maxPayload,
		NoSigs:     true,
		DontListen: true, // alone: no port at all
	}
	if o.Cluster != "" {
		host, port, err := net.SplitHostPort(o.Cluster)
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil {
			return nil, fmt.Errorf("node: -cluster %q: want host:port", o.Cluster)
		}
		if len(o.Secret) == 0 {
			return nil, errors.New("node: a cluster needs the service's secret")
		}
		pass := routePassword(o.Secret)
		// Routes need a client port to start (nats-server waits for it):
		// it listens on loopback only, and nothing uses it.
		opts.DontListen, opts.Host, opts.Port = false, "127.0.0.1", server.RANDOM_PORT
		// One route between two nodes, not a pool (PoolSize -1): the
		// service has one account, so a pool would carry nothing a single
		// route does not, and its dedicated route for the system account
		// once kept a cluster from forming at all ("Not possible to have a
		// dedicated route for account $SYS", then no meta leader for two
		// minutes) when three nodes started at once.
		opts.Cluster = server.ClusterOpts{Name: "elamanipeli", Host: host, Port: p, Username: routeUser, Password: pass, PoolSize: -1}
		for _, r := range o.Routes {
			u, err := url.Parse(strings.TrimSpace(r))
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("node: route %q: want nats://host:port", r)
			}
			u.User = url.UserPassword(routeUser, pass)
			opts.Routes = append(opts.Routes, u)
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("node: nats server: %w", err)
	}
	ns.SetLoggerV2(natsLog{o.Log.With().Str("part", "nats").Logger()}, false, false, false)
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("node: nats server did not start")
	}
	return ns, nil
}

// waitJetStream waits until JetStream answers: in a cluster, until its
// nodes have elected a leader, which takes a few seconds.
func (n *Node) waitJetStream(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := n.js.AccountInfo(actx)
		acancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node: jetstream did not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Bucket opens the key-value bucket cfg names, making it when it is not
// there yet, with the node's replicas.
func (n *Node) Bucket(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	cfg.Replicas = n.replicas
	var kv jetstream.KeyValue
	err := n.Retry(ctx, func(ctx context.Context) error {
		var err error
		kv, err = n.js.KeyValue(ctx, cfg.Bucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			kv, err = n.js.CreateKeyValue(ctx, cfg)
			if errors.Is(err, jetstream.ErrBucketExists) {
				kv, err = n.js.KeyValue(ctx, cfg.Bucket)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("node: bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// Permanent marks an error that trying again cannot mend: Retry returns it
// at once.
func Permanent(err error) error { return permanent{err} }

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// ConsistentBucket is Bucket, but every read of the bucket goes to its
// leader: a replica that lags a moment behind never answers. What decides
// who owns a room, and which room a code is, must not be read stale.
func (n *Node) ConsistentBucket(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	history := int64(max(cfg.History, 1))
	dup := 2 * time.Minute
	if cfg.TTL > 0 && cfg.TTL < dup {
		dup = cfg.TTL
	}
	// A key-value bucket as nats.go makes one, without direct gets.
	sc := jetstream.StreamConfig{
		Name: "KV_" + cfg.Bucket, Description: cfg.Description, Subjects: []string{"$KV." + cfg.Bucket + ".>"},
		MaxMsgsPerSubject: history, MaxBytes: -1, MaxAge: cfg.TTL, MaxMsgSize: -1, MaxMsgs: -1, MaxConsumers: -1,
		Storage: cfg.Storage, Replicas: n.replicas, AllowRollup: true, DenyDelete: true, Duplicates: dup,
		Discard: jetstream.DiscardNew,
	}
	var kv jetstream.KeyValue
	err := n.Retry(ctx, func(ctx context.Context) error {
		_, err := n.js.Stream(ctx, sc.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			_, err = n.js.CreateStream(ctx, sc)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				err = nil
			}
		}
		if err != nil {
			return err
		}
		kv, err = n.js.KeyValue(ctx, cfg.Bucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("node: bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// Retry runs fn until it succeeds, fails for good (Permanent) or ctx ends, each try given a few
// seconds: while the nodes of a cluster are starting, or one has just gone,
// JetStream may leave a request unanswered.
func (n *Node) Retry(ctx context.Context, fn func(ctx context.Context) error) error {
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(tctx)
		cancel()
		var p permanent
		if err == nil || ctx.Err() != nil || errors.As(err, &p) {
			return err
		}
		n.log.Debug().Err(err).Msg("jetstream: trying again")
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// lease is one run of the node's lease: its epoch, and a channel closed
// when it is lost.
type lease struct {
	epoch string
	lost  chan struct{}
}

func newLease() *lease {
	var epoch [8]byte
	rand.Read(epoch[:]) // never fails
	return &lease{epoch: hex.EncodeToString(epoch[:]), lost: make(chan struct{})}
}

// takeLease makes the node's key in the nodes bucket: its name, holding its
// epoch.
func (n *Node) takeLease(ctx context.Context) error {
	var err error
	if n.nodes, err = n.Bucket(ctx, jetstream.KeyValueConfig{
		Bucket: "nodes", Description: "Elämäni peli nodes alive: each renews its key, which lapses a few seconds after the last renewal",
		TTL: n.lease, Storage: jetstream.MemoryStorage, History: 1,
	}); err != nil {
		return err
	}
	// A node of the same name from an earlier run may still hold a lease:
	// wait for it to lapse rather than take its rooms from under it.
	deadline := time.Now().Add(2 * n.lease)
	for {
		sent := n.clock()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		rev, err := n.nodes.Create(cctx, n.name, []byte(n.cur.Load().epoch))
		if errors.Is(err, jetstream.ErrKeyExists) {
			// This node's earlier run, if its process is gone (a crash), has
			// no claim left: its lease is taken from it at once.
			if e, gerr := n.nodes.Get(cctx, n.name); gerr == nil {
				pctx, pcancel := context.WithTimeout(cctx, 500*time.Millisecond)
				_, perr := n.nc.RequestWithContext(pctx, "elm.alive."+n.name, nil)
				pcancel()
				if errors.Is(perr, nats.ErrNoResponders) {
					rev, err = n.nodes.Update(cctx, n.name, []byte(n.cur.Load().epoch), e.Revision())
				}
			}
		}
		cancel()
		if err == nil {
			n.renewedAt(rev, sent)
			return nil
		}
		if errors.Is(err, jetstream.ErrKeyExists) && time.Now().After(deadline) {
			return fmt.Errorf("node: lease: %w (is another node called %q running?)", err, n.name)
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			// JetStream is still settling (a cluster starting): try again.
			n.log.Debug().Err(err).Msg("lease: trying again")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(n.lease / 10):
		}
	}
}

// clock is the node's monotonic time: since it began.
func (n *Node) clock() time.Duration { return time.Since(n.began) }

// renewedAt records a renewal (or a lease taken) at revision rev, whose
// request was sent at sent (by clock). The lease counts from the request,
// not its answer: the store's key lapses a lease after the request reached
// it, and an answer read late (the process paused on the way) would
// otherwise vouch for a lease other nodes already count as lapsed.
func (n *Node) renewedAt(rev uint64, sent time.Duration) {
	n.rev.Store(rev)
	n.renewed.Store(int64(sent))
}

// renew renews the lease every Lease/5 until the node stops. A lease lost
// is taken again, under a new epoch: what the node owned under the old one
// is no longer its own, and the node goes on with a clean slate.
func (n *Node) renew() {
	defer close(n.done)
	t := time.NewTicker(n.every())
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		l := n.cur.Load()
		select {
		case <-l.lost:
			n.rejoin()
			continue
		default:
		}
		if !n.LeaseValid() {
			n.loseLease(l, "the lease lapsed before it was renewed (the process was paused?)")
			continue
		}
		sent := n.clock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*n.every())
		rev, err := n.nodes.Update(ctx, n.name, []byte(l.epoch), n.rev.Load())
		cancel()
		switch {
		case err == nil:
			n.renewedAt(rev, sent)
			n.stats.Renewals.Add(1)
		case isWrongRevision(err) && n.mine(l):
			// A renewal whose answer was lost had gone through: the key
			// is still this lease's, at a newer revision.
		case errors.Is(err, jetstream.ErrKeyNotFound), isWrongRevision(err):
			n.loseLease(l, "another node has the lease, or it lapsed")
		default:
			n.log.Warn().Err(err).Msg("lease not renewed; trying again")
		}
	}
}

// mine reports whether the nodes bucket still holds lease l, and if so
// takes its revision.
func (n *Node) mine(l *lease) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*n.every())
	defer cancel()
	e, err := n.nodes.Get(ctx, n.name)
	if err != nil || string(e.Value()) != l.epoch {
		return false
	}
	n.rev.Store(e.Revision())
	return true
}

// rejoin takes a new lease under a new epoch, once the old one's key has
// lapsed.
func (n *Node) rejoin() {
	l := newLease()
	sent := n.clock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*n.every())
	rev, err := n.nodes.Create(ctx, n.name, []byte(l.epoch))
	cancel()
	if err != nil {
		return // the old key has not lapsed yet: the next tick tries again
	}
	n.renewedAt(rev, sent)
	n.cur.Store(l)
	n.log.Info().Msg("the node has a lease again")
}

func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

func (n *Node) loseLease(l *lease, why string) {
	n.stats.Losses.Add(1)
	n.log.Error().Str("why", why).Msg("the node's lease is lost: its rooms are no longer its own")
	close(l.lost)
}

// LeaseValid reports whether the node's lease surely still holds, by the
// clock alone: renewed less than Lease minus a margin ago. A room checks it
// before every action it applies, so that a node that was paused past its
// lease applies nothing once it runs again, before it has even heard that
// its lease is gone.
func (n *Node) LeaseValid() bool { return n.valid(n.cur.Load()) }

// valid reports whether lease l surely still holds: it is not lost (a
// lease is replaced only once lost), and the last renewal was lately (see
// LeaseValid).
func (n *Node) valid(l *lease) bool {
	select {
	case <-l.lost:
		return false
	default:
	}
	since := n.clock() - time.Duration(n.renewed.Load())
	return since < n.lease-n.lease/5
}

// every is how often the lease is renewed.
func (n *Node) every() time.Duration {
	return min(time.Second, n.lease/5)
}

// Lost is closed when the node loses its current lease.
func (n *Node) Lost() <-chan struct{} { return n.cur.Load().lost }

// Holds reports whether the node's lease holds, under epoch: what the node
// took under another epoch is no longer its own.
func (n *Node) Holds(epoch string) bool {
	// One read of the lease: read twice, a new lease taken in between
	// would vouch for the lost one.
	l := n.cur.Load()
	return l.epoch == epoch && n.valid(l)
}

// Alive reports whether node name holds its lease with epoch. A node whose
// process has gone is not alive even while its lease holds: NATS has no
// one to answer for it.
func (n *Node) Alive(ctx context.Context, name, epoch string) bool {
	if name == n.name && epoch == n.Epoch() {
		return n.LeaseValid()
	}
	e, err := n.nodes.Get(ctx, name)
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		// JetStream cannot say now (a leader being elected): nothing
		// could be taken from the node meanwhile anyway.
		return true
	}
	leased := err == nil && string(e.Value()) == epoch
	// Ask the node too: a live run answers with its epoch. The bucket's
	// answer may come from a replica a moment behind (one that is
	// catching up after a restart has been seen to still hold a node's
	// earlier run), and taking a room from a node that runs it loses what
	// it acted on since.
	pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	m, err := n.nc.RequestWithContext(pctx, "elm.alive."+name, nil)
	switch {
	case err == nil:
		return string(m.Data) == epoch
	case errors.Is(err, nats.ErrNoResponders):
		return false
	}
	// No answer in time: a paused or busy node. Its lease decides.
	return leased
}

// CaughtUp reports whether the node's embedded NATS server has caught up
// with the others: every stream it holds a replica of current, as NATS's
// own health check has it. A node that has just started copies what the
// cluster wrote while it was away; until it has, losing another node could
// leave a stream without a quorum, so an update of the next node waits for
// this (see /healthz?ready). Once caught up, it stays so: a stream that
// falls behind later does not take the node out of its load balancer. With
// an external NATS, the node has nothing to catch up.
func (n *Node) CaughtUp() bool {
	if n.ns == nil || n.caughtUp.Load() {
		return true
	}
	if n.ns.Healthz(nil).Status != "ok" {
		return false
	}
	n.caughtUp.Store(true)
	return true
}

// Name is the node's name.
func (n *Node) Name() string { return n.name }

// Epoch names this run of the node: a node that restarts, or lost its
// lease, owns nothing of what it owned before.
func (n *Node) Epoch() string { return n.cur.Load().epoch }

// Conn is the node's NATS connection.
func (n *Node) Conn() *nats.Conn { return n.nc }

// JetStream is the node's JetStream.
func (n *Node) JetStream() jetstream.JetStream { return n.js }

// Replicas is how many copies NATS keeps of what the service shares.
func (n *Node) Replicas() int { return n.replicas }

// Stats are the node's running counts.
func (n *Node) Stats() *Stats { return &n.stats }

// Close gives up the lease (the node's rooms should have been handed over
// first), disconnects and stops the embedded server, which writes its
// state. Closing again does nothing.
func (n *Node) Close() {
	n.once.Do(func() {
		if n.running {
			close(n.stop)
			<-n.done
			select {
			case <-n.cur.Load().lost:
			default:
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				n.nodes.Delete(ctx, n.name, jetstream.LastRevision(n.rev.Load()))
				cancel()
			}
		}
		if n.nc != nil {
			n.nc.Drain()
			n.nc.Close()
		}
		if n.ns != nil {
			n.ns.Shutdown()
			n.ns.WaitForShutdown()
		}
	})
}

// natsLog passes the embedded server's warnings and errors on; its notices
// are chatter.
type natsLog struct{ log zerolog.Logger }

func (l natsLog) Noticef(string, ...any) {}
func (l natsLog) Debugf(string, ...any)  {}
func (l natsLog) Tracef(string, ...any)  {}
func (l natsLog) Warnf(format string, v ...any) {
	l.log.Warn().Msg(fmt.Sprintf(format, v...))
}
func (l natsLog) Errorf(format string, v ...any) {
	l.log.Error().Msg(fmt.Sprintf(format, v...))
}
func (l natsLog) Fatalf(format string, v ...any) {
	l.log.Error().Msg(fmt.Sprintf(format, v...))
}
