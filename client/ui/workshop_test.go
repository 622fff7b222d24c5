package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pore/elamanipeli/client/i18n"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// fakeTrainer is a trainer's session frozen at one dashboard; commands are
// recorded.
type fakeTrainer struct {
	fakeSeat
	mu   sync.Mutex
	cmds []protocol.Train
}

func (s *fakeTrainer) Train(c protocol.Train) { s.mu.Lock(); s.cmds = append(s.cmds, c); s.mu.Unlock() }

func trainerSeat(d *protocol.Dashboard) *fakeTrainer {
	return &fakeTrainer{fakeSeat: fakeSeat{st: session.State{
		Status: session.Online, Seat: rules.NoSeat, Workshop: "HXT3MV", Trainer: true, Token: "t", Dashboard: d,
	}}}
}

// workshopDay is a dashboard in the middle of a practice round: rooms in
// every phase, one paused, someone away, long and missing nicknames, and
// people still waiting.
func workshopDay(rooms, waiting int) *protocol.Dashboard {
	d := &protocol.Dashboard{}
	names := []string{"Aino", "Veli-Matti Korhonen-Väisänen", "", "Kaisa", "Jussi", "Marjatta Österberg", "Leo", "Sanni"}
	id := 0
	person := func(room int, online bool) int {
		id++
		d.People = append(d.People, protocol.Person{ID: id, Nick: names[id%len(names)], Online: online, Room: room})
		return id
	}
	phases := []rules.Phase{rules.Playing, rules.Playing, rules.Lobby, rules.Summary, rules.Playing, rules.Closed}
	for n := 1; n <= rooms; n++ {
		r := protocol.RoomProgress{N: n, Host: person(n, true), Player: person(n, n%4 != 2), Phase: phases[n%len(phases)]}
		if r.Phase >= rules.Playing {
			r.Played, r.Passes = 3+n*2, n%3
		}
		r.Paused = n == 2
		d.Rooms = append(d.Rooms, r)
	}
	for i := range waiting {
		person(0, i != 1)
	}
	return d
}

func workshopScenarios() []scenario {
	participant := func(paired bool) func(testing.TB) Seat {
		return func(testing.TB) Seat {
			return &fakeSeat{st: session.State{Status: session.Online, Seat: rules.NoSeat, Workshop: "HXT3MV", Token: "t", Paired: paired}}
		}
	}
	dash := func(d *protocol.Dashboard) func(testing.TB) Seat {
		return func(testing.TB) Seat { return trainerSeat(d) }
	}
	return []scenario{
		{name: "workshop, waiting", seat: participant(false)},
		{name: "workshop, paired", seat: participant(true)},
		{name: "dashboard, new", seat: dash(&protocol.Dashboard{})},
		{name: "dashboard, people waiting", seat: dash(workshopDay(0, 7)), game: func(g *Game) { g.dash.pick = []int{1, 3} }},
		{name: "dashboard, one picked", seat: dash(workshopDay(0, 3)), game: func(g *Game) { g.dash.pick = []int{2} }},
		{name: "dashboard, ten rooms", seat: dash(workshopDay(10, 3))},
		{name: "dashboard, sixty rooms", seat: dash(workshopDay(60, 0))},
		{name: "dashboard, ending all", seat: dash(workshopDay(4, 0)), game: func(g *Game) { g.dash.confirm = "end-all" }},
		{name: "dashboard, closing", seat: dash(workshopDay(4, 0)), game: func(g *Game) { g.dash.confirm = "close" }},
	}
}

// press finds the widget with id on the screen and presses it.
func press(t *testing.T, g *Game, id string) {
	t.Helper()
	g.build()
	for _, w := range g.frame.widgets {
		if w.ID == id {
			if !w.Enabled {
				t.Fatalf("%s is disabled", id)
			}
			g.press(w)
			return
		}
	}
	t.Fatalf("no %s on the screen", id)
}

// TestDashboardCommands: what the trainer's buttons send, and that ending
// anything asks twice.
func TestDashboardCommands(t *testing.T) {
	d := workshopDay(2, 3)
	seat := trainerSeat(d)
	g, _ := newTestGame(t, 1920, 1080, 1, seat)
	if g.screen() != "dashboard" {
		t.Fatalf("the trainer sees %q", g.screen())
	}
	waiting := d.People[4:]
	press(t, g, "person-"+fmt.Sprint(waiting[2].ID))
	press(t, g, "person-"+fmt.Sprint(waiting[0].ID))
	press(t, g, "pair")
	press(t, g, "pair-all")
	press(t, g, "time-left")
	press(t, g, "end-all")
	if len(seat.cmds) != 3 {
		t.Fatalf("ending all did not ask first: %+v", seat.cmds)
	}
	press(t, g, "cancel")
	press(t, g, "end-all")
	press(t, g, "end-all-yes")
	press(t, g, "close-workshop")
	press(t, g, "close-yes")
	want := []protocol.Train{
		{Kind: protocol.TrainPair, A: waiting[2].ID, B: waiting[0].ID},
		{Kind: protocol.TrainPairAll},
		{Kind: protocol.TrainTimeLeft, Minutes: 5},
		{Kind: protocol.TrainEndAll},
		{Kind: protocol.TrainClose},
	}
	if fmt.Sprint(seat.cmds) != fmt.Sprint(want) {
		t.Fatalf("sent %+v\nwant %+v", seat.cmds, want)
	}

	// Every phase has a name in every language.
	g.build()
	for ph := rules.Lobby; ph <= rules.Closed; ph++ {
		for _, l := range i18n.Languages() {
			if s := i18n.For(l).S("dash.phase." + ph.String()); strings.HasPrefix(s, "dash.") {
				t.Errorf("%s: no name for phase %v", l, ph)
			}
		}
	}
	if !strings.Contains(g.frame.announce, "HXT-3MV") {
		t.Fatalf("the screen reader does not hear the code: %q", g.frame.announce)
	}
}

// TestWorkshopScreens: a participant waits in the workshop, and anyone can
// start one from the start screen.
func TestWorkshopScreens(t *testing.T) {
	g, _ := newTestGame(t, 390, 844, 1, &fakeSeat{st: session.State{Status: session.Online, Seat: rules.NoSeat, Workshop: "HXT3MV"}})
	if g.screen() != "workshop" {
		t.Fatalf("a participant sees %q", g.screen())
	}
	var hello protocol.Hello
	g2, _ := newTestGame(t, 390, 844, 1, nil)
	g2.start = func(o session.Options) Seat { hello = o.Hello; return &fakeSeat{} }
	press(t, g2, "workshop")
	if hello.Want != protocol.WantWorkshop || hello.Lang != "fi" {
		t.Fatalf("the workshop link says %+v", hello)
	}
}
