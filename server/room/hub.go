package room

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Config tunes the rooms. Zero fields take the defaults below.
type Config struct {
	Window    time.Duration // a seat waits this long for a client that went away
	Heartbeat time.Duration // how often clients ping
	DeadAfter time.Duration // a connection silent this long is dropped
	Tick      time.Duration // how often a room looks after itself
	// SaveEvery is how often at most a room that changed writes its
	// snapshot (checked each tick), and SaveAfter how many entries of
	// its log since its last snapshot make it write one sooner, which
	// bounds the log a restore reads. A snapshot is only the checkpoint
	// a restore replays the log on (a crash loses what the log had not
	// kept, see LogEvery), so it is written seldom: it costs the server
	// several actions' worth, and a snapshot every 30 s took about a
	// tenth of its CPU under the everyday load (a card every few seconds
	// in thousands of rooms; BENCHMARKS.md, "Snapshots seldom"). A
	// graceful shutdown writes every room whatever the time.
	SaveEvery time.Duration
	SaveAfter int
	// LogEvery is how long at most what happens in a room waits to be
	// written to its log, and LogLag how far behind the log may fall
	// (its store slow for a moment) before the room holds its clients'
	// actions until it catches up: a crash loses at most LogLag of a
	// game.
	LogEvery time.Duration
	LogLag   time.Duration
	MaxRooms int
	Inbox    int // a room's inbox
	Recent   int // frames a seat keeps for a client that comes back

	// EraseAgain is how long after an erasure the store refused it is
	// tried again (see eraseLater), doubling up to a minute.
	EraseAgain time.Duration

	// LobbyWindow is how long a room waits for a host who went away
	// before anyone took part: a room nobody played in is not kept for
	// the whole Window.
	LobbyWindow time.Duration
	// KnocksPerAddress bounds the players one address may have knocking
	// on a room at once, WatchersPerAddress its spectators: one address
	// never holds every place at the door or in the audience.
	KnocksPerAddress   int
	WatchersPerAddress int
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Window, 10*time.Minute)
	def(&c.Heartbeat, 10*time.Second)
	def(&c.DeadAfter, 30*time.Second)
	def(&c.Tick, 5*time.Second)
	def(&c.SaveEvery, 5*time.Minute)
	if c.SaveAfter <= 0 {
		c.SaveAfter = 256
	}
	def(&c.LogEvery, 50*time.Millisecond)
	def(&c.LogLag, 150*time.Millisecond)
	def(&c.EraseAgain, 5*time.Second)
	def(&c.LobbyWindow, 2*time.Minute)
	if c.KnocksPerAddress <= 0 {
		c.KnocksPerAddress = rules.MaxPlayers
	}
	if c.WatchersPerAddress <= 0 {
		c.WatchersPerAddress = 60
	}
	if c.MaxRooms <= 0 {
		c.MaxRooms = 20000
	}
	if c.Inbox <= 0 {
		c.Inbox = 64
	}
	if c.Recent <= 0 {
		c.Recent = 32
	}
}

// Hub makes the game's rooms and knows how they are doing. The rooms are
// places of a place.Directory, which finds them by code and token.
type Hub struct {
	cfg     Config
	lib     *rules.Library
	log     zerolog.Logger
	now     func() time.Time
	places  *place.Directory
	store   Store // set by NewHub, or by Restore before any room runs; nil keeps nothing
	stats   Stats
	acted   func(code string, seat rules.SeatID, id uint64)
	keptAct func(code string, seat rules.SeatID, id uint64)
	resumed func(code string, seat rules.SeatID, lastAct uint64)
	holds   func(epoch string) bool // whether this node's lease holds under epoch; nil: always
	remote  Remote                  // rooms on other nodes; nil: there are none
	phase   time.Duration           // of the node's log ticks (untilFlush)
}

