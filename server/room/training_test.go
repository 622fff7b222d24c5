package room_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// noteRecorder keeps the frames a session received, encoded as they travelled.
type noteRecorder struct {
	mu     sync.Mutex
	frames [][]byte
	notes  []string // the worker notes of the cards the frames carried
}

func (r *noteRecorder) add(m protocol.Message) {
	b, _ := protocol.Encode(m)
	var notes []string
	switch m := m.(type) {
	case protocol.Snapshot:
		if m.View.Step != nil {
			notes = append(notes, m.View.Step.Card.Note)
		}
	case protocol.Update:
		for _, e := range m.Events {
			if e.Step != nil {
				notes = append(notes, e.Step.Card.Note)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, b)
	r.notes = append(r.notes, notes...)
}

// since returns the frames and card notes from the marks on.
func (r *noteRecorder) since(frames, notes int) ([][]byte, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames[frames:], r.notes[notes:]
}

func (r *noteRecorder) mark() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames), len(r.notes)
}

// TestTrainingModeOverTheWire: a projector watching a room sees the worker
// notes exactly while the host has training mode on; the young person never
// does.
func TestTrainingModeOverTheWire(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Nick: "Kouluttaja", Lang: "fi"}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the room", func(s *gametest.State) bool { return s.Code != "" && s.Watch != "" })
	var youth, projector noteRecorder
	player := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Lang: "fi"}, gametest.SessionOptions{OnFrame: youth.add})
	defer player.Close()
	gametest.Wait(t, host, "the knock", func(s *gametest.State) bool { return s.HasView && s.Legal.Has(rules.ActAdmit) })
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: 1})
	watch := srv.Session(protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "fi"}, gametest.SessionOptions{OnFrame: projector.add})
	defer watch.Close()
	gametest.Wait(t, watch, "the projector", func(s *gametest.State) bool { return s.HasView })

	var notes []string // every worker note of the deck, in every language
	for _, c := range srv.Lib.Deck("lammittely").Cards {
		for _, n := range c.Note {
			notes = append(notes, n)
		}
	}
	noteOf := func(v rules.View) string {
		c := srv.Lib.Deck("lammittely").Card(v.Step.Card.Ref.Card)
		return c.Note.In("fi")
	}
	// next deals a card and waits until the projector shows it.
	pos := 0
	next := func() {
		t.Helper()
		host.Act(rules.Action{Kind: rules.ActNext})
		pos++
		gametest.Wait(t, watch, "the next card", func(s *gametest.State) bool { return s.View.Step != nil && s.View.Step.Pos == pos })
	}
	leaks := func(frames [][]byte) string {
		for _, b := range frames {
			for _, n := range notes {
				if strings.Contains(string(b), n) {
					return n
				}
			}
		}
		return ""
	}

	host.Act(rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}})
	host.Act(rules.Action{Kind: rules.ActStart})
	gametest.Wait(t, watch, "the first card", func(s *gametest.State) bool { return s.View.Step != nil })
	next()
	next()
	if frames, seen := projector.since(0, 0); leaks(frames) != "" || strings.Join(seen, "") != "" {
		t.Fatalf("the projector got a worker note without training mode: %q", leaks(frames))
	}

	// Training on: the card on the table and every card after it come with
	// their notes, in the projector's language.
	f, n := projector.mark()
	host.Act(rules.Action{Kind: rules.ActTraining, On: true})
	st := gametest.Wait(t, watch, "the note", func(s *gametest.State) bool { return s.View.Training && s.View.Step.Card.Note != "" })
	if st.View.Step.Card.Note != noteOf(st.View) {
		t.Fatalf("the projector shows note %q for a card whose note is %q", st.View.Step.Card.Note, noteOf(st.View))
	}
	next()
	next()
	frames, seen := projector.since(f, n)
	if leaks(frames) == "" || len(seen) < 3 {
		t.Fatalf("training mode on, but %d notes in %d frames", len(seen), len(frames))
	}
	for _, s := range seen {
		if s == "" {
			t.Fatalf("a card without its note in training mode: %q", seen)
		}
	}

	// Training off: no more notes.
	f, n = projector.mark()
	host.Act(rules.Action{Kind: rules.ActTraining})
	gametest.Wait(t, watch, "training off", func(s *gametest.State) bool { return !s.View.Training })
	next()
	next()
	if frames, seen := projector.since(f, n); leaks(frames) != "" || strings.Join(seen, "") != "" {
		t.Fatalf("the projector got a worker note after training mode ended: %q", leaks(frames))
	}
	if st := watch.State(); st.View.Step.Card.Note != "" {
		t.Fatalf("the projector still shows a note: %q", st.View.Step.Card.Note)
	}

	// The young person saw none of it, training or not.
	if frames, seen := youth.since(0, 0); leaks(frames) != "" || strings.Join(seen, "") != "" {
		t.Fatalf("the young person got a worker note: %q", leaks(frames))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if views, ok := srv.Hub.Views(ctx, hs.Code); !ok || views[2].Step.Card.Note != "" {
		t.Fatal("the room's own view of the projector has a note")
	}
}
