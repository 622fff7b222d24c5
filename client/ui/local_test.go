package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestAGameOnThisDeviceOnly: the start screen fetches the decks once (GET
// /decks) and offers a game on this device alone; it starts in a lobby
// with nobody to invite, the two sides share the screen as in hot-seat,
// plays to the summary with its help services without any server, and
// stopping it goes back to the start screen with nothing kept.
func TestAGameOnThisDeviceOnly(t *testing.T) {
	lib := bundled(t)
	body, err := protocol.EncodeDecks(lib.Decks())
	if err != nil {
		t.Fatal(err)
	}
	g, p := newTestGame(t, 768, 1024, 1, nil)
	fetched := 0
	p.fetch = func(path string) (int, []byte) {
		fetched++
		if path != "/decks" {
			return http.StatusNotFound, nil
		}
		return http.StatusOK, body
	}
	g.build()
	press(t, g, "local")
	drain(g) // the decks arrive, and the game starts
	g.build()
	g.mirror()
	if g.screen() != "lobby" || !strings.Contains(p.live, "Peli vain tällä laitteella") {
		t.Fatalf("screen %q says %q", g.screen(), p.live)
	}
	for _, a := range p.acts {
		if a.ID == "copy" || a.ID == "copy-watch" || a.ID == "hotseat" || a.ID == "demo" {
			t.Errorf("the lobby of a game on this device offers %q", a.ID)
		}
	}
	if !g.hotseat || g.extra == nil {
		t.Fatal("the young person's side is not on this device")
	}
	g.act(rules.Action{Kind: rules.ActPickDeck, Text: "lammittely", On: true})
	press(t, g, "start")
	for n := 0; g.sess.State().View.Phase == rules.Playing && n < 100; n++ {
		g.sess.Act(rules.Action{Kind: rules.ActNext})
	}
	g.build()
	g.mirror()
	if g.screen() != "summary" || label(p, "call-0-0") == "" {
		t.Fatalf("after the cards: screen %q, the help services' calls %q", g.screen(), label(p, "call-0-0"))
	}
	g.leave()
	g.build()
	if g.screen() != "start" || g.lastErr != "" || p.values["token"] != "" {
		t.Errorf("after leaving: screen %q, error %q, token %q", g.screen(), g.lastErr, p.values["token"])
	}
	press(t, g, "local") // a second game starts at once, from the decks in memory
	if g.screen() != "lobby" || fetched != 1 {
		t.Errorf("a second game: screen %q, decks fetched %d times", g.screen(), fetched)
	}
}

// TestOfflineTheLocalGameSaysWhy: with no answer from the server and no
// decks yet, the button says why the game cannot start; nothing breaks.
func TestOfflineTheLocalGameSaysWhy(t *testing.T) {
	g, p := newTestGame(t, 390, 844, 1, nil)
	press(t, g, "local")
	drain(g)
	g.build()
	g.mirror()
	if g.sess != nil || !strings.Contains(p.live, "Pakkoja ei saatu palvelimelta") {
		t.Fatalf("offline: session %v, the page says %q", g.sess, p.live)
	}
}