// Options are what a Hub needs from the outside world.
type Options struct {
	Config  Config
	Library *rules.Library // the bundled decks
	Log     zerolog.Logger
	Now     func() time.Time // nil: time.Now

	// Places is the directory the rooms live in, with the server's other
	// places. Nil: a directory of the hub's own, with Rand, whose Hellos
	// that want a room reach the hub (tests, tools).
	Places *place.Directory
	Rand   io.Reader // only for a directory of the hub's own; nil: crypto/rand

	// Store is where room snapshots go; nil keeps none. Durable says that
	// the store comes later, with Restore. A hub with a store, or a durable
	// one, expects Restore to be called once: until it has run, a new room
	// waits for it, and so does a client whose room is not found (see
	// place.Options.ReadyWait). A directory the caller gives waits for
	// its own MarkReady, which Restore calls.
	Store   Store
	Durable bool

	// Holds, when set, says whether this node's lease holds under an epoch
	// (package node): a room kept under a claim of an epoch (Claim.Epoch)
	// applies nothing once the lease of that epoch is gone.
	Holds func(epoch string) bool

	// Acted, when set, is called from a room's goroutine each time it
	// evaluates a client's action (applied or refused), with the room's
	// code, the seat and the action's id, once the room has checked its
	// node's lease and before the rules run: tests check with it that no
	// action is lost or applied twice, nor applied under a lapsed lease.
	Acted func(code string, seat rules.SeatID, id uint64)
	// Kept, when set, is called from a room's goroutine when the store has
	// kept a client's action and its answer goes out: tests tell with it an
	// action the store had not kept when its node stopped (and may be
	// evaluated again) from one it had.
	Kept func(code string, seat rules.SeatID, id uint64)
	// Resumed, when set, is called when a room comes back from the store
	// (a restart, a takeover), with each seat's last action id as the
	// store kept it: tests check with it that nothing was lost.
	Resumed func(code string, seat rules.SeatID, lastAct uint64)
}

// NewHub makes a hub.
func NewHub(o Options) *Hub {
	o.Config.defaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Hub{cfg: o.Config, lib: o.Library, log: o.Log, now: o.Now, store: o.Store, places: o.Places, acted: o.Acted, keptAct: o.Kept, resumed: o.Resumed, holds: o.Holds,
		phase: rand.N(o.Config.LogEvery)}
	if h.places == nil {
		h.places = place.New(place.Options{Log: o.Log, Rand: o.Rand, Now: o.Now, Ready: o.Store == nil && !o.Durable})
		h.places.Handle(protocol.WantCreate, h.Create)
	}
	return h
}

// Places is the directory the hub's rooms live in.
func (h *Hub) Places() *place.Directory { return h.places }

// SetLibrary gives the hub its decks when they were not ready for NewHub.
// Call it before Restore: until restoring is done no room is made or
// found, so nothing reads the library before it is set.
func (h *Hub) SetLibrary(lib *rules.Library) {
	if h.places.IsReady() {
		panic("room: SetLibrary after Restore")
	}
	h.lib = lib
}

// Library returns the hub's decks (nil before SetLibrary).
func (h *Hub) Library() *rules.Library {
	if !h.places.IsReady() {
		return nil
	}
	return h.lib
}

// Config returns the hub's settings, defaults filled in.
func (h *Hub) Config() Config { return h.cfg }

// Open gives a new connection its seat, as its Hello asks, through the
// hub's directory (see place.Directory.Open).
func (h *Hub) Open(ctx context.Context, addr string, p place.Peer, hello protocol.Hello) (*place.Member, rules.Code) {
	return h.places.Open(ctx, addr, p, hello)
}

// Create makes a room for a host (a Hello that wants a new room, from the
// address by) and starts it: the directory's place.Creator for
// protocol.WantCreate.
func (h *Hub) Create(hello protocol.Hello, by string) (*place.Kernel, rules.Code) {
	if len([]rune(hello.Nick)) > rules.MaxNick {
		return nil, rules.ErrTooLong
	}
	st, code := h.newState(hello.Nick, hello.Lang)
	if code != "" {
		return nil, code
	}
	st.Seats[0].Online = false // until the host's connection is attached
	r, code := h.add(st, nil, by, nil)
	if code != "" {
		return nil, code
	}
	h.log.Info().Str("room", r.id).Msg("room created")
	return r.k, ""
}

// newState is a new game for a host, seeded from the directory's randomness.
func (h *Hub) newState(nick, lang string) (rules.State, rules.Code) {
	var seed [8]byte
	if _, err := io.ReadFull(h.places.Rand(), seed[:]); err != nil {
		return rules.State{}, protocol.ErrBusy
	}
	return rules.New(binary.LittleEndian.Uint64(seed[:]), h.lib, nick, lang), ""
}

