package room_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/store"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// memStore keeps rooms in memory, for one server at a time: every room it
// keeps is an orphan to the next server. Orphans waits for gate, when set;
// while frozen, writes are dropped, as a crash would lose them.
type memStore struct {
	mu     sync.Mutex
	rooms  map[string]*memRoom
	gate   chan struct{}
	frozen atomic.Bool
	saves  atomic.Int64
	// logGate, when set, holds every log write until it is closed (or the
	// write's context ends); logging is told of each write that waits.
	logGate chan struct{}
	logging chan struct{}
	// down fails every write, as a server that crashed writes nothing;
	// downTakenOver fails the writes of the claims taken over from now.
	down, downTakenOver atomic.Bool
	// fenced refuses every write as one of a claim another node holds.
	fenced atomic.Bool
	// lease, when set, names the epoch of the node's lease now, which a
	// claim is taken under; tookOver is called after each takeover.
	lease    func() string
	tookOver func()
	released atomic.Int64 // claims handed back
	// refuseErase fails every erasure, counted in refused.
	refuseErase atomic.Bool
	refused     atomic.Int64
}

type memRoom struct {
	snap []byte
	log  []store.Batch
}

type memClaim struct {
	m     *memStore
	id    string
	epoch string
	down  bool // its writes fail
}

func (m *memStore) epoch() string {
	if m.lease == nil {
		return ""
	}
	return m.lease()
}

func (m *memStore) Create(_ context.Context, id string, snap []byte) (room.Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rooms == nil {
		m.rooms = map[string]*memRoom{}
	}
	if !m.frozen.Load() {
		m.rooms[id] = &memRoom{snap: bytes.Clone(snap)}
	}
	return &memClaim{m: m, id: id, epoch: m.epoch()}, nil
}

func (m *memStore) TakeOver(_ context.Context, id string) (room.Claim, store.Kept, error) {
	m.mu.Lock()
	r := m.rooms[id]
	if r == nil {
		m.mu.Unlock()
		return nil, store.Kept{}, store.ErrGone
	}
	c, kept := &memClaim{m: m, id: id, epoch: m.epoch(), down: m.downTakenOver.Load()}, store.Kept{Snapshot: r.snap, Log: slices.Clone(r.log)}
	m.mu.Unlock()
	if m.tookOver != nil {
		m.tookOver()
	}
	return c, kept, nil
}

