// Package session is a client's connection to the game server, free of any
// drawing code so that the Ebiten client, the bot, the load generator and
// tests share it. A Session connects, says hello, keeps the seat's view up to
// date from the server's events, sends actions with ids that make a resend
// harmless, pings so a dead connection is noticed, and reconnects on its own,
// taking its seat back with its token.
//
// Nothing here blocks the caller: State returns the newest state at once,
// Act queues, and changes are announced through OnChange and Events.
package session

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Status is how the connection is doing.
type Status uint8

// Statuses.
const (
	Connecting   Status = iota // first contact
	Online                     // seated and up to date
	Reconnecting               // lost the connection; trying again
	Ended                      // over: the room closed, the seat is gone, or Close was called
)

// State is what the client knows at one moment. It is never changed after it
// is published; a newer one replaces it.
type State struct {
	Status  Status
	View    rules.View // valid once HasView
	HasView bool
	Seq     uint64
	Seat    rules.SeatID
	Role    rules.Role
	Code    string // the room's code, for the join link
	Watch   string // the spectator code (the host only)
	Token   string
	Err     rules.Code // why the session ended, or the last connection error
	Pending int        // actions sent but not yet acknowledged
	Legal   rules.Legal
	Closed  int // the WebSocket close status the server last sent (1012: it restarts), or 0
	// Local says the room runs on this device alone (Table), with no
	// server: nobody can join it, and nothing of it leaves the device.
	Local bool

	// In a workshop (workshop.go): its code, whether this is its trainer,
	// the trainer's newest dashboard, and whether a participant has been
	// paired into a room (their seat's view follows).
	Workshop  string
	Trainer   bool
	Dashboard *protocol.Dashboard
	Paired    bool
}

// Event is something the UI may want to show once: a reaction, a refused
// action, a notice.
type Event struct {
	Rules  *rules.Event     // an event from the room, as this seat saw it
	Ack    *protocol.Ack    // a refused action (Code set)
	Notice *protocol.Notice // a message from the server or a trainer
}

// Options configure a session.
type Options struct {
	URL    string              // ws:// or wss:// address of /ws
	Hello  protocol.Hello      // the first hello: create, join or watch; or resume with a token
	Header map[string][]string // extra headers (Origin, for a native client); ignored in a browser

	OnChange func()                          // called after every change of State; must not block
	OnToken  func(token, code string)        // called when the seat is known, to keep it for a reload
	OnFrame  func(m protocol.Message)        // every message received, for tests
	OnSend   func(id uint64, a rules.Action) // an action got its id and is sent for the first time, for tests
}

// Session is one seat's connection.
type Session struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	cur    atomic.Pointer[State]
	events chan Event
	wake   chan struct{} // something to send

	mu      sync.Mutex
	st      State // the session goroutine's working copy
	pending []pendingAct
	nextID  uint64
	conns   int // connections made so far
}

type pendingAct struct {
	id     uint64 // 0 until first sent
	a      rules.Action
	cmd    *protocol.Train // a trainer's command instead of an action
	sentOn int             // the connection it was last sent on
	sentAt time.Time       // when
}

// Start connects in the background and returns at once.
func Start(opts Options) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{
		opts: opts, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		events: make(chan Event, 64), wake: make(chan struct{}, 1), nextID: 1,
	}
	s.st = State{Status: Connecting, Seat: rules.NoSeat}
	if opts.Hello.Want == protocol.WantResume {
		s.st.Token = opts.Hello.Token
	}
	s.publish()
	go s.run()
	return s
}

// State returns the newest state. It never blocks.
func (s *Session) State() *State { return s.cur.Load() }

// Events delivers one-off events. Read it without blocking; when nobody
// reads, the oldest are dropped.
func (s *Session) Events() <-chan Event { return s.events }

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Act queues an action. It is sent as soon as the seat is online, and again
// after a reconnect until the server has it; the server applies it once.
func (s *Session) Act(a rules.Action) {
	s.mu.Lock()
	s.pending = append(s.pending, pendingAct{a: a})
	s.st.Pending = len(s.pending)
	s.mu.Unlock()
	s.publish()
	s.poke()
}

// poke asks the session goroutine to send what is pending.
func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close ends the session and its connection.
func (s *Session) Close() {
	s.cancel()
	<-s.done
}

// publish makes the working state visible.
func (s *Session) publish() {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if st.HasView {
		st.Legal = st.View.Legal()
	}
	s.cur.Store(&st)
	if s.opts.OnChange != nil {
		s.opts.OnChange()
	}
}

func (s *Session) emit(e Event) {
	offer(s.events, e)
	// Wake the screen: a notice changes nothing else it would see.
	if s.opts.OnChange != nil {
		s.opts.OnChange()
	}
}

// offer puts e in events without waiting: when nobody has read them, the
// oldest is dropped to make room.
func offer(events chan Event, e Event) {
	for {
		select {
		case events <- e:
			return
		default:
		}
		select { // full: drop the oldest
		case <-events:
		default:
		}
	}
}

