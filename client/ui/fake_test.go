package ui

import (
	"sync"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/rules"
)

// fakePlatform keeps everything in memory and draws its own fields.
type fakePlatform struct {
	values map[string]string
	frag   string
	door   *string // the nickname the page's door knocked with, if it did
	live   string
	acts   []platform.MirrorAction
	// mirrored are the mirror's buttons a screen reader pressed (a DOM
	// click or Enter), for the next Update to take.
	mirrored []string
	saved    string
	// pick is the file the player chooses when asked (nil: the platform
	// cannot pick files); answer is the server's answer to a Post.
	pick   func() (name string, data []byte)
	answer func(path string, headers map[string]string, data []byte) (int, []byte)
	fetch  func(path string) (int, []byte) // a GET; nil: offline
}

func newFakePlatform() *fakePlatform { return &fakePlatform{values: map[string]string{}} }

func (p *fakePlatform) Get(k string) string { return p.values[k] }
func (p *fakePlatform) Set(k, v string)     { p.values[k] = v }
func (p *fakePlatform) Fragment() string    { return p.frag }
func (p *fakePlatform) ClearFragment()      { p.frag = "" }
func (p *fakePlatform) Knocked() (string, bool) {
	if p.door == nil {
		return "", false
	}
	nick := *p.door
	p.door = nil
	return nick, true
}
func (p *fakePlatform) PageURL() string                    { return "https://peli.example.fi/" }
func (p *fakePlatform) ServerWS() string                   { return "wss://peli.example.fi/ws" }
func (p *fakePlatform) DrawsFields() bool                  { return false }
func (p *fakePlatform) SyncFields([]platform.Field)        {}
func (p *fakePlatform) Focus(string)                       {}
func (p *fakePlatform) FieldEvents() []platform.FieldEvent { return nil }
func (p *fakePlatform) Mirror(live string, acts []platform.MirrorAction) {
	p.live, p.acts = live, acts
}
func (p *fakePlatform) Mirrored() []string {
	m := p.mirrored
	p.mirrored = nil
	return m
}
func (p *fakePlatform) CanSpeak() bool             { return true }
func (p *fakePlatform) Speak(string, string)       {}
func (p *fakePlatform) StopSpeaking()              {}
func (p *fakePlatform) Save(name, c string) string { p.saved = c; return name }
func (p *fakePlatform) Open(string)                {}
func (p *fakePlatform) Copy(string) bool           { return true }
func (p *fakePlatform) Mark(string)                {}

func (p *fakePlatform) PickFile(_ string, done func(string, []byte)) bool {
	if p.pick == nil {
		return false
	}
	done(p.pick())
	return true
}

func (p *fakePlatform) Fetch(path string, done func(int, []byte)) {
	if p.fetch == nil {
		done(0, nil) // offline
		return
	}
	done(p.fetch(path))
}

func (p *fakePlatform) Post(path, _ string, headers map[string]string, data []byte, done func(int, []byte)) {
	if p.answer != nil {
		done(p.answer(path, headers, data))
	}
}

// fakeSeat is a session frozen at one state; actions are recorded.
type fakeSeat struct {
	mu   sync.Mutex
	st   session.State
	acts []rules.Action
	evs  chan session.Event
}

func (s *fakeSeat) State() *session.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	return &st
}
func (s *fakeSeat) Events() <-chan session.Event {
	if s.evs == nil {
		s.evs = make(chan session.Event, 8)
	}
	return s.evs
}
func (s *fakeSeat) Act(a rules.Action) { s.mu.Lock(); s.acts = append(s.acts, a); s.mu.Unlock() }
func (s *fakeSeat) Close()             {}

var (
	libOnce sync.Once
	lib     *rules.Library
)

func bundled(t testing.TB) *rules.Library {
	libOnce.Do(func() {
		lib = gametest.Bundled(t)
	})
	return lib
}

// room plays actions on a fresh room with a host (0), a player (1) and a
// spectator (2), and returns the state.
func room(t testing.TB, actions ...func(s rules.State) (rules.SeatID, rules.Action)) rules.State {
	s := rules.New(3, bundled(t), "Ohjaaja", "fi")
	steps := []func(rules.State) (rules.SeatID, rules.Action){
		func(rules.State) (rules.SeatID, rules.Action) {
			return rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Player, Text: "Aino", Lang: "fi"}
		},
		func(rules.State) (rules.SeatID, rules.Action) {
			return rules.System, rules.Action{Kind: rules.ActJoin, Role: rules.Spectator, Lang: "fi"}
		},
	}
	for _, step := range append(steps, actions...) {
		by, a := step(s)
		n, _, err := rules.Apply(s, by, a)
		if err != nil {
			t.Fatalf("%v by %d: %v", a.Kind, by, err)
		}
		s = n
	}
	return s
}

func act(by rules.SeatID, a rules.Action) func(rules.State) (rules.SeatID, rules.Action) {
	return func(rules.State) (rules.SeatID, rules.Action) { return by, a }
}

// seatOf freezes what seat id sees of s.
func seatOf(s rules.State, id rules.SeatID) *fakeSeat {
	v := rules.ViewOf(&s, id)
	return &fakeSeat{st: session.State{
		Status: session.Online, View: v, HasView: true, Seq: 9, Seat: id, Role: v.Role,
		Code: "KXT4PW", Watch: "ACDEFHJKMN", Token: "t", Legal: v.Legal(),
	}}
}

// newTestGame makes a game of w×h dp showing seat (nil: the start screen).
func newTestGame(t testing.TB, w, h int, text float64, seat Seat) (*Game, *fakePlatform) {
	p := newFakePlatform()
	p.values["text"] = ftoa(text)
	clock := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	g := New(Options{Platform: p, Scale: 1, Now: func() time.Time { return clock }})
	g.sess = seat
	g.Layout(w, h)
	return g, p
}

func ftoa(f float64) string {
	switch f {
	case 1:
		return "1"
	case 1.5:
		return "1.5"
	case 2:
		return "2"
	}
	return "1"
}
