package place

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/pore/elamanipeli/server/workers"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Handler is what makes a place a room or a workshop. The kernel calls it on
// the place's goroutine only, one call at a time.
type Handler interface {
	// Enter seats a connection as hello asks (a new slot, or the one its
	// token names), with Kernel.Attach, and returns its member, or the
	// code that tells the client why not. addr stands for the client's
	// address (a hashed key, never logged).
	Enter(hello protocol.Hello, p Peer, addr string) (*Member, rules.Code)
	// Message handles a frame a member's client sent (an Act or a Train),
	// handed on at at, just after it was read.
	Message(m *Member, msg protocol.Message, at time.Time)
	// Left says that the connection in slot is gone: its client went, or
	// the kernel dropped it (too slow). Kernel.AwaySince(slot) is now.
	Left(slot int)
	// Tick comes every KernelOptions.Tick, and when an alarm set with After
	// goes off it runs its own function instead.
	Tick(now time.Time)
	// Stop comes when the server shuts down: the place saves what it
	// keeps and tells its clients. The kernel ends after it.
	Stop()
	// Gone is what a client is told when the place's goroutine has
	// stopped. Unlike the others it is called from any goroutine.
	Gone() rules.Code
}

// KernelOptions tune a kernel.
type KernelOptions struct {
	ID    string        // the place's id: the service's registry names it by this
	Home  Home          // where it lives for good, if it does (a workshop)
	Tick  time.Duration // how often Handler.Tick comes
	Phase time.Duration // the first tick comes this much later, so that places tick apart
	// Linger is how long the place keeps its goroutine after a message
	// or a result, waiting for the next (0: Linger).
	Linger time.Duration
	Inbox  int            // the inbox's capacity
	Near   int            // client addresses remembered for Directory.Open's near
	Log    zerolog.Logger // the server's: the kernel's lines name the place by ID
	Stats  *Stats         // connection counts, shared by the places of a directory; nil counts nothing
	Now    func() time.Time
	// Creator is the address (a hashed key) that asked for the place: it
	// counts against that address's open places until the place is
	// removed (Options.OpenPerAddress).
	Creator string

	// FrameRate and FrameBurst bound the frames a slot's client may send:
	// the allowance is the slot's, kept across reconnections. A slot's
	// client may connect again ReattachBurst times at once, and once per
	// ReattachEvery after that.
	FrameRate     rate.Limit
	FrameBurst    int
	ReattachBurst int
	ReattachEvery time.Duration
}

// The allowances a slot gets unless KernelOptions say otherwise.
const (
	FrameRate     = 20
	FrameBurst    = 40
	ReattachBurst = 20
	ReattachEvery = 3 * time.Second
)

// kind is what an envelope asks of a place.
type kind uint8

const (
	enterMsg kind = iota + 1
	frameMsg
	leaveMsg
	callMsg
	stopMsg
)

// envelope is one message in a place's inbox. Which fields count depends on
// its kind. The inbox holds pointers: a place's inbox, 64 deep, is then half
// a kilobyte whoever is in it (a room of three people held 14 KB of empty
// envelopes when they were values).
type envelope struct {
	kind  kind
	m     *Member          // frame, leave
	msg   protocol.Message // frame
	at    time.Time        // frame
	fn    func()           // call
	enter *enterReq        // enter
}

// enterReq is what a new connection brings to a place.
type enterReq struct {
	hello protocol.Hello
	peer  Peer
	addr  string
	reply chan entered
}

type entered struct {
	m    *Member
	code rules.Code
}

// slot is a connection's place in a place, kept across its reconnections,
// and with it its allowances.
type slot struct {
	member *Member
	away   time.Time     // when the connection went; zero while connected
	frames *rate.Limiter // frames the client may send
	attach *rate.Limiter // connections after the first; nil before the first
}

