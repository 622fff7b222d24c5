package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestQuickTapsOnASlowNetworkAllCount: over a network that holds every
// frame 300 ms each way, the host taps three decks 100 ms apart, then
// leaves out three kinds of content 100 ms apart, then takes one deck back
// and taps it twice more: every tap counts, in the order tapped, each shows
// at once, and the room ends with what the host last saw.
func TestQuickTapsOnASlowNetworkAllCount(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	proxy := gametest.NewProxy(t, strings.TrimPrefix(srv.URL, "http://"), nil)
	proxy.SetDelay(300 * time.Millisecond)
	host := session.Start(session.Options{URL: "ws://" + proxy.Addr() + "/ws",
		Hello: protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja", Lang: "fi"}})
	t.Cleanup(host.Close)
	gametest.Wait(t, host, "the lobby", func(st *session.State) bool { return st.HasView })
	g, p := newTestGame(t, 768, 1024, 1, host)
	g.overlay = "decks"

	pressed := func(id string) int {
		g.build()
		g.mirror()
		for _, a := range p.acts {
			if a.ID == id {
				return a.Pressed
			}
		}
		t.Fatalf("no %s on the screen", id)
		return -1
	}
	tap := func(ids ...string) {
		t.Helper()
		for _, id := range ids {
			drain(g)
			before := pressed(id)
			press(t, g, id)
			if pressed(id) == before {
				t.Errorf("a tap on %s does not show at once", id)
			}
			time.Sleep(100 * time.Millisecond) // the host's pace, not a wait
		}
	}
	settled := func(what string, cond func(v *rules.View) bool) {
		t.Helper()
		gametest.Wait(t, host, what, func(st *session.State) bool { return st.Pending == 0 && cond(&st.View) })
	}

	decks := []string{"tarina-opiskelu", "tarina-raha-ja-asuminen", "vahvuudet-ja-tulevaisuus"}
	tap("deck-"+decks[0], "deck-"+decks[1], "deck-"+decks[2])
	if len(g.decks.picks) != 3 {
		t.Fatalf("%d taps waiting, want 3", len(g.decks.picks))
	}
	settled("three decks", func(v *rules.View) bool { return slices.Equal(v.Chosen, decks) })

	g.build() // the tags of the chosen decks show now
	var tags []string
	for _, w := range g.frame.widgets {
		if strings.HasPrefix(w.ID, "tag-") && len(tags) < 3 {
			tags = append(tags, w.ID)
		}
	}
	if len(tags) < 3 {
		t.Fatalf("the chosen decks offer %d kinds of content to leave out, want 3 or more", len(tags))
	}
	tap(tags...)
	settled("three tags left out", func(v *rules.View) bool { return len(v.Excluded) == 3 })
	for i, id := range tags {
		if got := "tag-" + host.State().View.Excluded[i]; got != id {
			t.Errorf("left out #%d: %s, want %s", i, got, id)
		}
	}

	// Taken back, then tapped twice: on, off. What the host saw last holds.
	tap("deck-"+decks[1], "deck-"+decks[1], "deck-"+decks[1])
	settled("the deck taken back", func(v *rules.View) bool {
		return slices.Equal(v.Chosen, []string{decks[0], decks[2]})
	})
	g.build()
	if len(g.decks.picks) != 0 {
		t.Errorf("%d answered taps still shown over the room's lists", len(g.decks.picks))
	}
}
