package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/rules"
)

// TestSentencesOfSomeoneDoingSomething renders every screen-reader and
// banner sentence built from a name and a verb, in each language, for the
// seat on the screen ("you") and for another player, against the sentences
// a native speaker would say.
func TestSentencesOfSomeoneDoingSomething(t *testing.T) {
	s := room(t)
	st := seatOf(s, 1).State() // Aino, the player, is on this screen; Ohjaaja is the host
	st.View.Step = &rules.StepView{Card: rules.CardView{Choices: []string{"Soittaa Hannulle"}}}
	const me, host = rules.SeatID(1), rules.SeatID(0)
	events := []struct {
		name string
		ev   rules.Event
	}{
		{"turn", rules.Event{Kind: rules.EvPass}},
		{"rate", rules.Event{Kind: rules.EvRate, Value: 7}},
		{"choose", rules.Event{Kind: rules.EvChoose, Value: 0}},
		{"react", rules.Event{Kind: rules.EvReact, Value: 0}},
		{"join", rules.Event{Kind: rules.EvJoin}},
		{"own", rules.Event{Kind: rules.EvBlank}},
	}
	want := map[string]map[string][2]string{ // language → event → {you, the host}
		"fi": {
			"turn": {"Käytit vuorosi.", "Ohjaaja käytti vuoronsa."}, "rate": {"Käytit vuorosi.", "Ohjaaja käytti vuoronsa."},
			"choose": {"Valitsit: Soittaa Hannulle", "Ohjaaja valitsi: Soittaa Hannulle"},
			"react":  {"Sinä: %s", "Ohjaaja: %s"}, "join": {"Tulit mukaan.", "Ohjaaja tuli mukaan."},
			"own":   {"Lisäsit oman kysymyksen.", "Ohjaaja lisäsi oman kysymyksen."},
			"pause": {"Tauko – pyysit taukoa", "Tauko – Ohjaaja pyysi taukoa"},
		},
		"sv": {
			"turn": {"Du har haft din tur.", "Ohjaaja har haft sin tur."}, "rate": {"Du har haft din tur.", "Ohjaaja har haft sin tur."},
			"choose": {"Du valde: Soittaa Hannulle", "Ohjaaja valde: Soittaa Hannulle"},
			"react":  {"Du: %s", "Ohjaaja: %s"}, "join": {"Du kom med.", "Ohjaaja kom med."},
			"own":   {"Du lade till en egen fråga.", "Ohjaaja lade till en egen fråga."},
			"pause": {"Paus – du bad om en paus", "Paus – Ohjaaja bad om en paus"},
		},
		"en": {
			"turn": {"You had your turn.", "Ohjaaja had their turn."}, "rate": {"You had your turn.", "Ohjaaja had their turn."},
			"choose": {"You chose: Soittaa Hannulle", "Ohjaaja chose: Soittaa Hannulle"},
			"react":  {"You: %s", "Ohjaaja: %s"}, "join": {"You joined.", "Ohjaaja joined."},
			"own":   {"You added a question of your own.", "Ohjaaja added a question of their own."},
			"pause": {"Break – you asked for a break", "Break – Ohjaaja asked for a break"},
		},
	}
	for lang, sentences := range want {
		g, _ := newTestGame(t, 390, 844, 1, nil)
		g.set.Lang = lang
		g.applySettings()
		heart := g.t.S("react.heart")
		for i, who := range []rules.SeatID{me, host} {
			for _, e := range events {
				e.ev.Seat = who
				w := sentences[e.name][i]
				if e.name == "react" {
					w = strings.Replace(w, "%s", heart, 1)
				}
				if got := g.describe(st, &e.ev); got != w {
					t.Errorf("%s, %s by seat %d: %q, want %q", lang, e.name, who, got, w)
				}
			}
			if got, w := g.says(&st.View, who, "banner.paused-by"), sentences["pause"][i]; got != w {
				t.Errorf("%s, the pause banner by seat %d: %q, want %q", lang, who, got, w)
			}
		}
	}
}