func (m *memStore) Orphans(ctx context.Context) ([]string, error) {
	if m.gate != nil {
		select {
		case <-m.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id := range m.rooms {
		ids = append(ids, id)
	}
	return ids, nil
}

func (c *memClaim) Epoch() string { return c.epoch }

func (c *memClaim) room() *memRoom {
	if c.m.frozen.Load() {
		return nil
	}
	return c.m.rooms[c.id]
}

func (c *memClaim) Append(ctx context.Context, batch []byte, last uint64, done func(error)) {
	go func() { done(c.log(ctx, batch, last)) }()
}

func (c *memClaim) log(ctx context.Context, batch []byte, last uint64) error {
	if err := c.refused(); err != nil {
		return err
	}
	if g := c.m.logGate; g != nil {
		select {
		case c.m.logging <- struct{}{}:
		default:
		}
		select {
		case <-g:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if r := c.room(); r != nil {
		r.log = append(r.log, store.Batch{Last: last, Data: bytes.Clone(batch)})
	}
	return nil
}

// refused is why the store refuses a write of c now, if it does.
func (c *memClaim) refused() error {
	switch {
	case c.m.down.Load() || c.down:
		return errors.New("down")
	case c.m.fenced.Load():
		return store.ErrFenced
	}
	return nil
}

func (c *memClaim) Save(_ context.Context, snap []byte, upTo uint64) error {
	if err := c.refused(); err != nil {
		return err
	}
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if r := c.room(); r != nil {
		c.m.saves.Add(1)
		r.snap = bytes.Clone(snap)
		r.log = slices.DeleteFunc(r.log, func(b store.Batch) bool { return b.Last <= upTo })
	}
	return nil
}

func (c *memClaim) Release(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // as JetStream's client: nothing is sent once ctx has ended
	}
	c.m.released.Add(1)
	return nil
}

func (c *memClaim) Erase(context.Context) error {
	if c.m.refuseErase.Load() {
		c.m.refused.Add(1)
		return errors.New("down")
	}
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if !c.m.frozen.Load() {
		delete(c.m.rooms, c.id)
	}
	return nil
}

// A client that comes back before its room is restored waits for it; so
// does a new room; and a wait that lasts too long ends in a code the client
// retries on.
func TestClientsWaitForTheRoomsBeingRestored(t *testing.T) {
	st := &memStore{}
	srv := gametest.Start(t, gametest.Options{Store: st})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja", Lang: "fi"}, gametest.SessionOptions{})
	hs := gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView })
	srv.Stop()
	host.Close()

	st.gate = make(chan struct{})
	srv = gametest.Start(t, gametest.Options{Store: st, Places: place.Options{ReadyWait: 5 * time.Second}})
	back := srv.Session(protocol.Hello{Want: protocol.WantResume, Token: hs.Token}, gametest.SessionOptions{})
	defer back.Close()
	fresh := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	defer fresh.Close()
	time.Sleep(300 * time.Millisecond)
	for _, s := range []*gametest.Session{back, fresh} {
		if st := s.State(); st.HasView || st.Status == gametest.Ended {
			t.Fatalf("served before the rooms were restored: %+v", st)
		}
	}
	close(st.gate)
	got := gametest.Wait(t, back, "the seat back", func(s *gametest.State) bool { return s.HasView && s.Status == gametest.Online })
	if got.Code != hs.Code || got.Seat != 0 {
		t.Fatalf("resumed into %q seat %d, want %q seat 0", got.Code, got.Seat, hs.Code)
	}
	gametest.Wait(t, fresh, "a new room", func(s *gametest.State) bool { return s.HasView && s.Code != hs.Code })
	srv.Stop()

	// A restore that takes too long: the client is told to try again.
	st.gate = make(chan struct{})
	defer close(st.gate)
	srv = gametest.Start(t, gametest.Options{Store: st, Places: place.Options{ReadyWait: 200 * time.Millisecond}})
	var busy atomic.Bool
	late := srv.Session(protocol.Hello{Want: protocol.WantResume, Token: hs.Token}, gametest.SessionOptions{
		OnFrame: func(m protocol.Message) {
			if e, ok := m.(protocol.Error); ok && e.Code == protocol.ErrBusy {
				busy.Store(true)
			}
		},
	})
	defer late.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !busy.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !busy.Load() || late.State().Status == gametest.Ended {
		t.Fatalf("busy %v, state %+v", busy.Load(), late.State())
	}
}

// An action is shown to everyone at once, but answered only once the room's
// log has it: a crash before that loses nothing, since the client sends an
// unanswered action again, and the room that comes back applies it.
func TestAnActionIsAnsweredOnceItIsKept(t *testing.T) {
	st := &memStore{}
	srv := gametest.Start(t, gametest.Options{Store: st})
	proxy := gametest.NewProxy(t, srv.HTTP.Listener.Addr().String(), nil)
	url := "ws://" + proxy.Addr() + "/ws"
	var released, answeredEarly atomic.Bool
	host := gametest.StartSession(gametest.SessionOptions{URL: url, Hello: protocol.Hello{Want: protocol.WantCreate, Lang: "fi"},
		OnFrame: func(m protocol.Message) {
			if a, ok := m.(protocol.Ack); ok && a.ID != 0 && !released.Load() {
				answeredEarly.Store(true)
			}
		}})
	defer host.Close()
	gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView && s.Pending == 0 })
	for deadline := time.Now().Add(5 * time.Second); srv.Hub.Counts().Unlogged > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the new room's log was not written")
		}
	}

	// The log's writes wait: the host locks the room, and sees it locked
	// at once, with the action still unanswered.
	st.logGate, st.logging = make(chan struct{}), make(chan struct{}, 1)
	host.Act(rules.Action{Kind: rules.ActLock, On: true})
	gametest.Wait(t, host, "the room locked", func(s *gametest.State) bool { return s.View.Locked })
	select {
	case <-st.logging:
	case <-time.After(5 * time.Second):
		t.Fatal("the lock was not written to the log")
	}
	if p := host.State().Pending; p != 1 {
		t.Fatalf("%d actions pending while the log is written, want the lock's", p)
	}

	// A crash: the write never lands, nor anything after it; the server
	// comes back from what the store has, and the client sends the lock
	// again.
	st.down.Store(true)
	srv.Stop()
	released.Store(true)
	st.down.Store(false)
	st.logGate = nil
	srv = gametest.Start(t, gametest.Options{Store: st})
	proxy.SetTarget(srv.HTTP.Listener.Addr().String())
	proxy.CutAll()
	gametest.Wait(t, host, "the lock kept", func(s *gametest.State) bool {
		return s.Status == gametest.Online && s.Pending == 0 && s.View.Locked
	})
	if answeredEarly.Load() {
		t.Fatal("the lock was answered before the log had it")
	}
	views, ok := srv.Hub.Views(context.Background(), host.State().Code)
	if !ok || len(views) == 0 || !views[0].Locked {
		t.Fatalf("the room came back without the lock: %v %+v", ok, views)
	}
}

