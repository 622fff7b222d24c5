package room

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"

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
	// snapshot (checked each tick). A graceful shutdown writes every room whatever the time;
	// a crash loses at most this much play. Writing a snapshot costs the
	// server more than an action does, so the everyday load (a card
	// every few seconds in thousands of rooms) would otherwise spend most
	// of its time saving (see BENCHMARKS.md).
	SaveEvery time.Duration
	MaxRooms  int
	Inbox     int // a room's inbox
	Recent    int // frames a seat keeps for a client that comes back

	// FailedJoins is how many wrong codes or tokens one address may try in a
	// burst, refilled at one per FailRefill.
	FailedJoins int
	FailRefill  time.Duration

	// RestoreWait is how long a connection whose room is not found waits
	// while rooms are still being restored after a start.
	RestoreWait time.Duration
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
	def(&c.SaveEvery, 6*c.Tick) // 30 s
	def(&c.FailRefill, 6*time.Second)
	def(&c.RestoreWait, 10*time.Second)
	if c.MaxRooms <= 0 {
		c.MaxRooms = 20000
	}
	if c.Inbox <= 0 {
		c.Inbox = 64
	}
	if c.Recent <= 0 {
		c.Recent = 32
	}
	if c.FailedJoins <= 0 {
		c.FailedJoins = 10
	}
}

// Hub knows every room on this server.
type Hub struct {
	cfg   Config
	lib   *rules.Library
	log   zerolog.Logger
	rand  io.Reader
	now   func() time.Time
	store Store // set by NewHub, or by Restore before any room runs
	fails *failLimiter
	stats Stats
	acted func(code string, seat rules.SeatID, id uint64)

	restored    chan struct{} // closed once Restore has run (at once for a hub that keeps nothing)
	restoreOnce sync.Once

	mu      sync.Mutex
	closing bool
	rooms   map[string]*Room // by internal id
	byCode  map[string]*Room
	byWatch map[string]*Room
	byToken map[tokenKey]*Room
	wg      sync.WaitGroup

	// Workshops (gate.go); mu guards both.
	gates    Gates
	reserved map[string]bool // codes the gates hold
}

// Options are what a Hub needs from the outside world.
type Options struct {
	Config  Config
	Library *rules.Library // the bundled decks
	Log     zerolog.Logger
	Rand    io.Reader        // nil: crypto/rand
	Now     func() time.Time // nil: time.Now

	// Store is where room snapshots go; nil keeps none. Durable says that
	// the store comes later, with Restore. A hub with a store, or a durable
	// one, expects Restore to be called once: until it has run, a new room
	// waits for it, and so does a client whose room is not found
	// (Config.RestoreWait).
	Store   Store
	Durable bool

	// Acted, when set, is called from a room's goroutine each time it
	// evaluates a client's action (applied or refused), with the room's
	// code, the seat and the action's id: tests check with it that no
	// action is lost or applied twice.
	Acted func(code string, seat rules.SeatID, id uint64)
}

// NewHub makes a hub.
func NewHub(o Options) *Hub {
	o.Config.defaults()
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Hub{
		cfg: o.Config, lib: o.Library, log: o.Log, rand: o.Rand, now: o.Now, store: o.Store, acted: o.Acted,
		fails:    newFailLimiter(o.Config.FailedJoins, o.Config.FailRefill, o.Now),
		restored: make(chan struct{}),
		rooms:    map[string]*Room{},
		byCode:   map[string]*Room{},
		byWatch:  map[string]*Room{},
		byToken:  map[tokenKey]*Room{},
	}
	if o.Store == nil {
		h.store = nopStore{}
		if !o.Durable {
			h.markRestored()
		}
	}
	return h
}

// SetLibrary gives the hub its decks when they were not ready for NewHub.
// Call it before Restore: until restoring is done no room is made or
// found, so nothing reads the library before it is set.
func (h *Hub) SetLibrary(lib *rules.Library) {
	if h.isRestored() {
		panic("room: SetLibrary after Restore")
	}
	h.lib = lib
}

// Library returns the hub's decks (nil before SetLibrary).
func (h *Hub) Library() *rules.Library {
	if !h.isRestored() {
		return nil
	}
	return h.lib
}

// Config returns the hub's settings, defaults filled in.
func (h *Hub) Config() Config { return h.cfg }