// TestSentencesAreJoinedWithOneStop: joined texts for the screen reader
// never double their punctuation and never run two sentences together.
func TestSentencesAreJoinedWithOneStop(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  string
	}{
		{[]string{"Kysymys", "Kerro yhdellä sanalla.", "Sinun vuorosi"}, "Kysymys. Kerro yhdellä sanalla. Sinun vuorosi."},
		{[]string{"Mitä osaat?", "", "  Tauko  "}, "Mitä osaat? Tauko."},
		{[]string{"Hän sanoi ”Tule!”", "Odota…", "Mitä sitten (jos?)"}, "Hän sanoi ”Tule!” Odota… Mitä sitten (jos?)"},
		{nil, ""},
	} {
		if got := sentences(tt.parts...); got != tt.want {
			t.Errorf("sentences(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

// TestTheScreenReaderHearsEveryCardCleanly plays every bundled deck card by
// card, for the host and for the player, and checks what the screen reader
// hears: no doubled punctuation, no two sentences run together. The other
// scenes are checked the same way.
func TestTheScreenReaderHearsEveryCardCleanly(t *testing.T) {
	bad := regexp.MustCompile(`[.?!…:]\.|\.\s+\.|,\.|\.,|\s[.,]`)
	check := func(where, s string) {
		t.Helper()
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s: the screen reader hears nothing", where)
		}
		if m := bad.FindString(s); m != "" {
			t.Errorf("%s: %q in %q", where, m, s)
		}
	}
	g, p := newTestGame(t, 390, 844, 1, nil)
	for _, d := range bundled(t).Decks() {
		if !d.Kind.Played() {
			continue
		}
		s := room(t, playing(d.ID)...)
		for n := 0; s.Phase == rules.Playing && n < 200; n++ {
			for _, id := range []rules.SeatID{0, 1} {
				g.sess = seatOf(s, id)
				g.build()
				g.mirror()
				check(d.ID+"/"+string(s.Card(s.Step().Card).ID), p.live)
			}
			next, _, err := rules.Apply(s, 0, rules.Action{Kind: rules.ActNext})
			if err != nil {
				t.Fatalf("%s: next: %v", d.ID, err)
			}
			s = next
		}
	}
	for _, sc := range scenarios() {
		var seat Seat
		if sc.seat != nil {
			seat = sc.seat(t)
		}
		g, p := newTestGame(t, 390, 844, 1, seat)
		g.overlay, g.joining = sc.overlay, sc.joining
		if sc.game != nil {
			sc.game(g)
		}
		g.build()
		g.mirror()
		if !sc.watch {
			check(sc.name, p.live)
		}
	}
}

// TestHelpServicesCanBeCalled: every help service with a phone number has
// a button that calls it (tel:), and in Swedish MIELI's Swedish-language
// crisis line, named in the card's text, is one tap away beside the
// Finnish one.
func TestHelpServicesCanBeCalled(t *testing.T) {
	s := room(t, append(playing("lammittely"), act(0, rules.Action{Kind: rules.ActEnd}))...)
	for lang, want := range map[string][]string{
		"fi": {"Soita 116 111", "Soita 09 2525 0111", "Soita 112"},
		"sv": {"Ring 116 111", "Ring 09 2525 0111", "Ring 09 2525 0112", "Ring 112"},
	} {
		v, _, err := rules.Apply(s, 1, rules.Action{Kind: rules.ActLanguage, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		g, p := newTestGame(t, 390, 844, 1, seatOf(v, 1))
		g.set.Lang = lang
		g.applySettings()
		g.build()
		g.mirror()
		var calls []string
		for _, a := range p.acts {
			if strings.HasPrefix(a.ID, "call-") {
				calls = append(calls, a.Label)
			}
		}
		if strings.Join(calls, "|") != strings.Join(want, "|") {
			t.Errorf("%s: call buttons %q, want %q", lang, calls, want)
		}
	}
	if got := telURL("09 2525 0112"); got != "tel:0925250112" {
		t.Errorf("telURL: %q", got)
	}
}
