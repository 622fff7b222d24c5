package place

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Namespace is a kind of name a place is found by.
type Namespace uint8

// Namespaces.
const (
	ID      Namespace = iota + 1 // a place's internal id: logs and the store, never shown
	Code                         // a room's or a workshop's code, typed by people
	Watch                        // a room's spectator code
	Token                        // the key of a seat's token
	Waiting                      // the key of a workshop participant's token: found when no seat has it
)

// Name is one name a place is found by.
type Name struct {
	NS Namespace
	S  string
}

// TokenName is the name a seat's token finds its place by.
func TokenName(k Key) Name { return Name{Token, string(k[:])} }

// Registry names the places of a service across its nodes (package
// cluster): a code or a token's key finds a place wherever it runs. A
// directory alone needs none. Places' ids (namespace ID) stay local.
type Registry interface {
	// Claim gives n to the place id, unless another place has it
	// (ErrTaken). A place claiming a name it has already is fine.
	Claim(ctx context.Context, n Name, id string, home Home) error
	// Set gives n to place id without asking: a token, too long to
	// clash. It happens in the background.
	Set(n Name, id string, home Home)
	// Release takes n from place id, in the background.
	Release(n Name, id string)
	// Resolve finds the place n names: its id, and where it lives; ok
	// false when no place has the name. An error says the registry could
	// not be asked now.
	Resolve(ctx context.Context, n Name) (id string, home Home, ok bool, err error)
	// Relate notes, in the background, that a member of place id came
	// from addr; Near reports whether one did, on whichever node.
	Relate(id, addr string)
	Near(ctx context.Context, id, addr string) bool
	// Counter counts one kind of thing per address across the service,
	// within burst at once and one more per refill.
	Counter(kind string, burst int, refill time.Duration) clientaddr.Counter
}

// Home is where a place lives for good: a workshop stays on the node that
// made it. A room has none: it lives wherever its owner is (package store),
// and moves.
type Home struct {
	Node  string `msgpack:"n,omitempty"`
	Epoch string `msgpack:"e,omitempty"`
}

// Elsewhere brings a place of the service that this node does not run
// within reach: a kernel here that relays to where it runs, or the place
// itself, taken over from a node that went. home is what the registry
// said.
type Elsewhere func(ctx context.Context, id string, home Home) (*Kernel, rules.Code)

// Fresh asks Directory.Add for a new random code of Len characters in NS.
type Fresh struct {
	NS  Namespace
	Len int
}

// Creator makes a new place for a Hello that asks for one (a room, a
// workshop), added to the directory and running. by is the address that
// asks (KernelOptions.Creator).
type Creator func(hello protocol.Hello, by string) (*Kernel, rules.Code)

// Stats are running counts of the connections of every place, for metrics.
// Everything is an atomic add on the hot path.
type Stats struct {
	conns atomic.Int64 // connections seated
	in    atomic.Int64 // frames read from clients, hellos included
	out   atomic.Int64 // frames queued to clients
	slow  atomic.Int64 // connections dropped for falling behind
}

// Counts is a copy of the stats at one moment.
type Counts struct {
	Conns, In, Out, Slow int64
}

// Options are what a directory needs from the outside world.
type Options struct {
	Log  zerolog.Logger
	Rand io.Reader        // codes and tokens; nil: crypto/rand
	Now  func() time.Time // nil: time.Now

	// FailedJoins is how many wrong codes or tokens one address may try in
	// a burst, refilled at one per FailRefill.
	FailedJoins int
	FailRefill  time.Duration

	// OpenPerAddress bounds the places (rooms, workshops) one address has
	// made that are still open; CreateBurst and CreateRefill bound how fast
	// it makes them.
	OpenPerAddress int
	CreateBurst    int
	CreateRefill   time.Duration

	// EntryBurst and EntryRefill bound how often one address knocks on a
	// room or joins it as a spectator or a workshop participant (wrong codes
	// are FailedJoins' business).
	EntryBurst  int
	EntryRefill time.Duration

	// Ready says that no place is coming back from a store: the directory
	// serves at once. Otherwise MarkReady says when the places have come
	// back; until then a new place waits for it, and so does a client whose
	// place is not found, for up to ReadyWait.
	Ready     bool
	ReadyWait time.Duration

	// Registry and Elsewhere make the directory a node's part of a
	// service's (package cluster); nil: the directory is the service.
	Registry  Registry
	Elsewhere Elsewhere
}