// add makes a room of st with codes of its own and starts it, unless the
// server is closing or full, or the address by (empty: the server itself)
// has too many rooms open. keys are tokens that find the room from the
// start (a workshop's pair), and prepare, if given, sets the room up before
// it runs.
func (h *Hub) add(st rules.State, keys []place.Key, by string, prepare func(*Room)) (*Room, rules.Code) {
	if h.stats.rooms.Add(1) > int64(h.cfg.MaxRooms) {
		h.stats.rooms.Add(-1)
		return nil, protocol.ErrBusy
	}
	// The internal id names the room in logs and in the store: unique
	// among the rooms a store keeps, so it is a name in the directory too.
	id, err := place.NewCode(h.places.Rand(), 12)
	if err != nil {
		h.stats.rooms.Add(-1)
		return nil, protocol.ErrBusy
	}
	r := newRoom(h, id, st, by)
	names := []place.Name{{NS: place.ID, S: id}}
	for _, k := range keys {
		names = append(names, place.TokenName(k))
	}
	codes, err := h.places.Add(r.k, names, place.Fresh{NS: place.Code, Len: place.CodeLen}, place.Fresh{NS: place.Watch, Len: place.WatchLen})
	if err != nil {
		h.stats.rooms.Add(-1)
		if errors.Is(err, place.ErrTooMany) {
			return nil, protocol.ErrRateLimited
		}
		return nil, protocol.ErrBusy
	}
	r.code, r.watch = codes[0], codes[1]
	if prepare != nil {
		prepare(r)
	}
	if h.store != nil {
		// The room is kept from its first moment: its snapshot now, and
		// from then on its log.
		b, err := msgpack.Marshal(r.record())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			r.claim, err = h.store.Create(ctx, r.id, b)
			cancel()
		}
		if err != nil {
			h.log.Warn().Err(err).Msg("a new room could not be kept")
			h.places.Forget(r.k)
			h.stats.rooms.Add(-1)
			return nil, protocol.ErrBusy
		}
		r.wrote, r.savedN = h.now(), r.n
	}
	h.places.Run(r.k)
	return r, ""
}

// forget removes every trace of r from the directory: from the service's
// registry too when the room is over, and from this node only when it
// lives on elsewhere.
func (h *Hub) forget(r *Room, over bool) {
	if over {
		h.places.Forget(r.k)
	} else {
		h.places.Remove(r.k)
	}
	h.stats.rooms.Add(-1)
}

// Rooms returns how many rooms are open.
func (h *Hub) Rooms() int { return int(h.stats.rooms.Load()) }

// Shutdown stops the hub's directory: every room (and every other place
// there) saves itself, tells its clients that the server restarts and
// closes their connections. It waits for them, or for ctx.
func (h *Hub) Shutdown(ctx context.Context) error { return h.places.Shutdown(ctx) }

// room returns the room n finds, or nil.
func (h *Hub) room(n place.Name) *Room {
	k := h.places.Find(n)
	if k == nil {
		return nil
	}
	r, _ := k.Handler().(*Room)
	return r
}

// KnowsToken reports whether token is a seat's token in an open room. An
// upload checks it before reading its file, so a stranger's upload costs
// the server nothing.
func (h *Hub) KnowsToken(token string) bool {
	return h.room(place.TokenName(place.KeyOf(token))) != nil
}

// Upload adds a deck the host brought to the host's room. token must be the
// host's seat token.
func (h *Hub) Upload(ctx context.Context, token string, d *deck.Deck) rules.Code {
	k := place.KeyOf(token)
	r := h.room(place.TokenName(k))
	if r == nil {
		return protocol.ErrBadToken
	}
	var code rules.Code
	if !r.k.Do(ctx, func() { code = r.upload(k, d) }) {
		if ctx.Err() != nil {
			return protocol.ErrBusy
		}
		return r.Gone()
	}
	return code
}

// Views returns every seat's view of the room with code as the room sees it
// now, by seat id, or false when no room has that code. Tests compare them
// with the views clients built from updates.
func (h *Hub) Views(ctx context.Context, code string) ([]rules.View, bool) {
	r := h.room(place.Name{NS: place.Code, S: place.NormalizeCode(code)})
	if r == nil {
		return nil, false
	}
	var views []rules.View
	ok := r.k.Do(ctx, func() {
		views = make([]rules.View, len(r.state.Seats))
		for i := range views {
			views[i] = r.viewFor(rules.SeatID(i))
		}
	})
	return views, ok
}

// Progress returns the progress of the room with code as the room sees it
// now, or false when no room has that code. Tests compare a trainer's
// dashboard with it.
func (h *Hub) Progress(ctx context.Context, code string) (rules.Progress, bool) {
	r := h.room(place.Name{NS: place.Code, S: place.NormalizeCode(code)})
	if r == nil {
		return rules.Progress{}, false
	}
	var p rules.Progress
	ok := r.k.Do(ctx, func() { p = rules.ProgressOf(&r.state) })
	return p, ok
}