// Open gives a new connection its seat, as its Hello asks. addr stands for
// the client's address (an opaque key: package conn hashes it), used only to
// limit wrong guesses; it is never logged.
func (h *Hub) Open(ctx context.Context, addr string, p Peer, hello protocol.Hello) (Handle, rules.Code) {
	h.stats.in.Add(1)
	if hello.V < protocol.MinVersion || hello.V > protocol.Version {
		return nil, protocol.ErrVersion
	}
	// A token is too long to guess, so a resume is never held back; codes
	// are short enough that an address which guessed wrong too often may
	// only reach rooms its own devices are in (see near).
	limited := (hello.Want == protocol.WantJoin || hello.Want == protocol.WantWatch) && !h.fails.allow(addr)
	var r *Room
	req := attach{peer: p, hello: hello, reply: make(chan attached, 1)}
	switch hello.Want {
	case protocol.WantCreate:
		// A new room waits for the restored ones, so its codes cannot
		// collide with theirs.
		if !h.waitRestored(ctx) {
			return nil, protocol.ErrBusy
		}
		var code rules.Code
		if r, code = h.create(hello); code != "" {
			return nil, code
		}
	case protocol.WantJoin, protocol.WantWatch, protocol.WantResume:
		r = h.find(hello)
		if r == nil && !h.isRestored() {
			// Its room may be among those still being restored.
			if !h.waitRestored(ctx) {
				return nil, protocol.ErrBusy
			}
			r = h.find(hello)
		}
		h.mu.Lock()
		closing := h.closing
		h.mu.Unlock()
		if closing {
			return nil, protocol.ErrBusy
		}
		if r == nil && hello.Want != protocol.WantWatch {
			if m, code, ok := h.openGate(ctx, addr, p, hello, limited); ok {
				return m, code
			}
		}
		if limited && (r == nil || !h.near(r, addr)) {
			return nil, protocol.ErrRateLimited
		}
		if r == nil {
			h.fails.fail(addr)
			if hello.Want == protocol.WantResume {
				return nil, protocol.ErrBadToken
			}
			return nil, protocol.ErrNoRoom
		}
	case protocol.WantWorkshop:
		if m, code, ok := h.openGate(ctx, addr, p, hello, false); ok {
			return m, code
		}
		return nil, protocol.ErrBadMessage
	default:
		return nil, protocol.ErrBadMessage
	}
	select {
	case r.inbox <- req:
	case <-r.done:
		return nil, r.endCode()
	case <-ctx.Done():
		return nil, protocol.ErrBusy
	}
	select {
	case res := <-req.reply:
		if res.code == protocol.ErrBadToken {
			h.fails.fail(addr)
		}
		if res.member == nil {
			return nil, res.code
		}
		h.relate(r, addr)
		return res.member, res.code
	case <-r.done:
		return nil, r.endCode()
	case <-ctx.Done():
		return nil, protocol.ErrBusy
	}
}

// find looks up the room a join, watch or resume asks for.
func (h *Hub) find(hello protocol.Hello) *Room {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch hello.Want {
	case protocol.WantJoin:
		return h.byCode[NormalizeCode(hello.Code)]
	case protocol.WantWatch:
		return h.byWatch[NormalizeCode(hello.Code)]
	default:
		return h.byToken[keyOf(hello.Token)]
	}
}

// create makes a room for a host and starts its goroutine.
func (h *Hub) create(hello protocol.Hello) (*Room, rules.Code) {
	if len([]rune(hello.Nick)) > rules.MaxNick {
		return nil, rules.ErrTooLong
	}
	st, code := h.newState(hello.Nick, hello.Lang)
	if code != "" {
		return nil, code
	}
	st.Seats[0].Online = false // until the host's connection is attached
	r, code := h.add(st, nil)
	if code != "" {
		return nil, code
	}
	h.log.Info().Str("room", r.id).Msg("room created")
	return r, ""
}

// newState is a new game for a host, seeded from the hub's randomness.
func (h *Hub) newState(nick, lang string) (rules.State, rules.Code) {
	var seed [8]byte
	if _, err := io.ReadFull(h.rand, seed[:]); err != nil {
		return rules.State{}, protocol.ErrBusy
	}
	return rules.New(binary.LittleEndian.Uint64(seed[:]), h.lib, nick, lang), ""
}