// Directory knows every place on this server.
type Directory struct {
	log     zerolog.Logger
	rand    io.Reader
	now     func() time.Time
	fails   clientaddr.Counter // wrong codes and tokens; d.mu, set before the directory is ready
	creates clientaddr.Counter // new places; likewise
	entries clientaddr.Counter // knocks, spectators, participants; likewise
	maxOpen int                // places one address has made, still open
	stats   Stats
	wait    time.Duration
	opts    Options
	reg     Registry  // d.mu; set by New or Join before the directory is ready
	far     Elsewhere // likewise

	ready     chan struct{}
	readyOnce sync.Once

	mu      sync.Mutex
	closing bool
	opened  map[string]int // places still open, by the address that made them
	names   map[Name]*Kernel
	live    map[*Kernel]bool
	create  map[protocol.Want]Creator
	wg      sync.WaitGroup
}

// New makes a directory.
func New(o Options) *Directory {
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FailedJoins <= 0 {
		o.FailedJoins = 10
	}
	if o.FailRefill <= 0 {
		o.FailRefill = 6 * time.Second
	}
	if o.OpenPerAddress <= 0 {
		o.OpenPerAddress = 120
	}
	if o.CreateBurst <= 0 {
		o.CreateBurst = 60
	}
	if o.CreateRefill <= 0 {
		o.CreateRefill = 2 * time.Second
	}
	if o.EntryBurst <= 0 {
		o.EntryBurst = 200
	}
	if o.EntryRefill <= 0 {
		o.EntryRefill = time.Second
	}
	if o.ReadyWait <= 0 {
		o.ReadyWait = 10 * time.Second
	}
	d := &Directory{
		log: o.Log, rand: o.Rand, now: o.Now, wait: o.ReadyWait, maxOpen: o.OpenPerAddress, reg: o.Registry, far: o.Elsewhere, opts: o,
		fails:   clientaddr.NewAllowance(o.FailedJoins, o.FailRefill, o.Now),
		creates: clientaddr.NewAllowance(o.CreateBurst, o.CreateRefill, o.Now),
		entries: clientaddr.NewAllowance(o.EntryBurst, o.EntryRefill, o.Now),
		opened:  map[string]int{},
		ready:   make(chan struct{}),
		names:   map[Name]*Kernel{},
		live:    map[*Kernel]bool{},
		create:  map[protocol.Want]Creator{},
	}
	if o.Ready {
		d.MarkReady()
	}
	return d
}

// Join makes the directory this node's part of a service: reg names the
// service's places, far brings those elsewhere within reach. Call it before
// MarkReady.
func (d *Directory) Join(reg Registry, far Elsewhere) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reg, d.far = reg, far
	// The limits per address are the service's, not each node's.
	o := d.opts
	d.fails = reg.Counter("fails", o.FailedJoins, o.FailRefill)
	d.creates = reg.Counter("creates", o.CreateBurst, o.CreateRefill)
	d.entries = reg.Counter("entries", o.EntryBurst, o.EntryRefill)
}

// counters returns the counters of wrong guesses, new places and entries.
func (d *Directory) counters() (fails, creates, entries clientaddr.Counter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fails, d.creates, d.entries
}

// registry returns the service's registry and Elsewhere, if any.
func (d *Directory) registry() (Registry, Elsewhere) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reg, d.far
}

// Handle lets Hellos that want want create places with c. Call it before
// the directory serves.
func (d *Directory) Handle(want protocol.Want, c Creator) {
	d.mu.Lock()
	d.create[want] = c
	d.mu.Unlock()
}

// Stats is where the places count their connections.
func (d *Directory) Stats() *Stats { return &d.stats }

// Counts returns the running counts of every place's connections.
func (d *Directory) Counts() Counts {
	s := &d.stats
	return Counts{Conns: s.conns.Load(), In: s.in.Load(), Out: s.out.Load(), Slow: s.slow.Load()}
}

// Rand is the directory's source of randomness, for tokens and seeds.
func (d *Directory) Rand() io.Reader { return d.rand }