// A room acts only under the lease its node held when it took the room: a
// node that loses that lease and takes a new one before the room runs owns
// the room no more (other nodes see its owner's epoch gone, and take it), so
// the room applies nothing and is let go.
func TestARoomActsOnlyUnderTheLeaseItWasTakenUnder(t *testing.T) {
	st, srv, host, hs := aRoomInMemory(t)
	srv.Stop()
	host.Close()
	st.released.Store(0) // the stop handed the room over

	var lease atomic.Value
	lease.Store("first")
	st.lease = func() string { return lease.Load().(string) }
	st.tookOver = func() { lease.Store("second") } // lost, and taken again
	var acted atomic.Int64
	srv = gametest.Start(t, gametest.Options{Store: st,
		Holds: func(epoch string) bool { return epoch == lease.Load() },
		Acted: func(string, rules.SeatID, uint64) { acted.Add(1) },
	})
	back := srv.Session(protocol.Hello{Want: protocol.WantResume, Token: hs.Token}, gametest.SessionOptions{})
	defer back.Close()
	gametest.Wait(t, back, "the seat back", func(s *gametest.State) bool { return s.HasView && s.Status == gametest.Online })
	back.Act(rules.Action{Kind: rules.ActLock, On: true})
	waitLetGo(t, srv, 0)
	if n := acted.Load(); n != 0 {
		t.Fatalf("the room evaluated %d actions under a lease its node had lost", n)
	}
	waitReleased(t, st)
}

// A room whose node was paused past its lease ends nothing at its next
// tick, before the node has heard of the loss: it may run on another node
// by now. Here its host has been away longer than the lobby waits, which
// would end the room and erase it from the store: the room is let go
// instead, and handed back.
func TestARoomPastItsLeaseEndsNothingAtItsTick(t *testing.T) {
	st := &memStore{}
	var lease atomic.Value
	lease.Store("first")
	st.lease = func() string { return lease.Load().(string) }
	srv := gametest.Start(t, gametest.Options{Store: st,
		Room:  room.Config{Tick: 20 * time.Millisecond, LobbyWindow: 100 * time.Millisecond},
		Holds: func(epoch string) bool { return epoch == lease.Load() },
	})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView && s.Pending == 0 })
	lease.Store("second") // the first lapsed while the node was paused
	host.Close()
	waitLetGo(t, srv, 0)
	waitReleased(t, st)
	st.mu.Lock()
	kept := len(st.rooms)
	st.mu.Unlock()
	if kept != 1 {
		t.Fatalf("the store keeps %d rooms: the room was erased by a node past its lease", kept)
	}
}

