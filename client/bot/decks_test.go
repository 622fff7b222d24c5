//go:build !js

package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestEveryBundledDeckPlaysToTheEnd plays a whole game with each bundled deck:
// a worker and a young person, both bots, to the summary.
func TestEveryBundledDeckPlaysToTheEnd(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	n := 0
	for _, d := range srv.Lib.Decks() {
		if d.Kind == deck.HelpDeck {
			continue
		}
		n++
		t.Run(d.ID, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			host := srv.Bot(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"},
				bot.Config{Decks: []string{d.ID}, WaitPlayers: 1, MarkOneIn: 5, Seed: uint64(n)}, session.Options{})
			defer host.Close()
			st := gametest.Wait(t, host.Session(), "the room", func(s *session.State) bool { return s.Code != "" })
			youth := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: st.Code, Lang: "sv"},
				bot.Config{PassOneIn: 4, Typed: "ok", Seed: uint64(n) + 100}, session.Options{})
			defer youth.Close()
			errs := make(chan error, 2)
			go func() { errs <- host.Run(ctx) }()
			go func() { errs <- youth.Run(ctx) }()
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			v := youth.Session().State().View
			if v.Phase != rules.Summary {
				t.Fatalf("ended in %v", v.Phase)
			}
			if d.Kind == deck.StoryDeck {
				last := v.Summary.Steps[len(v.Summary.Steps)-1]
				if last.Kind != deck.Story || last.Choice != "" {
					t.Fatalf("the story did not end at an ending: last step %+v", last)
				}
			} else if len(v.Summary.Steps) != len(d.Cards) {
				t.Fatalf("%d cards in the summary, the deck has %d", len(v.Summary.Steps), len(d.Cards))
			}
		})
	}
	if n < 7 {
		t.Fatalf("only %d decks to play", n)
	}
}