// Open gives a new connection its slot in the place its Hello names, or in
// a new place it asks for.
//
// A guesser may share its address with a classroom (a school's NAT): once
// the address has used up its allowance for wrong codes, its codes reach
// only the places that devices from the same address are already in
// (near), and every other code, right or wrong, is answered alike:
// rate-limited. The class keeps joining its trainer's rooms; the guesser
// learns nothing. addr stands for the client's address (an opaque
// key: package conn hashes it), used only to limit wrong guesses; it is
// never logged.
func (d *Directory) Open(ctx context.Context, addr string, p Peer, hello protocol.Hello) (*Member, rules.Code) {
	d.stats.in.Add(1)
	if hello.V < protocol.MinVersion || hello.V > protocol.Version {
		return nil, protocol.ErrVersion
	}
	fails, creates, entries := d.counters()
	d.mu.Lock()
	create := d.create[hello.Want]
	d.mu.Unlock()
	var k *Kernel
	switch hello.Want {
	case protocol.WantJoin, protocol.WantWatch, protocol.WantResume:
		// A token is too long to guess, so a resume is never held back;
		// codes are short enough that an address which guessed wrong too
		// often may only reach places its own devices are in (near).
		limited := hello.Want != protocol.WantResume && !fails.Has(addr)
		if !d.IsReady() && d.find(hello) == nil {
			// Its place may be among those still coming back.
			if !d.WaitReady(ctx) {
				return nil, protocol.ErrBusy
			}
		}
		var code rules.Code
		if k, code = d.locate(ctx, hello); code != "" {
			return nil, code
		}
		if d.Closing() {
			return nil, protocol.ErrBusy
		}
		if limited && (k == nil || !d.near(ctx, k, addr)) {
			return nil, protocol.ErrRateLimited
		}
		if k == nil {
			fails.Spend(addr)
			if hello.Want == protocol.WantResume {
				return nil, protocol.ErrBadToken
			}
			return nil, protocol.ErrNoRoom
		}
		// A right code: one more person at the door or in the audience,
		// counted once they are in.
		if hello.Want != protocol.WantResume && !entries.Has(addr) {
			return nil, protocol.ErrRateLimited
		}
	default:
		if create == nil {
			return nil, protocol.ErrBadMessage
		}
		// A new place waits for the ones coming back, so that its codes
		// cannot collide with theirs.
		if !d.WaitReady(ctx) || d.Closing() {
			return nil, protocol.ErrBusy
		}
		if !creates.Take(addr) {
			return nil, protocol.ErrRateLimited
		}
		var code rules.Code
		if k, code = create(hello, addr); code != "" {
			return nil, code
		}
	}
	m, code := k.Enter(ctx, hello, p, addr)
	if code == protocol.ErrBadToken {
		fails.Spend(addr)
	}
	if m == nil {
		return nil, code
	}
	if hello.Want == protocol.WantJoin || hello.Want == protocol.WantWatch {
		entries.Spend(addr)
	}
	d.relate(k, addr)
	return m, code
}

// unopen counts a place of addr's as closed. Called with d.mu held.
func (d *Directory) unopen(addr string) {
	if d.opened[addr] <= 1 {
		delete(d.opened, addr)
	} else {
		d.opened[addr]--
	}
}

// wanted are the names a join, watch or resume may find its place by, in
// the order they are tried.
func wanted(hello protocol.Hello) []Name {
	switch hello.Want {
	case protocol.WantJoin:
		return []Name{{Code, NormalizeCode(hello.Code)}}
	case protocol.WantWatch:
		return []Name{{Watch, NormalizeCode(hello.Code)}}
	default:
		key := KeyOf(hello.Token)
		return []Name{TokenName(key), {Waiting, string(key[:])}}
	}
}

// find looks up the place a join, watch or resume asks for, here.
func (d *Directory) find(hello protocol.Hello) *Kernel {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range wanted(hello) {
		if k := d.names[n]; k != nil {
			return k
		}
	}
	return nil
}

// locate finds the place a Hello asks for, name after name (a seat's token
// before a workshop participant's): here, or elsewhere in the service, which
// it brings within reach. nil with no code: no place has any of the names.
func (d *Directory) locate(ctx context.Context, hello protocol.Hello) (*Kernel, rules.Code) {
	reg, far := d.registry()
	timed := false
	for _, n := range wanted(hello) {
		if k := d.Find(n); k != nil {
			return k, ""
		}
		if reg == nil || d.Closing() {
			continue
		}
		if !timed {
			// A client waits a while for a room moving between nodes, not
			// longer: it tries again itself. Only a place not found here
			// takes the timer: a context made of the connection's leaves
			// the connection's a done channel and a map of children for
			// as long as it lasts.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 12*time.Second)
			defer cancel()
			timed = true
		}
		id, home, ok, err := reg.Resolve(ctx, n)
		if err != nil {
			return nil, protocol.ErrBusy // the client tries again in a moment
		}
		if !ok {
			continue
		}
		if k := d.Find(Name{ID, id}); k != nil {
			return k, "" // it came here meanwhile
		}
		if far == nil {
			continue
		}
		return far(ctx, id, home)
	}
	return nil, ""
}