// Kernel is one place's goroutine and what belongs to it. The goroutine
// exists only while the place has something to do (run), and there is never
// more than one; "the place's goroutine" below is whichever runs it. Only
// the place's goroutine touches what is below done, apart from names and
// near, which the directory's mutex guards.
type Kernel struct {
	h     Handler
	opt   KernelOptions
	inbox chan *envelope
	done  chan struct{}
	log   zerolog.Logger

	// names are the names the directory finds this place by; near holds
	// the keys of the addresses its members came from; counted says the
	// place counts against its creator's open places.
	names   map[Name]bool
	near    map[string]bool
	counted bool

	slots   []slot
	results chan func() // async work's last steps
	pending int         // async work not yet finished
	ended   bool
	exit    func() // runs once the place has ended (Directory.Run)

	// The place has a goroutine only while it has something to do (a
	// message in its inbox, a result, a tick or its alarm due) and for
	// Linger after a message or a result (see run). queued counts what
	// has woken it since it last looked; the wake from zero starts its
	// goroutine, and the others poke it in case it lingers.
	queued     atomic.Int64
	poke       chan struct{} // a wake for a goroutine that lingers
	idle       *time.Timer   // how long it lingers
	tick       *time.Timer   // goes off every Tick: tickDue
	tickDue    atomic.Bool
	alarm      *time.Timer
	alarmFn    func()
	alarmGen   uint64        // the alarm's number: After counts them
	alarmFired atomic.Uint64 // the highest number that has gone off
}

