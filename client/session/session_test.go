package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// The session is tested against a scripted server: each connection the
// session makes arrives on a channel, and the test reads what the session
// says and answers as a server would. No game server is needed (and none may
// be imported here: the client never imports the server).

type fakeServer struct {
	t     *testing.T
	url   string
	conns chan *fakeConn
	last  *fakeConn // the connection the test took last
}

type fakeConn struct {
	t   *testing.T
	ws  *websocket.Conn
	ctx context.Context
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, conns: make(chan *fakeConn, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		f.conns <- &fakeConn{t: t, ws: ws, ctx: ctx}
		<-ctx.Done() // the test holds the connection until the test ends
	}))
	t.Cleanup(func() {
		cancel()
		srv.Close()
	})
	f.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	return f
}

// next waits for the session's next connection.
func (f *fakeServer) next() *fakeConn {
	f.t.Helper()
	select {
	case c := <-f.conns:
		f.last = c
		return c
	case <-time.After(10 * time.Second):
		f.t.Fatal("the session did not connect")
		return nil
	}
}

// end closes the session as a player leaving would, the server answering
// its goodbye as a real one does.
func (f *fakeServer) end(s *Session) {
	if c := f.last; c != nil {
		go func() {
			for {
				if _, _, err := c.ws.Read(c.ctx); err != nil {
					return
				}
			}
		}()
	}
	s.Close()
}

// read returns the next message the session sends, skipping pings.
func (c *fakeConn) read() protocol.Message {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
		_, b, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("reading the session's next message: %v", err)
		}
		m, err := protocol.Decode(b)
		if err != nil {
			c.t.Fatalf("the session sent a bad frame: %v", err)
		}
		if _, ping := m.(protocol.Ping); !ping {
			return m
		}
	}
}

func (c *fakeConn) send(ms ...protocol.Message) {
	c.t.Helper()
	for _, m := range ms {
		b, err := protocol.Encode(m)
		if err != nil {
			c.t.Fatal(err)
		}
		if err := c.ws.Write(c.ctx, websocket.MessageBinary, b); err != nil {
			c.t.Fatalf("sending %T: %v", m, err)
		}
	}
}

func (c *fakeConn) hello() protocol.Hello {
	c.t.Helper()
	m := c.read()
	h, ok := m.(protocol.Hello)
	if !ok {
		c.t.Fatalf("the first message was %T, not a hello", m)
	}
	if h.V != protocol.Version {
		c.t.Fatalf("hello speaks version %d, not %d", h.V, protocol.Version)
	}
	return h
}

func (c *fakeConn) act() protocol.Act {
	c.t.Helper()
	m := c.read()
	a, ok := m.(protocol.Act)
	if !ok {
		c.t.Fatalf("expected an action, got %T", m)
	}
	return a
}

// seat welcomes the session as seat 1 of room ABCDEF and sends its view.
func (c *fakeConn) seat(lastAct, seq uint64) {
	c.send(protocol.Welcome{V: protocol.Version, Seat: 1, Role: rules.Host, Token: "token-1", Code: "ABCDEF", LastAct: lastAct, Heartbeat: 10},
		protocol.Snapshot{Seq: seq, View: rules.View{Me: 1, Role: rules.Host, Phase: rules.Lobby}})
}

// until waits for the session's state to satisfy ok.
func until(t *testing.T, s *Session, what string, ok func(*State) bool) *State {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.State()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %s; state is %+v", what, *st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestActionsGoOneAtATimeInOrderOnceSeated(t *testing.T) {
	f := newFakeServer(t)
	tokens := make(chan string, 4)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja", Lang: "fi"},
		OnToken: func(token, code string) { tokens <- token + " " + code }})
	defer f.end(s)
	// Asked for before the session has a seat: they wait for it.
	s.Act(rules.Action{Kind: rules.ActLock, On: true})
	s.Act(rules.Action{Kind: rules.ActTraining, On: true})
	if st := s.State(); st.Pending != 2 || st.Status != Connecting {
		t.Fatalf("before connecting: pending %d, status %v", st.Pending, st.Status)
	}

	c := f.next()
	if h := c.hello(); h.Want != protocol.WantCreate || h.Nick != "Ohjaaja" || h.Token != "" {
		t.Fatalf("hello %+v", h)
	}
	c.seat(0, 1)
	if got := <-tokens; got != "token-1 ABCDEF" {
		t.Fatalf("OnToken got %q", got)
	}
	first := c.act()
	if first.ID != 1 || first.Action.Kind != rules.ActLock {
		t.Fatalf("first action %+v", first)
	}
	// The second waits for the first's answer: one in flight at a time, so
	// the server sees them in order.
	c.send(protocol.Update{Seq: 2, Events: []rules.Event{{Kind: rules.EvLock, On: true}}}, protocol.Ack{ID: 1})
	second := c.act()
	if second.ID != 2 || second.Action.Kind != rules.ActTraining {
		t.Fatalf("second action %+v", second)
	}
	c.send(protocol.Ack{ID: 2})
	st := until(t, s, "both actions answered", func(st *State) bool { return st.Pending == 0 })
	if st.Status != Online || st.Seat != 1 || st.Role != rules.Host || st.Code != "ABCDEF" || st.Token != "token-1" {
		t.Fatalf("seated state %+v", *st)
	}
	if !st.View.Locked || st.Seq != 2 {
		t.Fatalf("the update was not applied: locked %v seq %d", st.View.Locked, st.Seq)
	}
}