// Find returns the place found by n, or nil.
func (d *Directory) Find(n Name) *Kernel {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.names[n]
}

var (
	errNoCode = errors.New("place: no free code")
	// ErrClosing says that the server is shutting down: no place is added.
	ErrClosing = errors.New("place: the server is closing")
	// ErrTaken says that another place has one of the names.
	ErrTaken = errors.New("place: a name is taken")
	// ErrTooMany says that the address that makes the place has too many
	// open already (Options.OpenPerAddress).
	ErrTooMany = errors.New("place: too many places open from one address")
)

// Add makes k findable by names and by a new code for each of fresh, all
// unused, here and in the service's registry, unless the server is closing.
// It returns the new codes, in the order asked. The place does not run
// until Run.
func (d *Directory) Add(k *Kernel, names []Name, fresh ...Fresh) ([]string, error) {
	reg, _ := d.registry()
	if reg == nil {
		return d.add(k, names, fresh)
	}
	if d.Closing() {
		return nil, ErrClosing
	}
	// The registry decides what is unused in the service; here, the names
	// are then the place's too.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var claimed []Name
	undo := func() {
		for _, n := range claimed {
			reg.Release(n, k.opt.ID)
		}
	}
	for _, n := range names {
		switch n.NS {
		case ID:
		case Token, Waiting:
			reg.Set(n, k.opt.ID, k.opt.Home)
		default:
			if err := reg.Claim(ctx, n, k.opt.ID, k.opt.Home); err != nil {
				undo()
				return nil, err
			}
			claimed = append(claimed, n)
		}
	}
	all := slices.Clone(names)
	codes := make([]string, len(fresh))
	for i, f := range fresh {
		for try := 0; ; try++ {
			if try == 100 {
				undo()
				return nil, errNoCode
			}
			c, err := NewCode(d.rand, f.Len)
			if err != nil {
				undo()
				return nil, err
			}
			n := Name{f.NS, c}
			if err := reg.Claim(ctx, n, k.opt.ID, k.opt.Home); errors.Is(err, ErrTaken) {
				continue
			} else if err != nil {
				undo()
				return nil, err
			}
			codes[i] = c
			claimed = append(claimed, n)
			all = append(all, n)
			break
		}
	}
	if _, err := d.add(k, all, nil); err != nil {
		undo()
		return nil, err
	}
	return codes, nil
}

// add is Add within this node.
func (d *Directory) add(k *Kernel, names []Name, fresh []Fresh) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return nil, ErrClosing
	}
	if by := k.opt.Creator; by != "" && d.opened[by] >= d.maxOpen {
		return nil, ErrTooMany
	}
	all := map[Name]bool{}
	for _, n := range names {
		if d.names[n] != nil || all[n] {
			return nil, fmt.Errorf("%w (namespace %d)", ErrTaken, n.NS)
		}
		all[n] = true
	}
	codes := make([]string, len(fresh))
	for i, f := range fresh {
		for try := 0; ; try++ {
			if try == 100 {
				return nil, errNoCode
			}
			c, err := NewCode(d.rand, f.Len)
			if err != nil {
				return nil, err
			}
			n := Name{f.NS, c}
			if d.names[n] == nil && !all[n] {
				codes[i] = c
				all[n] = true
				break
			}
		}
	}
	for n := range all {
		d.names[n] = k
		k.names[n] = true
	}
	if by := k.opt.Creator; by != "" {
		d.opened[by]++
		k.counted = true
	}
	return codes, nil
}

// Run starts k: from now on it runs whenever it has something to do.
func (d *Directory) Run(k *Kernel) {
	d.mu.Lock()
	d.live[k] = true
	d.wg.Add(1)
	d.mu.Unlock()
	k.start(func() {
		d.mu.Lock()
		delete(d.live, k)
		d.mu.Unlock()
		d.wg.Done()
	})
}

// Claim makes k findable by n too (a token's key), unless another place
// here has it.
func (d *Directory) Claim(k *Kernel, n Name) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if o := d.names[n]; o != nil && o != k {
		return false
	}
	d.names[n] = k
	k.names[n] = true
	if d.reg != nil && n.NS != ID { // d.mu is held
		d.reg.Set(n, k.opt.ID, k.opt.Home)
	}
	return true
}

