package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

// scenario is one screen to lay out.
type scenario struct {
	name    string
	seat    func(t testing.TB) Seat // nil: no session
	overlay string
	joining string
	watch   bool          // a spectator's screen: nothing to press
	game    func(g *Game) // sets what the screen keeps between frames
}

// until deals cards as the host until one of kind is on the table.
func until(t testing.TB, s rules.State, kind deck.Kind, open bool) rules.State {
	for range 200 {
		st := s.Step()
		if c := s.Card(st.Card); c.Kind == kind && (!open || c.Kind == deck.Blank) {
			return s
		}
		n, _, err := rules.Apply(s, 0, rules.Action{Kind: rules.ActNext})
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		s = n
		if s.Phase != rules.Playing {
			break
		}
	}
	t.Fatalf("no %s card came up", kind)
	return s
}

func playing(decks ...string) []func(rules.State) (rules.SeatID, rules.Action) {
	return []func(rules.State) (rules.SeatID, rules.Action){
		act(0, rules.Action{Kind: rules.ActAdmit, Seat: 1}),
		act(0, rules.Action{Kind: rules.ActDecks, Decks: decks}),
		act(0, rules.Action{Kind: rules.ActStart}),
	}
}

func scenarios() []scenario {
	table := func(kind deck.Kind, seat rules.SeatID, decks ...string) func(t testing.TB) Seat {
		return func(t testing.TB) Seat {
			s := until(t, room(t, playing(decks...)...), kind, kind == deck.Blank)
			return seatOf(s, seat)
		}
	}
	return append([]scenario{
		{name: "start"},
		{name: "start from a link", joining: "KXT4PW"},
		{name: "settings", overlay: "settings"},
		{name: "check a deck file", overlay: "check"},
		{name: "connecting", seat: func(testing.TB) Seat { return &fakeSeat{} }},
		{name: "lobby with a knock", seat: func(t testing.TB) Seat { return seatOf(room(t), 0) }},
		{name: "lobby ready", seat: func(t testing.TB) Seat {
			return seatOf(room(t, playing("lammittely", "tarina-raha-ja-asuminen")[:2]...), 0)
		}},
		{name: "decks", overlay: "decks", seat: func(t testing.TB) Seat {
			return seatOf(room(t, act(0, rules.Action{Kind: rules.ActDecks, Decks: []string{"tarina-raha-ja-asuminen", "lammittely"}})), 0)
		}},
		{name: "knocking", seat: func(t testing.TB) Seat { return seatOf(room(t), 1) }},
		{name: "waiting", seat: func(t testing.TB) Seat { return seatOf(room(t, playing()[0]), 1) }},
		{name: "question, host", seat: table(deck.Question, 0, "tutustutaan")},
		{name: "question, youth", seat: table(deck.Question, 1, "tutustutaan")},
		{name: "story, host", seat: table(deck.Story, 0, "tarina-arki-ja-tyo")},
		{name: "story, youth", seat: table(deck.Story, 1, "tarina-raha-ja-asuminen")},
		{name: "reflection, youth", seat: table(deck.Reflection, 1, "elamanalueet")},
		{name: "wildcard, youth", seat: table(deck.Wildcard, 1, "tutustutaan")},
		{name: "blank, youth", seat: table(deck.Blank, 1, "vahvuudet-ja-tulevaisuus")},
		{name: "projector", watch: true, seat: table(deck.Story, 2, "tarina-opiskelu")},
		{name: "projector in training mode", watch: true, seat: func(t testing.TB) Seat {
			s := until(t, room(t, append([]func(rules.State) (rules.SeatID, rules.Action){
				act(0, rules.Action{Kind: rules.ActTraining, On: true})}, playing("tutustutaan")...)...), deck.Question, false)
			return seatOf(s, 2)
		}},
		{name: "write an answer", overlay: "write", seat: table(deck.Question, 1, "lammittely")},
		{name: "own question", overlay: "own", seat: table(deck.Question, 1, "lammittely")},
		{name: "summary, host", seat: func(t testing.TB) Seat {
			s := until(t, room(t, playing("tarina-opiskelu", "elamanalueet")...), deck.Reflection, false)
			s, _, _ = rules.Apply(s, 1, rules.Action{Kind: rules.ActRate, Value: 7})
			s, _, _ = rules.Apply(s, 1, rules.Action{Kind: rules.ActBookmark, On: true})
			s, _, _ = rules.Apply(s, 0, rules.Action{Kind: rules.ActEnd})
			return seatOf(s, 0)
		}},
		{name: "summary, youth", seat: func(t testing.TB) Seat {
			s := room(t, append(playing("lammittely"), act(0, rules.Action{Kind: rules.ActEnd}))...)
			return seatOf(s, 1)
		}},
		{name: "closed", seat: func(t testing.TB) Seat {
			return seatOf(room(t, act(0, rules.Action{Kind: rules.ActClose})), 1)
		}},
	}, workshopScenarios()...)
}