func TestAReconnectResumesTheSeatAndSendsAnUnansweredActionAgainUnderItsID(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantJoin, Code: "ABCDEF", Nick: "Nuori"}})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.seat(0, 7)
	until(t, s, "online", func(st *State) bool { return st.Status == Online })
	s.Act(rules.Action{Kind: rules.ActPass})
	if a := c.act(); a.ID != 1 {
		t.Fatalf("first id %d", a.ID)
	}
	// The connection drops before the answer.
	c.ws.CloseNow()

	c = f.next()
	h := c.hello()
	if h.Want != protocol.WantResume || h.Token != "token-1" || h.LastSeq != 7 {
		t.Fatalf("resume hello %+v: want the token and the last update seen (7)", h)
	}
	c.seat(0, 8) // the server never had it
	again := c.act()
	if again.ID != 1 || again.Action.Kind != rules.ActPass {
		t.Fatalf("sent again as %+v, want id 1 again (the server applies an id once)", again)
	}
	s.Act(rules.Action{Kind: rules.ActRequestPause})
	c.ws.CloseNow()

	// This time the server had applied it: the welcome says so, and only
	// the next action goes, with the next id.
	c = f.next()
	c.hello()
	c.seat(1, 9)
	next := c.act()
	if next.ID != 2 || next.Action.Kind != rules.ActRequestPause {
		t.Fatalf("after a welcome with LastAct 1, sent %+v", next)
	}
	c.send(protocol.Ack{ID: 2})
	until(t, s, "nothing pending", func(st *State) bool { return st.Pending == 0 && st.Status == Online })
}

func TestUpdatesAreAppliedOnceAndInOrder(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"}})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.seat(0, 5)
	until(t, s, "online", func(st *State) bool { return st.Status == Online })
	// An update the snapshot already holds, then a new one.
	c.send(protocol.Update{Seq: 5, Events: []rules.Event{{Kind: rules.EvTraining, On: true}}},
		protocol.Update{Seq: 6, Events: []rules.Event{{Kind: rules.EvLock, On: true}}})
	st := until(t, s, "seq 6", func(st *State) bool { return st.Seq == 6 })
	if st.View.Training || !st.View.Locked {
		t.Fatalf("training %v (an old update applied), locked %v", st.View.Training, st.View.Locked)
	}
	select {
	case e := <-s.Events():
		if e.Rules == nil || e.Rules.Kind != rules.EvLock {
			t.Fatalf("first event %+v, want the lock", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event for the new update")
	}
	select {
	case e := <-s.Events():
		t.Fatalf("an event more than the one new update: %+v", e)
	default:
	}
}

func TestARefusedActionIsReportedAndAThrottledOneGoesAgain(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"}})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.seat(0, 1)
	s.Act(rules.Action{Kind: rules.ActStart})
	c.act()
	c.send(protocol.Ack{ID: 1, Code: rules.ErrWrongPhase})
	select {
	case e := <-s.Events():
		if e.Ack == nil || e.Ack.Code != rules.ErrWrongPhase {
			t.Fatalf("event %+v, want the refusal", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the refusal was not reported")
	}

	s.Act(rules.Action{Kind: rules.ActLock, On: true})
	if a := c.act(); a.ID != 2 {
		t.Fatalf("id %d", a.ID)
	}
	c.send(protocol.Ack{ID: 2, Code: protocol.ErrRateLimited})
	// Throttled is not refused: the same action goes again a moment later,
	// and nothing is reported to the player.
	if a := c.act(); a.ID != 2 || a.Action.Kind != rules.ActLock {
		t.Fatalf("after rate-limited, sent %+v", a)
	}
	c.send(protocol.Ack{ID: 2})
	until(t, s, "nothing pending", func(st *State) bool { return st.Pending == 0 })
	select {
	case e := <-s.Events():
		t.Fatalf("a throttled action was reported: %+v", e)
	default:
	}
}

func TestAFinalErrorEndsTheSessionWithoutTryingAgain(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantResume, Token: "gone"}})
	defer f.end(s)
	c := f.next()
	if h := c.hello(); h.Want != protocol.WantResume || h.Token != "gone" {
		t.Fatalf("hello %+v", h)
	}
	c.send(protocol.Error{Code: protocol.ErrBadToken})
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a bad token did not end the session")
	}
	if st := s.State(); st.Status != Ended || st.Err != protocol.ErrBadToken {
		t.Fatalf("ended as %+v", *st)
	}
	select {
	case <-f.conns:
		t.Fatal("the session connected again after a final error")
	default:
	}
}