// TestAnErasureTheStoreRefusedIsTriedAgain: a room that ends while the
// store refuses to erase it is erased once the store does again, not left
// in the store until the server's next start.
func TestAnErasureTheStoreRefusedIsTriedAgain(t *testing.T) {
	st := &memStore{}
	st.refuseErase.Store(true)
	log := zerolog.Nop() // the later try's log line may come after the test
	srv := gametest.Start(t, gametest.Options{Store: st, Log: &log,
		Room: room.Config{Tick: 20 * time.Millisecond, LobbyWindow: 100 * time.Millisecond, EraseAgain: 20 * time.Millisecond},
	})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView && s.Pending == 0 })
	host.Close() // the room ends when its lobby's window has passed
	kept := func() int {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.rooms)
	}
	for deadline := time.Now().Add(5 * time.Second); st.refused.Load() < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the store was asked %d times to erase the ended room, want 3 or more", st.refused.Load())
		}
	}
	if n := kept(); n != 1 {
		t.Fatalf("the store keeps %d rooms while it refuses to erase, want 1", n)
	}
	st.refuseErase.Store(false)
	for deadline := time.Now().Add(5 * time.Second); kept() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the ended room stays in the store after the store erases again")
		}
	}
}

// A node that lost its lease lets go of the rooms it took under that lease,
// not of those it has taken since under its new one: the loss may be heard
// late (the cluster test once saw such a room let go, its last action not
// yet kept, and that action evaluated again).
func TestLettingGoSparesRoomsTakenUnderTheNewLease(t *testing.T) {
	st := &memStore{}
	var lease atomic.Value
	lease.Store("first")
	st.lease = func() string { return lease.Load().(string) }
	var acted atomic.Int64
	srv := gametest.Start(t, gametest.Options{Store: st,
		Holds: func(epoch string) bool { return epoch == lease.Load() },
		Acted: func(string, rules.SeatID, uint64) { acted.Add(1) },
	})
	create := protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}
	room := func(s *gametest.State) bool { return s.HasView && s.Pending == 0 }
	old := srv.Session(create, gametest.SessionOptions{})
	defer old.Close()
	gametest.Wait(t, old, "a room under the first lease", room)
	lease.Store("second") // the first is lost; the node has a new one
	fresh := srv.Session(create, gametest.SessionOptions{})
	defer fresh.Close()
	gametest.Wait(t, fresh, "a room under the second lease", room)

	srv.Hub.LetGo("the node's lease was lost")
	waitLetGo(t, srv, 1) // all but the room taken under the second lease
	fresh.Act(rules.Action{Kind: rules.ActLock, On: true})
	gametest.Wait(t, fresh, "the action answered", func(s *gametest.State) bool { return s.Pending == 0 && acted.Load() == 1 })
	if n := srv.Hub.Rooms(); n != 1 {
		t.Fatalf("%d rooms, want the one taken under the second lease still here", n)
	}
}

// A room whose write fails stops and hands its claim back. One whose log
// cannot be written stops since whether the write landed cannot be known:
// the store would otherwise go on naming this node, alive, as its owner,
// and no node would bring it back (the cluster test once saw a host turned
// away as busy for a minute). One whose write is refused as fenced hands
// it back all the same: the store refuses the hand-over when another node
// has the room, and otherwise (a write of this node's whose answer was
// lost, say) the room would stay this node's, running nowhere.
func TestARoomLetGoForAFailedWriteHandsItsClaimBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(*memStore)
	}{
		{"log down", func(st *memStore) { st.down.Store(true) }},
		{"fenced", func(st *memStore) { st.fenced.Store(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, srv, host, _ := aRoomInMemory(t)
			defer host.Close()
			tc.fail(st)
			host.Act(rules.Action{Kind: rules.ActLock, On: true})
			waitLetGo(t, srv, 0)
			waitReleased(t, st)
		})
	}
}