// Screen sizes the client must serve, in CSS pixels.
var sizes = []struct {
	name string
	w, h int
}{
	{"phone", 390, 844},
	{"tablet portrait", 768, 1024},
	{"tablet landscape", 1024, 768},
	{"desktop", 1440, 900},
	{"projector", 1920, 1080},
}

// TestScenesFitEverySize lays out every scene at every size, at 100% and
// 200% text, and checks that no text runs outside its box and that
// everything that can be pressed is on the screen and large enough.
func TestScenesFitEverySize(t *testing.T) {
	for _, sc := range scenarios() {
		for _, size := range sizes {
			for _, text := range []float64{1, 2} {
				t.Run(fmt.Sprintf("%s/%s/%.0f%%", sc.name, size.name, text*100), func(t *testing.T) {
					var seat Seat
					if sc.seat != nil {
						seat = sc.seat(t)
					}
					g, _ := newTestGame(t, size.w, size.h, text, seat)
					g.overlay, g.joining = sc.overlay, sc.joining
					if sc.game != nil {
						sc.game(g)
					}
					g.build()
					f := g.frame
					for _, o := range f.Overflows {
						t.Errorf("text does not fit its box: %q", o)
					}
					if len(f.widgets) == 0 && !sc.watch {
						t.Fatal("nothing to press on this screen")
					}
					for _, w := range f.widgets {
						if w.R.X < -0.5 || w.R.X+w.R.W > g.w+0.5 {
							t.Errorf("%s (%q) runs off the screen: %+v", w.ID, w.Label, w.R)
						}
						if w.R.W < 44 || w.R.H < 44 {
							t.Errorf("%s (%q) is smaller than 44 dp: %+v", w.ID, w.Label, w.R)
						}
					}
				})
			}
		}
	}
}

// TestTheBannerCoversNothing: while the game is paused, the banner sits
// above the table's content on a phone, not over the deck and turn lines,
// and the pause is said once, first.
func TestTheBannerCoversNothing(t *testing.T) {
	s := room(t, append(playing("lammittely"), act(1, rules.Action{Kind: rules.ActRequestPause}))...)
	for _, id := range []rules.SeatID{0, 1} {
		g, p := newTestGame(t, 390, 844, 1, seatOf(s, id))
		g.build()
		g.mirror()
		msg := g.banner()
		if msg == "" {
			t.Fatal("no banner while paused")
		}
		if b := g.bannerRect(g.frame, msg).Bottom(); g.frame.scrollView.Y < b {
			t.Errorf("seat %d: the table starts at %.0f dp, under the banner that ends at %.0f", id, g.frame.scrollView.Y, b)
		}
		if !strings.HasPrefix(p.live, msg) || strings.Count(p.live, msg) != 1 {
			t.Errorf("seat %d hears %q", id, p.live)
		}
	}
}

// TestTextSizesStayWhole: on a phone, at every text size, the text-size
// buttons read "125 %" on one line, never "125" over "%".
func TestTextSizesStayWhole(t *testing.T) {
	for _, text := range TextSizes {
		g, _ := newTestGame(t, 390, 844, text, nil)
		g.overlay = "settings"
		g.build()
		n := 0
		for _, w := range g.frame.widgets {
			if !strings.HasPrefix(w.ID, "size-") {
				continue
			}
			n++
			if lines := g.frame.ts.wrap(w.Label, Style{Size: SizeBody, Bold: true}, w.R.W-24); len(lines) != 1 {
				t.Errorf("at %v: %q breaks into %q", text, w.Label, lines)
			}
		}
		if n != len(TextSizes) {
			t.Errorf("at %v: %d text-size buttons", text, n)
		}
	}
}