func (s *Session) run() {
	defer close(s.done)
	defer s.cancel()
	backoff := 250 * time.Millisecond
	for {
		final, welcomed := s.connect()
		if final || s.ctx.Err() != nil {
			s.mu.Lock()
			s.st.Status = Ended
			s.mu.Unlock()
			s.publish()
			return
		}
		s.mu.Lock()
		s.st.Status = Reconnecting
		s.mu.Unlock()
		s.publish()
		if welcomed {
			// A seat that was online comes back fast; one that keeps failing
			// (a server restarting, a network gone) backs off.
			backoff = 250 * time.Millisecond
		}
		wait := backoff/2 + time.Duration(rand.Int64N(int64(backoff)))
		if backoff < 5*time.Second {
			backoff *= 2
		}
		select {
		case <-time.After(wait):
		case <-s.ctx.Done():
		}
	}
}

// errFinal marks a connection error after which there is no point trying again.
var errFinal = errors.New("session: final")

// connect runs one connection to its end. It reports whether the session is
// over, and whether the server gave the connection its seat.
func (s *Session) connect() (final, seated bool) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	s.mu.Lock()
	s.conns++
	conn := s.conns
	s.mu.Unlock()
	ws, err := s.dial(ctx)
	if err != nil {
		return false, false
	}
	defer ws.CloseNow()

	s.mu.Lock()
	hello := s.opts.Hello
	if s.st.Token != "" {
		hello = protocol.Hello{Want: protocol.WantResume, Token: s.st.Token, LastSeq: s.st.Seq}
	}
	s.mu.Unlock()
	hello.V = protocol.Version
	if err := s.write(ctx, ws, hello); err != nil {
		return false, false
	}

	var heartbeat atomic.Int64 // seconds, from the Welcome
	heartbeat.Store(10)
	lastHeard := atomic.Int64{}
	lastHeard.Store(time.Now().UnixNano())
	readErr := make(chan error, 1)
	welcomed := make(chan struct{})
	// Reading goes on until this connection is done with, not only until
	// the session is closed: a Close says goodbye (1000) and reads the
	// server's answer to it, where a cancelled read would drop the line.
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	go func() {
		readErr <- s.readLoop(rctx, ws, welcomed, &heartbeat, &lastHeard)
	}()

	// The ticker wakes the session twice a heartbeat: often enough to send
	// pings on time and to notice a silent server within 2.5 heartbeats
	// plus 5 s (30 s at the default 10 s), rarely enough to let an idle
	// tablet sleep.
	ping := time.NewTicker(5 * time.Second)
	defer ping.Stop()
	var lastPing time.Time
	var n uint64
	isWelcomed := false
	for {
		select {
		case err := <-readErr:
			var ce *closeError
			if errors.As(err, &ce) {
				s.mu.Lock()
				s.st.Closed = ce.status
				s.mu.Unlock()
				s.publish()
			}
			return errors.Is(err, errFinal), isWelcomed
		case <-welcomed:
			welcomed = nil
			isWelcomed = true
			ping.Reset(time.Duration(heartbeat.Load()) * time.Second / 2)
			if err := s.flush(ctx, ws, conn); err != nil {
				return false, true
			}
		case <-s.wake:
			if isWelcomed {
				if err := s.flush(ctx, ws, conn); err != nil {
					return false, true
				}
			}
		case now := <-ping.C:
			hb := time.Duration(heartbeat.Load()) * time.Second
			if now.Sub(time.Unix(0, lastHeard.Load())) > 2*hb+5*time.Second {
				return false, isWelcomed // the server has gone quiet: the connection is dead
			}
			// An action unanswered for a whole heartbeat on a live
			// connection goes again: the server applies an id once, so a
			// resend can only help.
			s.mu.Lock()
			if len(s.pending) > 0 && s.pending[0].sentOn == conn && now.Sub(s.pending[0].sentAt) > hb {
				s.pending[0].sentOn = 0
				s.mu.Unlock()
				if err := s.flush(ctx, ws, conn); err != nil {
					return false, true
				}
			} else {
				s.mu.Unlock()
			}
			if isWelcomed && now.Sub(lastPing) >= hb-hb/4 {
				n++
				lastPing = now
				if err := s.write(ctx, ws, protocol.Ping{N: n}); err != nil {
					return false, true
				}
			}
		case <-s.ctx.Done():
			ws.Close(1000, "bye")
			return true, isWelcomed
		}
	}
}

func (s *Session) dial(ctx context.Context) (wire, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return dialWire(dctx, s.opts.URL, s.opts.Header)
}

func (s *Session) write(ctx context.Context, ws wire, m protocol.Message) error {
	b, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return ws.Write(wctx, b)
}

// flush sends the oldest pending action, unless it is already on its way
// on this connection. One action at a time is in flight: the server then
// sees them in order even when one is throttled and sent again, and an id,
// once given, stays with its action.
func (s *Session) flush(ctx context.Context, ws wire, conn int) error {
	s.mu.Lock()
	if len(s.pending) == 0 || s.pending[0].sentOn == conn {
		s.mu.Unlock()
		return nil
	}
	p := &s.pending[0]
	first := p.id == 0
	if first {
		p.id = s.nextID
		s.nextID++
	}
	p.sentOn, p.sentAt = conn, time.Now()
	a := protocol.Act{ID: p.id, Action: p.a}
	if p.cmd != nil {
		c := *p.cmd
		c.ID = p.id
		s.mu.Unlock()
		return s.write(ctx, ws, c)
	}
	s.mu.Unlock()
	if first && s.opts.OnSend != nil {
		s.opts.OnSend(a.ID, a.Action)
	}
	return s.write(ctx, ws, a)
}

