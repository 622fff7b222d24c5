package rules

import (
	"fmt"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

type seatAction struct {
	by SeatID
	a  Action
}

// byteSource turns fuzz input into choices; it gives zeros once used up.
type byteSource struct {
	b []byte
	i int
}

func (r *byteSource) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := 0
	for range 2 {
		v <<= 8
		if r.i < len(r.b) {
			v |= int(r.b[r.i])
			r.i++
		}
	}
	return v % n
}

// randomGame makes n actions from a seed. Most are legal, so games get far;
// the rest are anything at all.
func randomGame(seed uint64, n int) []seatAction {
	b := make([]byte, 16*n)
	s := State{Seed: seed}
	for i := range b {
		b[i] = byte(s.rand(256))
	}
	return actionsFrom(b, n)
}

func actionsFrom(b []byte, n int) []seatAction {
	r := &byteSource{b: b}
	var out []seatAction
	shadow := New(0, testLibrary(), "W", "fi")
	for range n {
		if r.i >= len(r.b) {
			break
		}
		sa := nextAction(r, &shadow)
		if next, _, err := Apply(shadow, sa.by, sa.a); err == nil {
			shadow = next
		}
		out = append(out, sa)
	}
	return out
}

var (
	someTexts = []string{"", "hei", "  väli  ", "ok", string(make([]byte, MaxText+5))}
	someDecks = [][]string{{"q"}, {"s"}, {"r"}, {"q", "s", "r"}, {"s", "q"}, {"h"}, {"x"}, nil}
	someTags  = [][]string{nil, {"violence"}, {"nope"}}
	someLangs = []string{"fi", "sv", "en", "xx"}
)

// nextAction picks an action for the state: usually one the seat may take.
func nextAction(r *byteSource, s *State) seatAction {
	by := SeatID(r.intn(len(s.Seats)+2) - 1) // System, any seat, or one past the end
	var a Action
	if r.intn(10) == 0 || by == System {
		a.Kind = ActionKind(r.intn(int(actCount) + 2))
	} else {
		legal := LegalFor(s, by)
		var ks []ActionKind
		for k := ActNone + 1; k < actCount; k++ {
			if legal.Has(k) && k != ActClose && (k != ActEnd || r.intn(30) == 0) {
				ks = append(ks, k)
			}
		}
		if len(ks) == 0 {
			a.Kind = ActionKind(r.intn(int(actCount)))
		} else {
			a.Kind = ks[r.intn(len(ks))]
		}
	}
	if by == System && r.intn(4) > 0 {
		a.Kind = []ActionKind{ActJoin, ActJoin, ActPresence}[r.intn(3)]
	}
	a.Seat = SeatID(r.intn(len(s.Seats)+2) - 1)
	a.Choice = r.intn(4) - 1
	a.Value = r.intn(13) - 1
	a.On = r.intn(2) == 0
	a.Text = someTexts[r.intn(len(someTexts))]
	a.Lang = someLangs[r.intn(len(someLangs))]
	a.Role = Role(r.intn(4))
	a.Decks = someDecks[r.intn(len(someDecks))]
	a.Tags = someTags[r.intn(len(someTags))]
	if a.Kind == ActJoin && r.intn(3) > 0 {
		a.Role = Player
	}
	return seatAction{by: by, a: a}
}

