package workshop

import (
	"context"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Config tunes the workshops. Zero fields take the defaults below; the
// window, heartbeat and dead-connection times are the hub's.
type Config struct {
	MaxWorkshops int           // workshops on this server at once
	Poll         time.Duration // how often each room is asked for its progress
	Flush        time.Duration // how long a changed dashboard may wait, so a burst of joins makes one frame
	Inbox        int           // a workshop's inbox
}

func (c *Config) defaults() {
	if c.MaxWorkshops <= 0 {
		c.MaxWorkshops = 500
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Flush <= 0 {
		c.Flush = 200 * time.Millisecond
	}
	if c.Inbox <= 0 {
		c.Inbox = 64
	}
}

// Options are what the workshops need from the outside world.
type Options struct {
	Hub    *room.Hub
	Log    zerolog.Logger
	Config Config
	Now    func() time.Time // nil: time.Now
}

// Manager knows every workshop on this server. It is the hub's Gates: New
// sets it on the hub.
type Manager struct {
	hub  *room.Hub
	log  zerolog.Logger
	cfg  Config
	room room.Config
	now  func() time.Time

	mu      sync.Mutex
	closing bool
	byCode  map[string]*Workshop
	byKey   map[room.Key]*Workshop // the trainer's token and every participant's
	wg      sync.WaitGroup
}

// New makes the manager and lets the hub's Hellos reach it.
func New(o Options) *Manager {
	o.Config.defaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manager{
		hub: o.Hub, log: o.Log, cfg: o.Config, room: o.Hub.Config(), now: o.Now,
		byCode: map[string]*Workshop{}, byKey: map[room.Key]*Workshop{},
	}
	o.Hub.SetGates(m)
	return m
}

// Knows reports whether hello's code or token is a workshop's, and whether
// a member of that workshop came from addr.
func (m *Manager) Knows(hello protocol.Hello, addr string) (known, near bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.find(hello)
	if w == nil {
		return false, false
	}
	return true, w.near[addr]
}

// find returns the workshop hello names. Called with m.mu held.
func (m *Manager) find(hello protocol.Hello) *Workshop {
	switch hello.Want {
	case protocol.WantJoin:
		return m.byCode[room.NormalizeCode(hello.Code)]
	case protocol.WantResume:
		return m.byKey[room.KeyOf(hello.Token)]
	}
	return nil
}

// Workshops returns how many workshops are open.
func (m *Manager) Workshops() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byCode)
}

// Enter gives a connection its place in a workshop: a new one with the
// connection as its trainer, or a participant's place, new or taken back.
func (m *Manager) Enter(ctx context.Context, addr string, p room.Peer, hello protocol.Hello) (room.Handle, rules.Code) {
	var w *Workshop
	if hello.Want == protocol.WantWorkshop {
		var code rules.Code
		if w, code = m.create(hello); code != "" {
			return nil, code
		}
	} else {
		m.mu.Lock()
		w = m.find(hello)
		m.mu.Unlock()
		if w == nil {
			if hello.Want == protocol.WantResume {
				return nil, protocol.ErrBadToken
			}
			return nil, protocol.ErrNoRoom
		}
	}
	req := enter{peer: p, hello: hello, reply: make(chan entered, 1)}
	select {
	case w.inbox <- req:
	case <-w.done:
		return nil, protocol.ErrWorkshopClosed
	case <-ctx.Done():
		return nil, protocol.ErrBusy
	}
	select {
	case res := <-req.reply:
		if res.member == nil {
			return nil, res.code
		}
		m.relate(w, addr)
		return res.member, ""
	case <-w.done:
		return nil, protocol.ErrWorkshopClosed
	case <-ctx.Done():
		return nil, protocol.ErrBusy
	}
}

// create makes a workshop for a trainer and starts its goroutine.
func (m *Manager) create(hello protocol.Hello) (*Workshop, rules.Code) {
	if utf8.RuneCountInString(hello.Nick) > rules.MaxNick {
		return nil, rules.ErrTooLong
	}
	id, _, err := m.hub.NewToken()
	if err != nil {
		return nil, protocol.ErrBusy
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closing || len(m.byCode) >= m.cfg.MaxWorkshops {
		return nil, protocol.ErrBusy
	}
	code, err := m.hub.ReserveCode()
	if err != nil {
		return nil, protocol.ErrBusy
	}
	w := newWorkshop(m, id[:12], code, hello)
	m.byCode[code] = w
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		w.run()
	}()
	w.log.Info().Msg("workshop created")
	return w, ""
}

// maxNear bounds how many client addresses a workshop remembers.
const maxNear = 256

// relate notes that a member of w came from addr: an address that has
// guessed too many codes may still reach the workshops its own devices are
// in (see room's failLimiter).
func (m *Manager) relate(w *Workshop, addr string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w.near == nil {
		w.near = map[string]bool{}
	}
	if len(w.near) < maxNear {
		w.near[addr] = true
	}
}

// addKey lets a token find its workshop.
func (m *Manager) addKey(k room.Key, w *Workshop) {
	m.mu.Lock()
	m.byKey[k] = w
	m.mu.Unlock()
}

// dropKey forgets a token.
func (m *Manager) dropKey(k room.Key) {
	m.mu.Lock()
	delete(m.byKey, k)
	m.mu.Unlock()
}

// forget removes every trace of w.
func (m *Manager) forget(w *Workshop, keys []room.Key) {
	m.mu.Lock()
	delete(m.byCode, w.code)
	for _, k := range keys {
		if m.byKey[k] == w {
			delete(m.byKey, k)
		}
	}
	w.near = nil
	m.mu.Unlock()
	m.hub.ReleaseCode(w.code)
}

// Shutdown tells every workshop's connections that the server restarts and
// closes them. Workshops are not kept: their rooms are.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closing = true
	all := make([]*Workshop, 0, len(m.byCode))
	for _, w := range m.byCode {
		all = append(all, w)
	}
	m.mu.Unlock()
	for _, w := range all {
		select {
		case w.inbox <- shutdown{}:
		case <-w.done:
		case <-ctx.Done():
			return fmt.Errorf("workshop: shutdown: %w", ctx.Err())
		}
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("workshop: shutdown: %w", ctx.Err())
	}
}