// A room taken over that does not become a running room is handed back,
// also when what ran out was the context of the client that came for it
// (a JetStream leader being elected): a claim kept would leave the room
// owned by a node that does not run it, and its clients told to wait for
// as long as that node lives.
func TestARoomNotTakenOverIsHandedBackWhenItsClientsTimeRanOut(t *testing.T) {
	st, srv, host, _ := aRoomInMemory(t)
	defer host.Close()
	st.mu.Lock()
	var id string
	for id = range st.rooms {
	}
	st.mu.Unlock()
	st.downTakenOver.Store(true) // the snapshot a takeover writes fails
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.Hub.TakeOver(ctx, id); err == nil {
		t.Fatal("taken over with a store that writes nothing")
	}
	waitReleased(t, st)
	if n := srv.Hub.Rooms(); n != 1 {
		t.Fatalf("%d rooms running, want the host's still: the claim handed back was not the takeover's", n)
	}
}

// aRoomInMemory starts a server keeping its rooms in a memStore, and a host
// whose room is made and has nothing pending; the caller closes the host.
func aRoomInMemory(t *testing.T) (*memStore, *gametest.Server, *gametest.Session, *gametest.State) {
	t.Helper()
	st := &memStore{}
	srv := gametest.Start(t, gametest.Options{Store: st})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, gametest.SessionOptions{})
	hs := gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView && s.Pending == 0 })
	return st, srv, host, hs
}

// waitLetGo waits for srv's rooms to have been let go, all but left.
func waitLetGo(t *testing.T, srv *gametest.Server, left int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); srv.Hub.Rooms() > left; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d rooms, want %d: the rooms were not let go", srv.Hub.Rooms(), left)
		}
	}
}

// waitReleased waits for st to have had a claim handed back.
func waitReleased(t *testing.T, st *memStore) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); st.released.Load() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the room let go did not hand its claim back")
		}
	}
}

// After a crash the store may hold an older room than its clients saw.
// They must not be sent only what came after, on top of an update the room
// no longer knows of: they start again from the room's own view.
func TestClientsAheadOfTheStoreStartFromASnapshot(t *testing.T) {
	st := &memStore{}
	srv := gametest.Start(t, gametest.Options{Store: st, Room: room.Config{Tick: 10 * time.Millisecond, SaveEvery: 10 * time.Millisecond}})
	proxy := gametest.NewProxy(t, srv.HTTP.Listener.Addr().String(), nil)
	url := "ws://" + proxy.Addr() + "/ws"
	host := gametest.StartSession(gametest.SessionOptions{URL: url, Hello: protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}})
	defer host.Close()
	hs := gametest.Wait(t, host, "a room", func(s *gametest.State) bool { return s.HasView })
	player := gametest.StartSession(gametest.SessionOptions{URL: url, Hello: protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "fi"}})
	defer player.Close()
	gametest.Wait(t, player, "the knock", func(s *gametest.State) bool { return s.HasView })
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: 1})
	gametest.Wait(t, player, "admission", func(s *gametest.State) bool {
		me := s.View.Seat(s.Seat)
		return me != nil && me.Status == rules.In
	})
	time.Sleep(100 * time.Millisecond) // saved

	// One more update reaches the clients but never the store.
	st.frozen.Store(true)
	host.Act(rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}})
	for _, s := range []*gametest.Session{host, player} {
		gametest.Wait(t, s, "the decks chosen", func(s *gametest.State) bool { return len(s.View.Chosen) == 1 })
	}
	srv.Stop()
	st.frozen.Store(false)
	srv = gametest.Start(t, gametest.Options{Store: st})
	proxy.SetTarget(srv.HTTP.Listener.Addr().String())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var views []rules.View
	for ctx.Err() == nil {
		views, _ = srv.Hub.Views(ctx, hs.Code)
		h, p := host.State(), player.State()
		if len(views) == 2 && h.Status == gametest.Online && p.Status == gametest.Online && h.Pending == 0 &&
			viewHash(t, h.View) == viewHash(t, views[0]) && viewHash(t, p.View) == viewHash(t, views[1]) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Fatalf("the clients kept a view the room does not have:\nhost   %+v\nplayer %+v\nroom   %+v", host.State().View, player.State().View, views)
	}
	if len(views[0].Chosen) != 0 {
		t.Fatalf("the room has decks %v, chosen after its last save", views[0].Chosen)
	}
}

