package rules

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/shared/deck"
)

// testLibrary is a small library with one deck of each kind:
//
//	q: q1 (turn) q2 (youth, tagged violence) q3 (wildcard) q4 (blank) q5 (both)
//	s: a → {b, c}; b → {d}; c → {d, e}; d (end); e (end)
//	r: r1 r2 (reflection 0–10)
//	h: two help services
func testLibrary() *Library {
	t := func(s string) deck.Text { return deck.Text{"fi": s + " fi", "en": s + " en", "sv": s + " sv"} }
	card := func(id string, k deck.Kind, a deck.Answerer, tags ...string) deck.Card {
		return deck.Card{ID: id, Kind: k, Answerer: a, Tags: tags, Text: t("text " + id), Note: t("note " + id), Prompt: t("prompt " + id)}
	}
	scene := func(id string, next ...string) deck.Card {
		c := card(id, deck.Story, "")
		for _, n := range next {
			c.Choices = append(c.Choices, deck.Choice{Text: t("to " + n), Next: n})
		}
		return c
	}
	refl := func(id string) deck.Card {
		c := card(id, deck.Reflection, "")
		c.Scale = &deck.Scale{Min: 0, Max: 10, Low: t("low"), High: t("high")}
		return c
	}
	help := func(id string) deck.Card {
		c := card(id, deck.Help, "")
		c.Contact = &deck.Contact{Phone: "116 111"}
		return c
	}
	return NewLibrary(
		&deck.Deck{ID: "q", Kind: deck.Questions, Title: t("Questions"), Shuffle: true, Tags: []string{"violence"}, Cards: []deck.Card{
			card("q1", deck.Question, deck.Turn), card("q2", deck.Question, deck.Youth, "violence"),
			card("q3", deck.Wildcard, ""), card("q4", deck.Blank, ""), card("q5", deck.Question, deck.Both),
		}},
		&deck.Deck{ID: "s", Kind: deck.StoryDeck, Title: t("Story"), Start: "a", Cards: []deck.Card{
			scene("a", "b", "c"), scene("b", "d"), scene("c", "d", "e"), scene("d"), scene("e"),
		}},
		&deck.Deck{ID: "r", Kind: deck.Reflections, Title: t("Areas"), Cards: []deck.Card{refl("r1"), refl("r2")}},
		&deck.Deck{ID: "h", Kind: deck.HelpDeck, Title: t("Help"), Cards: []deck.Card{help("h1"), help("h2")}},
	)
}

// parseAction reads an action in the compact test notation:
//
//	"host decks q,s -violence"  "host pick-deck s off"  "p answer some words"  "sys join player Nick en"
//
// The first word names the seat (host = 0, p = 1, w = 2, sys = System, or a
// number); the second is the action's name; the rest are its arguments.
func parseAction(t testing.TB, line string) (SeatID, Action) {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("bad action %q", line)
	}
	var by SeatID
	switch f[0] {
	case "host":
		by = 0
	case "p":
		by = 1
	case "w":
		by = 2
	case "sys":
		by = System
	default:
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("bad seat in %q", line)
		}
		by = SeatID(n)
	}
	a := Action{}
	for k := ActNone + 1; k < actCount; k++ {
		if k.String() == f[1] {
			a.Kind = k
		}
	}
	if a.Kind == ActNone {
		t.Fatalf("unknown action in %q", line)
	}
	args := f[2:]
	num := func(i int) int {
		n, err := strconv.Atoi(args[i])
		if err != nil {
			t.Fatalf("bad number in %q", line)
		}
		return n
	}
	switch a.Kind {
	case ActAnswer, ActWriteBlank:
		a.Text = strings.Join(args, " ")
	case ActChoose:
		a.Choice = num(0)
	case ActRate, ActReact:
		a.Value = num(0)
	case ActBookmark, ActLock, ActTraining, ActLockWatch:
		a.On = len(args) == 0 || args[0] == "on"
	case ActAdmit, ActRemove:
		a.Seat = SeatID(num(0))
	case ActLanguage:
		a.Lang = args[0]
	case ActDecks:
		for _, arg := range args {
			if strings.HasPrefix(arg, "-") {
				a.Tags = append(a.Tags, strings.Split(arg[1:], ",")...)
			} else {
				a.Decks = append(a.Decks, strings.Split(arg, ",")...)
			}
		}
	case ActPickDeck, ActLeaveOut:
		a.Text, a.On = args[0], len(args) < 2 || args[1] == "on"
	case ActJoin:
		a.Text, a.Lang = args[1], args[2]
		for r := Host; r <= Spectator; r++ {
			if r.String() == args[0] {
				a.Role = r
			}
		}
	case ActPresence:
		a.Seat, a.On = SeatID(num(0)), args[1] == "on"
	}
	return by, a
}

// play applies lines in order and fails on the first error.
func play(t testing.TB, s State, lines ...string) (State, []Event) {
	t.Helper()
	var all []Event
	for _, l := range lines {
		by, a := parseAction(t, l)
		n, evs, err := Apply(s, by, a)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		s, all = n, append(all, evs...)
	}
	return s, all
}

// lobby is a room with a host, an admitted player and a spectator.
func lobby(t testing.TB) State {
	s := New(42, testLibrary(), "Worker", "fi")
	s, _ = play(t, s, "sys join player Youth en", "host admit 1", "sys join spectator Watcher sv")
	return s
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameEncoding(t testing.TB, what string, a, b any) {
	t.Helper()
	if ea, eb := encode(t, a), encode(t, b); !bytes.Equal(ea, eb) {
		t.Fatalf("%s differ:\n got %s\nwant %s", what, dump(a), dump(b))
	}
}

func dump(v any) string { return fmt.Sprintf("%+v", v) }
