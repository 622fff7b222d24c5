package workshop

import (
	"errors"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/place"
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
	Rooms  *room.Hub        // makes and follows the pairs' rooms
	Places *place.Directory // where workshops live; nil: the rooms' directory
	// Home says which node this is, where its workshops live for good (a
	// workshop is not kept: it ends with its node); nil: a server alone.
	Home   func() place.Home
	Log    zerolog.Logger
	Config Config
	Now    func() time.Time // nil: time.Now
}

// Manager makes trainers' workshops. Its Create is the directory's
// place.Creator for protocol.WantWorkshop; once made, a workshop is a place
// of the directory like any room.
type Manager struct {
	rooms  *room.Hub
	places *place.Directory
	log    zerolog.Logger
	cfg    Config
	room   room.Config
	now    func() time.Time
	home   func() place.Home
	open   atomic.Int64 // workshops open
}

// New makes the manager. Hellos reach it once the directory is told to
// hand it those that want a workshop (place.Directory.Handle).
func New(o Options) *Manager {
	o.Config.defaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Places == nil {
		o.Places = o.Rooms.Places()
	}
	if o.Home == nil {
		o.Home = func() place.Home { return place.Home{} }
	}
	return &Manager{rooms: o.Rooms, places: o.Places, log: o.Log, cfg: o.Config, room: o.Rooms.Config(), now: o.Now, home: o.Home}
}

// Workshops returns how many workshops are open.
func (m *Manager) Workshops() int { return int(m.open.Load()) }

// Create makes a workshop for a trainer (from the address by) and starts
// it.
func (m *Manager) Create(hello protocol.Hello, by string) (*place.Kernel, rules.Code) {
	if utf8.RuneCountInString(hello.Nick) > rules.MaxNick {
		return nil, rules.ErrTooLong
	}
	if m.open.Add(1) > int64(m.cfg.MaxWorkshops) {
		m.open.Add(-1)
		return nil, protocol.ErrBusy
	}
	id, err := place.NewCode(m.places.Rand(), 12)
	if err != nil {
		m.open.Add(-1)
		return nil, protocol.ErrBusy
	}
	w := newWorkshop(m, id, hello, by)
	// Its code is typed where a room's is: the two never clash.
	codes, err := m.places.Add(w.k, []place.Name{{NS: place.ID, S: id}}, place.Fresh{NS: place.Code, Len: place.CodeLen})
	if err != nil {
		m.open.Add(-1)
		if errors.Is(err, place.ErrTooMany) {
			return nil, protocol.ErrRateLimited
		}
		return nil, protocol.ErrBusy
	}
	w.code = codes[0]
	m.places.Run(w.k)
	w.log.Info().Msg("workshop created")
	return w.k, ""
}

// forget removes every trace of w from the directory.
func (m *Manager) forget(w *Workshop) {
	m.places.Forget(w.k)
	m.open.Add(-1)
}