// checkGame plays actions and checks after each one that the rules keep
// their promises: Apply leaves its input alone, the state is sound, every
// seat's view kept up by events equals a fresh view, the client's idea of
// what is legal matches the server's, and worker notes reach only those who
// may read them.
func checkGame(t testing.TB, s State, actions []seatAction) {
	t.Helper()
	views := map[SeatID]*View{}
	for i := range s.Seats {
		v := ViewOf(&s, SeatID(i))
		views[SeatID(i)] = &v
	}
	for i, sa := range actions {
		before := encode(t, s)
		n, evs, err := Apply(s, sa.by, sa.a)
		if string(encode(t, s)) != string(before) {
			t.Fatalf("action %d (%v by %d) changed its input", i, sa.a.Kind, sa.by)
		}
		if err != nil {
			if evs != nil || string(encode(t, n)) != string(before) {
				t.Fatalf("action %d failed (%v) but changed something", i, err)
			}
			continue
		}
		if err := sound(&n); err != nil {
			t.Fatalf("action %d (%v by %d): %v", i, sa.a.Kind, sa.by, err)
		}
		for id := range views {
			if s.Seats[id].Vacant && !n.Seats[id].Vacant {
				// A newcomer took the id of a seat that never took part:
				// it starts from a snapshot, as a new seat does.
				v := ViewOf(&n, id)
				views[id] = &v
				continue
			}
			evs := wire(t, Personalize(&n, evs, id))
			for _, e := range evs {
				views[id].Apply(e)
				if n.Seats[id].Role == Player || (n.Seats[id].Role == Spectator && !n.Training) {
					if e.Step != nil && e.Step.Card.Note != "" {
						t.Fatalf("action %d: seat %d (%v) received a worker note", i, id, n.Seats[id].Role)
					}
				}
			}
			want := ViewOf(&n, id)
			sameEncoding(t, fmt.Sprintf("action %d (%v by %d): view of seat %d", i, sa.a.Kind, sa.by, id), *views[id], want)
			if got, want := views[id].Legal(), LegalFor(&n, id); got != want {
				t.Fatalf("action %d: seat %d legal %b from its view, %b from the state", i, id, got, want)
			}
		}
		for i := len(views); i < len(n.Seats); i++ { // new seats start from a snapshot
			v := ViewOf(&n, SeatID(i))
			views[SeatID(i)] = &v
		}
		s = n
	}
}

// wire sends events through msgpack, as the server does.
func wire(t testing.TB, evs []Event) []Event {
	b, err := msgpack.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	var out []Event
	if err := msgpack.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// sound checks what must always hold of a state.
func sound(s *State) error {
	if len(s.Seats) == 0 || s.Seats[0].Role != Host || s.Seats[0].Status != In {
		return fmt.Errorf("the host is not in seat 0")
	}
	players, knocking, specs := 0, 0, 0
	for i, seat := range s.Seats {
		if seat.ID != SeatID(i) {
			return fmt.Errorf("seat %d has id %d", i, seat.ID)
		}
		if i > 0 && seat.Role == Host {
			return fmt.Errorf("a second host in seat %d", i)
		}
		switch {
		case seat.Role == Player && seat.Status == In:
			players++
		case seat.Role == Player && seat.Status == Knocking:
			knocking++
		case seat.Role == Spectator && seat.Status == In:
			specs++
		}
	}
	if players > MaxPlayers || knocking > MaxKnocking || specs > MaxSpectators || len(s.Seats) > MaxSeats {
		return fmt.Errorf("too many seats: %d players, %d knocking, %d spectators", players, knocking, specs)
	}
	if s.Phase > Closed {
		return fmt.Errorf("phase %d", s.Phase)
	}
	if s.Phase == Playing && (s.Pos < 0 || s.Pos >= len(s.Path)) {
		return fmt.Errorf("position %d in a path of %d", s.Pos, len(s.Path))
	}
	if len(s.Path) > MaxPath || len(s.Blanks) > MaxBlanks {
		return fmt.Errorf("path %d, blanks %d", len(s.Path), len(s.Blanks))
	}
	for i, st := range s.Path {
		if s.Card(st.Card) == nil {
			return fmt.Errorf("step %d points at no card: %+v", i, st.Card)
		}
		seen := map[SeatID]bool{}
		for _, a := range st.Answers {
			if seen[a.Seat] {
				return fmt.Errorf("step %d: seat %d answered twice", i, a.Seat)
			}
			seen[a.Seat] = true
		}
	}
	if s.Paused != (s.PausedBy != NoSeat) {
		return fmt.Errorf("paused %v by %d", s.Paused, s.PausedBy)
	}
	return nil
}

func FuzzApply(f *testing.F) {
	for seed := uint64(1); seed <= 8; seed++ {
		b := make([]byte, 512)
		s := State{Seed: seed}
		for i := range b {
			b[i] = byte(s.rand(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 8192 {
			return
		}
		checkGame(t, New(7, testLibrary(), "W", "fi"), actionsFrom(b, 400))
	})
}