// seated takes in what a server says when it gives this client its place
// (a seat, or a workshop): a new token, if any, and the newest action id it
// has evaluated. Ids go on from there, and actions it has already seen are
// done with. Called with s.mu held.
func (s *Session) seated(token string, last uint64) {
	if token != "" {
		s.st.Token = token
	}
	if last >= s.nextID {
		s.nextID = last + 1
	}
	s.pending = slices.DeleteFunc(s.pending, func(p pendingAct) bool { return p.id != 0 && p.id <= last })
	s.st.Pending = len(s.pending)
}

// finalCodes end a session: trying again cannot help.
var finalCodes = map[rules.Code]bool{
	protocol.ErrVersion: true, protocol.ErrNoRoom: true, protocol.ErrBadToken: true,
	protocol.ErrRemoved: true, protocol.ErrRoomClosed: true, rules.ErrRoomLocked: true,
	rules.ErrRoomFull: true, rules.ErrTooLong: true, rules.ErrBadLanguage: true,
	rules.ErrWrongPhase: true, protocol.ErrHelloFirst: true,
	protocol.ErrWorkshopFull: true, protocol.ErrWorkshopClosed: true,
}

// readLoop reads messages until the connection ends.
func (s *Session) readLoop(ctx context.Context, ws wire, welcomed chan<- struct{}, heartbeat, lastHeard *atomic.Int64) error {
	for {
		b, err := ws.Read(ctx)
		if err != nil {
			return err
		}
		lastHeard.Store(time.Now().UnixNano())
		m, err := protocol.Decode(b)
		if err != nil {
			return err
		}
		if s.opts.OnFrame != nil {
			s.opts.OnFrame(m)
		}
		switch m := m.(type) {
		case protocol.Welcome:
			s.mu.Lock()
			s.st.Seat, s.st.Role, s.st.Code, s.st.Err = m.Seat, m.Role, m.Code, ""
			if m.Watch != "" {
				s.st.Watch = m.Watch
			}
			s.seated(m.Token, m.LastAct)
			if s.st.HasView { // a resume: what was missed follows
				s.st.Status = Online
			}
			token, code := s.st.Token, s.st.Code
			s.mu.Unlock()
			s.publish()
			if m.Heartbeat > 0 {
				heartbeat.Store(int64(m.Heartbeat))
			}
			if s.opts.OnToken != nil {
				s.opts.OnToken(token, code)
			}
			close(welcomed)
		case protocol.Snapshot:
			s.mu.Lock()
			s.st.View, s.st.HasView, s.st.Seq, s.st.Status = m.View, true, m.Seq, Online
			s.mu.Unlock()
			s.publish()
		case protocol.Update:
			s.mu.Lock()
			fresh := s.st.HasView && m.Seq > s.st.Seq
			if fresh {
				v := s.st.View.Clone()
				for _, e := range m.Events {
					v.Apply(e)
				}
				s.st.View, s.st.Seq = v, m.Seq
			}
			s.mu.Unlock()
			if fresh {
				s.publish()
				for i := range m.Events {
					s.emit(Event{Rules: &m.Events[i]})
				}
			}
		case protocol.Ack:
			if m.Code == protocol.ErrRateLimited {
				// Throttled, not refused: send it again in a moment.
				s.mu.Lock()
				for i := range s.pending {
					if s.pending[i].id == m.ID {
						s.pending[i].sentOn = 0
					}
				}
				s.mu.Unlock()
				time.AfterFunc(time.Second, s.poke)
				continue
			}
			s.mu.Lock()
			s.pending = slices.DeleteFunc(s.pending, func(p pendingAct) bool { return p.id == m.ID })
			s.st.Pending = len(s.pending)
			s.mu.Unlock()
			s.publish()
			s.poke() // the next one may go
			if m.Code != "" {
				s.emit(Event{Ack: &m})
			}
		case protocol.Error:
			s.mu.Lock()
			s.st.Err = m.Code
			s.mu.Unlock()
			s.publish()
			if finalCodes[m.Code] {
				return errFinal
			}
		case protocol.Notice:
			if m.Kind == protocol.NoticeWatch && m.Text != "" {
				// The host's new spectator code: the old one lets nobody in.
				s.mu.Lock()
				s.st.Watch = m.Text
				s.mu.Unlock()
				s.publish()
			}
			s.emit(Event{Notice: &m})
		case protocol.Workshop, protocol.Dashboard, protocol.Assigned:
			if err := s.workshop(m, welcomed, heartbeat); err != nil {
				return err
			}
		}
		if st := s.State(); st.HasView && st.View.Phase == rules.Closed {
			return errFinal
		}
	}
}