// Renew gives k a new random code of n characters in ns in place of old,
// and returns it.
func (d *Directory) Renew(k *Kernel, old Name, n int) (string, error) {
	for range 100 {
		c, err := NewCode(d.rand, n)
		if err != nil {
			return "", err
		}
		name := Name{old.NS, c}
		if reg, _ := d.registry(); reg != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := reg.Claim(ctx, name, k.opt.ID, k.opt.Home)
			cancel()
			if errors.Is(err, ErrTaken) {
				continue
			} else if err != nil {
				return "", err
			}
			reg.Release(old, k.opt.ID)
		}
		d.mu.Lock()
		free := d.names[name] == nil
		if free {
			if d.names[old] == k {
				delete(d.names, old)
			}
			delete(k.names, old)
			d.names[name] = k
			k.names[name] = true
		}
		d.mu.Unlock()
		if free {
			return c, nil
		}
	}
	return "", errNoCode
}

// Release forgets that n finds k, here and in the service.
func (d *Directory) Release(k *Kernel, n Name) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.names[n] == k {
		delete(d.names, n)
	}
	delete(k.names, n)
	if d.reg != nil && n.NS != ID { // d.mu is held
		d.reg.Release(n, k.opt.ID)
	}
}

// Forget forgets every name of k, here and in the service: the place is
// over.
func (d *Directory) Forget(k *Kernel) {
	if reg, _ := d.registry(); reg != nil {
		d.mu.Lock()
		for n := range k.names {
			if n.NS != ID {
				reg.Release(n, k.opt.ID)
			}
		}
		d.mu.Unlock()
	}
	d.Remove(k)
}

// Remove forgets every name of k here, and the addresses its members came
// from; the service's registry keeps them (the place runs elsewhere now).
func (d *Directory) Remove(k *Kernel) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for n := range k.names {
		if d.names[n] == k {
			delete(d.names, n)
		}
	}
	clear(k.names)
	k.near = nil
	if k.counted {
		d.unopen(k.opt.Creator)
		k.counted = false
	}
}

// Each calls fn for every place running here.
func (d *Directory) Each(fn func(*Kernel)) {
	d.mu.Lock()
	all := make([]*Kernel, 0, len(d.live))
	for k := range d.live {
		all = append(all, k)
	}
	d.mu.Unlock()
	for _, k := range all {
		fn(k)
	}
}

// Closing reports whether the server is shutting down.
func (d *Directory) Closing() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closing
}

// Shutdown stops new places and new connections, has every place save
// itself, tell its clients that the server restarts and close their
// connections, and waits for them to finish or ctx to end.
func (d *Directory) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	d.closing = true
	all := make([]*Kernel, 0, len(d.live))
	for k := range d.live {
		all = append(all, k)
	}
	d.mu.Unlock()
	for _, k := range all {
		if err := k.stop(ctx); err != nil {
			return fmt.Errorf("place: shutdown: %w", err)
		}
	}
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("place: shutdown: %w", ctx.Err())
	}
}

// MarkReady says that the places that come back from a store are back.
func (d *Directory) MarkReady() { d.readyOnce.Do(func() { close(d.ready) }) }

// IsReady reports whether MarkReady has been called.
func (d *Directory) IsReady() bool {
	select {
	case <-d.ready:
		return true
	default:
		return false
	}
}

// WaitReady waits for MarkReady, for ctx, or for Options.ReadyWait, and
// reports whether the directory is ready.
func (d *Directory) WaitReady(ctx context.Context) bool {
	if d.IsReady() {
		return true
	}
	t := time.NewTimer(d.wait)
	defer t.Stop()
	select {
	case <-d.ready:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

// relate notes that a member of k came from addr, here and in the service.
func (d *Directory) relate(k *Kernel, addr string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reg != nil {
		d.reg.Relate(k.opt.ID, addr) // kept while the address keeps coming
	}
	if k.near == nil {
		k.near = map[string]bool{}
	}
	max := k.opt.Near
	if max <= 0 {
		max = 64
	}
	if len(k.near) < max {
		k.near[addr] = true
	}
}

// near reports whether a member of k came from addr, on any node.
func (d *Directory) near(ctx context.Context, k *Kernel, addr string) bool {
	d.mu.Lock()
	here, reg := k.near[addr], d.reg
	d.mu.Unlock()
	return here || reg != nil && reg.Near(ctx, k.opt.ID, addr)
}