// add makes a room of st with codes of its own and starts its goroutine,
// unless the hub is closing or full. seats, if given, tells the hub about
// the room's seats while its lock is held, before anyone can find the room.
func (h *Hub) add(st rules.State, seats func(r *Room)) (*Room, rules.Code) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing || len(h.rooms) >= h.cfg.MaxRooms {
		return nil, protocol.ErrBusy
	}
	id, code, watch, err := h.newCodes()
	if err != nil {
		return nil, protocol.ErrBusy
	}
	r := newRoom(h, id, code, watch, st)
	if seats != nil {
		seats(r)
	}
	h.register(r)
	h.start(r)
	return r, ""
}

// newCodes picks an internal id, a room code and a spectator code that are
// all unused. Called with h.mu held.
func (h *Hub) newCodes() (id, code, watch string, err error) {
	for range 100 {
		if id, err = newCode(h.rand, 12); err != nil {
			return
		}
		if code, err = newCode(h.rand, CodeLen); err != nil {
			return
		}
		if watch, err = newCode(h.rand, WatchLen); err != nil {
			return
		}
		if h.rooms[id] == nil && h.byCode[code] == nil && h.byWatch[watch] == nil && !h.reserved[code] {
			return id, code, watch, nil
		}
	}
	return "", "", "", errors.New("room: no free code")
}

// register makes r findable. Called with h.mu held.
func (h *Hub) register(r *Room) {
	h.rooms[r.id] = r
	h.byCode[r.code] = r
	h.byWatch[r.watch] = r
	h.stats.rooms.Add(1)
}

func (h *Hub) start(r *Room) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		r.run()
	}()
}

// addToken lets a seat's token find its room.
func (h *Hub) addToken(k tokenKey, r *Room) {
	h.mu.Lock()
	h.byToken[k] = r
	h.mu.Unlock()
}

// dropToken forgets a token.
func (h *Hub) dropToken(k tokenKey) {
	h.mu.Lock()
	delete(h.byToken, k)
	h.mu.Unlock()
}

// forget removes every trace of r from the hub.
func (h *Hub) forget(r *Room, keys []tokenKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r {
		return
	}
	delete(h.rooms, r.id)
	delete(h.byCode, r.code)
	delete(h.byWatch, r.watch)
	for _, k := range keys {
		if h.byToken[k] == r {
			delete(h.byToken, k)
		}
	}
	h.stats.rooms.Add(-1)
}

// Rooms returns how many rooms are open.
func (h *Hub) Rooms() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms)
}

// Shutdown stops new rooms, asks every room to save itself, tell its clients
// that the server restarts and close their connections, and waits for the
// rooms to finish or ctx to end.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	gates := h.gates
	rooms := make([]*Room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	if gates != nil {
		if err := gates.Shutdown(ctx); err != nil {
			return err
		}
	}
	for _, r := range rooms {
		select {
		case r.inbox <- shutdown{}:
		case <-r.done:
		case <-ctx.Done():
			return fmt.Errorf("room: shutdown: %w", ctx.Err())
		}
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("room: shutdown: %w", ctx.Err())
	}
}

// KnowsToken reports whether token is a seat's token in an open room. An
// upload checks it before reading its file, so a stranger's upload costs
// the server nothing.
func (h *Hub) KnowsToken(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byToken[keyOf(token)] != nil
}

// Upload adds a deck the host brought to the host's room. token must be the
// host's seat token.
func (h *Hub) Upload(ctx context.Context, token string, d *deck.Deck) rules.Code {
	k := keyOf(token)
	h.mu.Lock()
	r := h.byToken[k]
	h.mu.Unlock()
	if r == nil {
		return protocol.ErrBadToken
	}
	req := upload{key: k, deck: d, reply: make(chan rules.Code, 1)}
	select {
	case r.inbox <- req:
	case <-r.done:
		return r.endCode()
	case <-ctx.Done():
		return protocol.ErrBusy
	}
	select {
	case code := <-req.reply:
		return code
	case <-r.done:
		return r.endCode()
	case <-ctx.Done():
		return protocol.ErrBusy
	}
}

// Views returns every seat's view of the room with code as the room sees it
// now, by seat id, or false when no room has that code. Tests compare them
// with the views clients built from updates.
func (h *Hub) Views(ctx context.Context, code string) ([]rules.View, bool) {
	h.mu.Lock()
	r := h.byCode[NormalizeCode(code)]
	h.mu.Unlock()
	if r == nil {
		return nil, false
	}
	req := peek{reply: make(chan []rules.View, 1)}
	select {
	case r.inbox <- req:
	case <-r.done:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
	select {
	case v := <-req.reply:
		return v, true
	case <-r.done:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}