// NewKernel makes a place's kernel around h. It runs once the directory
// starts it (Directory.Start).
func NewKernel(h Handler, o KernelOptions) *Kernel {
	if o.Inbox <= 0 {
		o.Inbox = 64
	}
	if o.Tick <= 0 {
		o.Tick = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Linger <= 0 {
		o.Linger = Linger
	}
	if o.FrameRate <= 0 {
		o.FrameRate = FrameRate
	}
	if o.FrameBurst <= 0 {
		o.FrameBurst = FrameBurst
	}
	if o.ReattachBurst <= 0 {
		o.ReattachBurst = ReattachBurst
	}
	if o.ReattachEvery <= 0 {
		o.ReattachEvery = ReattachEvery
	}
	return &Kernel{
		h: h, opt: o, log: o.Log,
		inbox:   make(chan *envelope, o.Inbox),
		done:    make(chan struct{}),
		results: make(chan func(), 1),
		poke:    make(chan struct{}, 1),
		names:   map[Name]bool{},
	}
}

// start starts the place: its first tick comes after Tick and Phase, and
// exit runs once it has ended.
func (k *Kernel) start(exit func()) {
	k.exit = exit
	k.tick = time.AfterFunc(k.opt.Tick+k.opt.Phase, func() {
		k.tickDue.Store(true)
		k.wake()
	})
	k.wake()
}

// wake makes sure the place runs soon: whoever puts something in its inbox
// or results, or a timer going off, calls it after. A place with nothing to
// do has no goroutine; the first wake starts one (a kept one: package
// workers).
func (k *Kernel) wake() {
	if k.queued.Add(1) == 1 {
		workers.Go(k.run)
		return
	}
	select { // its goroutine may be lingering
	case k.poke <- struct{}{}:
	default:
	}
}

// run is the place's goroutine while it has something to do: it handles
// what has come until nothing has, lingers a while after a message or a
// result, and ends. It ends only when nothing woke the place since it last
// looked, so a message that came meanwhile is handled before it goes, or by
// the goroutine its wake starts. There is never more than one.
func (k *Kernel) run() {
	for {
		select { // the wakes it stands for are counted in seen
		case <-k.poke:
		default:
		}
		seen := k.queued.Load()
		busy := false
		for !k.ended && k.step(&busy) {
		}
		if k.ended {
			k.finish()
			return
		}
		if busy && k.linger() {
			continue
		}
		if beforePark != nil {
			beforePark()
		}
		if k.queued.CompareAndSwap(seen, 0) {
			return
		}
	}
}

// beforePark, when a test sets it, runs as a place's goroutine is about to
// end: it widens the moment in which a wake could be lost.
var beforePark func()

// step handles what is due and one of each that has come: a result, a
// message. It reports false when nothing had.
func (k *Kernel) step(busy *bool) bool {
	did := false
	if k.tickDue.Swap(false) {
		k.h.Tick(k.opt.Now())
		k.tick.Reset(k.opt.Tick)
		did = true
	}
	if k.alarmFn != nil && k.alarmFired.Load() == k.alarmGen && !k.ended {
		fn := k.alarmFn
		k.alarm, k.alarmFn = nil, nil
		fn()
		did = true
	}
	if k.ended {
		return false
	}
	select {
	case then := <-k.results:
		k.pending--
		then()
		did, *busy = true, true
	default:
	}
	if k.ended {
		return false
	}
	select {
	case e := <-k.inbox:
		k.handle(e)
		did, *busy = true, true
	default:
	}
	return did
}

// Linger is how long a place that has just had a message or a result
// keeps its goroutine for the next, unless KernelOptions say otherwise: a
// place in play (a workshop's room acts every second or so) keeps it, and
// one that waits (a worker and a young person talking, a place between
// ticks) lets it go.
const Linger = 2 * time.Second

// linger waits up to Linger for the next wake, and reports whether one
// came.
func (k *Kernel) linger() bool {
	if k.idle == nil {
		k.idle = time.NewTimer(k.opt.Linger)
	} else {
		k.idle.Reset(k.opt.Linger)
	}
	select {
	case <-k.poke:
		k.idle.Stop()
		return true
	case <-k.idle.C:
		return false
	}
}

// finish ends the place for good.
func (k *Kernel) finish() {
	k.tick.Stop()
	if k.idle != nil {
		k.idle.Stop()
	}
	if k.alarm != nil {
		k.alarm.Stop()
	}
	k.Settle() // no work of the place outlives it
	close(k.done)
	if k.exit != nil {
		k.exit()
	}
}

func (k *Kernel) handle(e *envelope) {
	switch e.kind {
	case enterMsg:
		m, code := k.h.Enter(e.enter.hello, e.enter.peer, e.enter.addr)
		e.enter.reply <- entered{m: m, code: code}
	case frameMsg:
		if e.m.detached.Load() || k.Member(e.m.slot) != e.m {
			return
		}
		k.h.Message(e.m, e.msg, e.at)
	case leaveMsg:
		e.m.detached.Store(true)
		if k.Member(e.m.slot) == e.m {
			k.Unlink(e.m.slot, StatusNormal, "")
			k.h.Left(e.m.slot)
		}
	case callMsg:
		e.fn()
	case stopMsg:
		k.h.Stop()
		k.ended = true
	}
}

// ID is the place's id.
func (k *Kernel) ID() string { return k.opt.ID }

// Handler is the place's handler: a *room.Room, a *workshop.Workshop.
func (k *Kernel) Handler() Handler { return k.h }

// Done is closed once the place's goroutine has stopped.
func (k *Kernel) Done() <-chan struct{} { return k.done }

// Ended reports whether the place's goroutine has stopped: the place is
// over, or the server is shutting down.
func (k *Kernel) Ended() bool {
	select {
	case <-k.done:
		return true
	default:
		return false
	}
}

// End stops the place's goroutine once the current message is handled. The
// handler calls it when the place is over.
func (k *Kernel) End() { k.ended = true }

// Now is the kernel's clock.
func (k *Kernel) Now() time.Time { return k.opt.Now() }

// Enter hands a new connection from addr to the place and waits for its
// seat or for the place to stop; ctx bounds the wait for room in its inbox.
func (k *Kernel) Enter(ctx context.Context, hello protocol.Hello, p Peer, addr string) (*Member, rules.Code) {
	req := &envelope{kind: enterMsg, enter: &enterReq{hello: hello, peer: p, addr: addr, reply: make(chan entered, 1)}}
	switch err := k.post(ctx, req); {
	case err == errStopped:
		return nil, k.h.Gone()
	case err != nil:
		return nil, protocol.ErrBusy
	}
	// Once asked, the place answers at once (it never waits), and the
	// answer must be taken even if ctx ends meanwhile: a seat it gave to
	// a connection that never hears of it would wait for a Leave that
	// never comes.
	select {
	case res := <-req.enter.reply:
		return res.m, res.code
	case <-k.done:
		return nil, k.h.Gone()
	}
}

// TryCall puts fn in the inbox without waiting, to run on the place's
// goroutine: false when the inbox is full or the place is over.
func (k *Kernel) TryCall(fn func()) bool {
	if k.Ended() {
		return false
	}
	select {
	case k.inbox <- &envelope{kind: callMsg, fn: fn}:
		k.wake()
		return true
	default:
		return false
	}
}

// Do runs fn on the place's goroutine and waits for it to have run. It
// reports false when the place stopped first or ctx ended.
func (k *Kernel) Do(ctx context.Context, fn func()) bool {
	ran := make(chan struct{})
	if k.post(ctx, &envelope{kind: callMsg, fn: func() { fn(); close(ran) }}) != nil {
		return false
	}
	select {
	case <-ran:
		return true
	case <-k.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// stop asks the place to stop for a shutdown, waiting while its inbox is
// full.
func (k *Kernel) stop(ctx context.Context) error {
	if err := k.post(ctx, &envelope{kind: stopMsg}); err != errStopped {
		return err
	}
	return nil
}

// errStopped is post's answer once the place has stopped.
var errStopped = errors.New("place: stopped")

// post puts e in the place's inbox, waiting while it is full, and wakes
// the place: every message but TryCall's comes this way, so none waits for
// a goroutine that is not coming. It fails with errStopped once the place
// has stopped, or with ctx's error.
func (k *Kernel) post(ctx context.Context, e *envelope) error {
	select {
	case k.inbox <- e:
		k.wake()
		return nil
	case <-k.done:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Go runs work on a goroutine of its own, and the function it returns back
// on the place's goroutine. A handler keeps at most one piece of work in
// flight (a save, say): a second waits for the first's result to be taken.
func (k *Kernel) Go(work func() (then func())) {
	k.pending++
	workers.Go(func() { k.give(work()) })
}

// Await is Go for work that something else does: the place counts it in
// flight, and finish, called once from any goroutine, hands back the
// function to run on the place's goroutine. finish never blocks.
func (k *Kernel) Await() (finish func(then func())) {
	k.pending++
	return func(then func()) {
		select {
		case k.results <- then:
			k.wake()
		default:
			go k.give(then)
		}
	}
}

// give hands a piece of work's last step to the place, waiting while
// another waits to be taken.
func (k *Kernel) give(then func()) {
	k.results <- then
	k.wake()
}

// Settle waits for the work in flight, if any, and runs what it returns: a
// handler calls it before something that must come after that work.
func (k *Kernel) Settle() {
	for k.pending > 0 {
		then := <-k.results
		k.pending--
		then()
	}
}

// After sets the place's alarm: fn runs on its goroutine after d, unless
// another After comes first and takes its place.
func (k *Kernel) After(d time.Duration, fn func()) {
	if k.alarm != nil {
		k.alarm.Stop()
	}
	k.alarmGen++
	gen := k.alarmGen
	k.alarm = time.AfterFunc(d, func() {
		// An alarm replaced as it went off may get here after the
		// one that replaced it: only the highest number counts.
		for {
			was := k.alarmFired.Load()
			if was >= gen || k.alarmFired.CompareAndSwap(was, gen) {
				break
			}
		}
		k.wake()
	})
	k.alarmFn = fn
}

// The slots: a connection's place in the place, by a number the handler
// chooses (a seat's id, a participant's).

func (k *Kernel) slot(i int) *slot {
	if i < 0 {
		return nil
	}
	for len(k.slots) <= i {
		k.slots = append(k.slots, slot{})
	}
	return &k.slots[i]
}

// Attach seats p in slot i, closing the connection that held it before
// ("replaced by a newer connection"). It returns nil when the slot's client
// has connected again too often lately.
func (k *Kernel) Attach(i int, p Peer) *Member {
	s := k.slot(i)
	if s.attach == nil {
		s.frames = rate.NewLimiter(k.opt.FrameRate, k.opt.FrameBurst)
		s.attach = rate.NewLimiter(rate.Every(k.opt.ReattachEvery), k.opt.ReattachBurst)
	} else if !s.attach.AllowN(k.Now(), 1) {
		return nil
	}
	if s.member != nil {
		k.Unlink(i, StatusPolicy, "replaced by a newer connection")
	}
	m := &Member{k: k, slot: i, peer: p, frames: s.frames}
	m.seen.Store(k.Now().UnixNano())
	s.member, s.away = m, time.Time{}
	if st := k.opt.Stats; st != nil {
		st.conns.Add(1)
	}
	return m
}

// Allowance is what a slot's client may still do: frames to send, and
// connections to make. It is the slot's, and may be handed on with Adopt.
type Allowance struct{ frames, attach *rate.Limiter }

// Allowance returns slot i's allowance (empty before its first connection).
func (k *Kernel) Allowance(i int) Allowance {
	s := k.slot(i)
	return Allowance{frames: s.frames, attach: s.attach}
}

// Spare reports whether a's client may connect again now.
func (a Allowance) Spare(now time.Time) bool {
	return a.attach == nil || a.attach.TokensAt(now) >= 1
}

// Adopt gives slot i, which has no connection, the allowance a: someone
// who comes back to a new slot comes back with what they left in the old
// one. Its next Attach counts as a connection made again.
func (k *Kernel) Adopt(i int, a Allowance) {
	if s := k.slot(i); s != nil && s.member == nil && a.attach != nil {
		s.frames, s.attach = a.frames, a.attach
	}
}

// Vacate forgets slot i, its allowances with it: a newcomer takes its
// number. The slot must have no connection.
func (k *Kernel) Vacate(i int) {
	if s := k.slot(i); s != nil && s.member == nil {
		*s = slot{}
	}
}

// Member returns slot i's connection, or nil.
func (k *Kernel) Member(i int) *Member {
	if i < 0 || i >= len(k.slots) {
		return nil
	}
	return k.slots[i].member
}

// Connected reports whether slot i has a connection.
func (k *Kernel) Connected(i int) bool { return k.Member(i) != nil }

// AwaySince returns when slot i's connection went (zero while connected,
// and for a slot that never had one unless SetAway said otherwise).
func (k *Kernel) AwaySince(i int) time.Time {
	if i < 0 || i >= len(k.slots) {
		return time.Time{}
	}
	return k.slots[i].away
}

// SetAway starts slot i's wait for a client that is not here: a seat made
// for someone who has not come yet, or one restored after a restart.
func (k *Kernel) SetAway(i int, t time.Time) {
	if s := k.slot(i); s != nil && s.member == nil {
		s.away = t
	}
}

// Send queues b for slot i's connection. A connection that cannot keep up
// is dropped (and the handler told, with Left); false means b did not go.
func (k *Kernel) Send(i int, b []byte) bool {
	m := k.Member(i)
	if m == nil || b == nil {
		return false
	}
	st := k.opt.Stats
	if !m.peer.Send(b) {
		if st != nil {
			st.slow.Add(1)
		}
		k.Drop(i, "too slow")
		return false
	}
	if st != nil {
		st.out.Add(1)
	}
	return true
}

// SendMsg encodes msg and sends it to slot i.
func (k *Kernel) SendMsg(i int, msg protocol.Message) bool {
	if k.Member(i) == nil {
		return false
	}
	return k.Send(i, k.Encode(msg))
}

// Encode encodes one of the server's own messages, which always encode: a
// failure is a bug, logged.
func (k *Kernel) Encode(msg protocol.Message) []byte {
	b, err := protocol.Encode(msg)
	if err != nil {
		k.log.Error().Str("place", k.opt.ID).Err(err).Msg("encode")
		return nil
	}
	return b
}

// Unlink ends slot i's connection, if it has one, with status; the slot
// waits for its client from now. The handler is not told: it asked.
func (k *Kernel) Unlink(i int, status int, reason string) {
	s := k.slot(i)
	m := s.member
	if m == nil {
		return
	}
	m.detached.Store(true)
	m.peer.Close(status, reason)
	s.member, s.away = nil, k.Now()
	if st := k.opt.Stats; st != nil {
		st.conns.Add(-1)
	}
}

// Drop closes slot i's connection for bad behaviour (too slow, silent) and
// tells the handler, as when a client goes.
func (k *Kernel) Drop(i int, reason string) {
	if k.Member(i) == nil {
		return
	}
	k.Unlink(i, StatusPolicy, reason)
	k.h.Left(i)
}