func TestARestartingServerIsRejoined(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"}})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.seat(0, 3)
	until(t, s, "online", func(st *State) bool { return st.Status == Online })
	c.send(protocol.Notice{Kind: protocol.NoticeRestarting})
	c.ws.Close(websocket.StatusServiceRestart, "restarting")
	until(t, s, "the restart seen", func(st *State) bool { return st.Closed == int(websocket.StatusServiceRestart) })

	c = f.next()
	if h := c.hello(); h.Want != protocol.WantResume || h.Token != "token-1" {
		t.Fatalf("after a restart: hello %+v", h)
	}
	c.seat(0, 3)
	until(t, s, "online again", func(st *State) bool { return st.Status == Online })
	var notice bool
	for len(s.Events()) > 0 {
		if e := <-s.Events(); e.Notice != nil && e.Notice.Kind == protocol.NoticeRestarting {
			notice = true
		}
	}
	if !notice {
		t.Fatal("the restart notice was not passed on")
	}
}

func TestCloseSaysGoodbyeAndEnds(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"}})
	c := f.next()
	c.hello()
	c.seat(0, 1)
	until(t, s, "online", func(st *State) bool { return st.Status == Online })
	read := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			if _, _, err := c.ws.Read(ctx); err != nil {
				read <- err
				return
			}
		}
	}()
	s.Close()
	if st := s.State(); st.Status != Ended {
		t.Fatalf("after Close: %v", st.Status)
	}
	if err := <-read; websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("the server saw %v, want a normal close", err)
	}
}

func TestANewSpectatorCodeReplacesTheOld(t *testing.T) {
	f := newFakeServer(t)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"}})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.send(protocol.Welcome{V: protocol.Version, Seat: 0, Role: rules.Host, Token: "token-1", Code: "ABCDEF", Watch: "OLDWATCHCD", Heartbeat: 10},
		protocol.Snapshot{Seq: 1, View: rules.View{Role: rules.Host, Phase: rules.Lobby}})
	until(t, s, "the first spectator code", func(st *State) bool { return st.Watch == "OLDWATCHCD" })
	c.send(protocol.Notice{Kind: protocol.NoticeWatch, Text: "NEWWATCHCD"})
	until(t, s, "the new spectator code", func(st *State) bool { return st.Watch == "NEWWATCHCD" })
}

// TestANoticeWakesTheScreen: a trainer's message changes nothing in the
// state, yet the screen must wake to show it, or an idle page shows it
// only at its next tap.
func TestANoticeWakesTheScreen(t *testing.T) {
	f := newFakeServer(t)
	woken := make(chan struct{}, 64)
	s := Start(Options{URL: f.url, Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja"},
		OnChange: func() { woken <- struct{}{} }})
	defer f.end(s)
	c := f.next()
	c.hello()
	c.send(protocol.Welcome{V: protocol.Version, Seat: 0, Role: rules.Host, Token: "token-1", Code: "ABCDEF", Heartbeat: 10},
		protocol.Snapshot{Seq: 1, View: rules.View{Role: rules.Host, Phase: rules.Lobby}})
	until(t, s, "the room", func(st *State) bool { return st.HasView })
	for len(woken) > 0 {
		<-woken
	}
	c.send(protocol.Notice{Kind: protocol.NoticeTimeLeft, Minutes: 5})
	select {
	case e := <-s.Events():
		if e.Notice == nil || e.Notice.Minutes != 5 {
			t.Fatalf("event %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice")
	}
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the notice came without waking the screen")
	}
}