// A room that keeps changing writes its snapshot once every SaveEvery, not
// at every tick, and its log within LogEvery of each change: a crash (no
// shutdown save) soon after the last change brings the room back as it
// was.
func TestBusyRoomSavesAtItsPace(t *testing.T) {
	st := &memStore{}
	const tick, every = 10 * time.Millisecond, 200 * time.Millisecond
	srv := gametest.Start(t, gametest.Options{Store: st, Room: room.Config{Tick: tick, SaveEvery: every}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	defer h.Close()
	w, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
	if code != "" {
		t.Fatalf("create: %s", code)
	}
	// A change every few ticks for two seconds (the rate limit allows 20 a
	// second).
	began := time.Now()
	var id uint64
	for time.Since(began) < 2*time.Second {
		id++
		if ack := h.Act(ctx, id, rules.Action{Kind: rules.ActLock, On: id%2 == 1}); ack.Code != "" {
			t.Fatalf("lock: %s", ack.Code)
		}
		time.Sleep(6 * tick)
	}
	// Saving at every tick that follows a change would have written about
	// thirty times.
	if n, most := st.saves.Load(), int64(time.Since(began)/every)+2; n > most {
		t.Errorf("%d saves in %v, want at most %d", n, time.Since(began).Round(time.Millisecond), most)
	}
	// The last change reaches the log within LogEvery; give a loaded
	// machine plenty of time for it.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(tick) {
		if srv.Hub.Counts().Unlogged == 0 {
			break
		}
	}
	time.Sleep(srv.Hub.Config().LogEvery + 5*tick)
	st.frozen.Store(true) // a crash: nothing more reaches the store
	srv.Stop()
	st.frozen.Store(false)
	srv = gametest.Start(t, gametest.Options{Store: st})
	var views []rules.View
	for ctx.Err() == nil && len(views) == 0 {
		views, _ = srv.Hub.Views(ctx, w.Code)
		time.Sleep(tick)
	}
	if len(views) == 0 {
		t.Fatalf("the room did not come back")
	}
	if want := id%2 == 1; views[0].Locked != want {
		t.Errorf("the room came back locked %v, want its last state, %v", views[0].Locked, want)
	}
}

// A room whose log has grown by SaveAfter entries since its snapshot
// writes one at its next tick, long before SaveEvery: a restore never
// reads more than about SaveAfter entries of log. One that has not waits
// for SaveEvery.
func TestALongLogMakesARoomSave(t *testing.T) {
	for _, c := range []struct {
		after    int
		least    int64
		most     int64
		describe string
	}{
		{after: 10, least: 2, most: 3, describe: "every 10 entries"},
		{after: 0, least: 0, most: 0, describe: "by default (256 entries)"},
	} {
		t.Run(c.describe, func(t *testing.T) {
			st := &memStore{}
			const tick = 10 * time.Millisecond
			srv := gametest.Start(t, gametest.Options{Store: st, Room: room.Config{Tick: tick, SaveEvery: time.Hour, SaveAfter: c.after}})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
			defer h.Close()
			if _, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}); code != "" {
				t.Fatalf("create: %s", code)
			}
			// 25 entries, each answered once the log has it; the rate
			// limit allows 20 a second.
			for id := uint64(1); id <= 25; id++ {
				if ack := h.Act(ctx, id, rules.Action{Kind: rules.ActLock, On: id%2 == 1}); ack.Code != "" {
					t.Fatalf("lock: %s", ack.Code)
				}
				time.Sleep(6 * tick)
			}
			time.Sleep(10 * tick) // ticks enough for a save that is due
			if n := st.saves.Load(); n < c.least || n > c.most {
				t.Errorf("%d saves of a room with 25 entries, want %d to %d", n, c.least, c.most)
			}
		})
	}
}
