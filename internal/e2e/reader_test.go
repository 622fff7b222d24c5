//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// turnWords are what the live region says of every card, one of them:
// whose turn it is.
var turnWords = []string{"Sinun vuorosi", "Vuorossa:", everyone, "kirjoittaa kysymyksen", "Vuoro on käytetty"}

// enter presses the mirror's button id as a screen reader's user does with
// the keyboard: focus moves to the button (the reader's virtual cursor),
// and Enter activates it. Nothing touches the canvas.
func (p *Page) enter(id string) {
	p.t.Helper()
	p.find(id)
	before := p.seq()
	p.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).focus()`, "act-"+id)))
	p.waitFor("the focus on "+id, fmt.Sprintf(`document.activeElement && document.activeElement.id === %q`, "act-"+id))
	p.run(chromedp.KeyEvent(kb.Enter))
	p.settle(before, time.Second)
}

// TestAScreenReaderPlaysAWholeGame plays a game on both pages with only
// what a screen reader offers: the mirror's buttons, activated by a DOM
// click or by Enter on the focused button, and the live region's words.
// The canvas gets no pointer and no key.
func TestAScreenReaderPlaysAWholeGame(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)

	host := open(t, b, "reader-worker", srv.URL+"/", 768, 1024, true)
	host.hears("Luo huone tai liity koodilla")
	host.typeIn("nick", "Sanna")
	host.click("create")
	host.hears("on auki")
	code := codePattern.FindString(host.live())
	if code == "" {
		t.Fatalf("no room code in %q", host.live())
	}

	youth := open(t, b, "reader-youth", srv.URL+"/#join="+strings.ReplaceAll(code, "-", ""), 390, 844, true)
	// The invitation's door is the page's own form, before the game runs:
	// its heading says where, its field has its label, and Enter on its
	// button knocks.
	youth.waitFor("the door's invitation", fmt.Sprintf(`document.getElementById("door-invited").textContent === %q && document.getElementById("door-nick").labels[0].textContent === "Nimimerkki (vapaaehtoinen)"`, "Sinut on kutsuttu huoneeseen "+code))
	youth.run(chromedp.Focus(chromedp.CSS("#door-nick")), chromedp.SendKeys(chromedp.CSS("#door-nick"), "Eero"),
		chromedp.Focus(chromedp.CSS("#door-knock")), chromedp.KeyEvent(kb.Enter))
	youth.started()
	youth.hears("Koputit ovelle")
	host.hears("Eero koputtaa ovella.")

	host.enter("admit-1")
	youth.hears("Olet mukana")
	host.click("choose-decks")
	host.hears("Valitse pakat")
	host.enter("deck-tarina-opiskelu")
	host.click("deck-lammittely")
	host.waitFor("two decks chosen", `["deck-tarina-opiskelu", "deck-lammittely"].every(id => document.getElementById("act-" + id).getAttribute("aria-pressed") === "true")`)
	host.enter("done")
	host.hears("on auki")
	host.click("start")

	// The story first: the young person chooses, hears the scene's
	// question, answers aloud; the worker moves on. Then warm-up cards:
	// whoever's turn it is answers or passes, until a few are played.
	youth.hears("Mitä seuraavaksi tapahtuu? Valitse yksi: 1.")
	host.hears("Eero valitsee, mitä seuraavaksi tapahtuu.")
	youth.enter("choice-0")
	youth.find("answered")
	youth.click("answered")
	host.hears("Vuoro on käytetty")
	youth.hears("Vuoro on käytetty – Sanna vaihtaa kortin.")
	was := youth.live()
	host.enter("skip") // the rest of the story: asks once more
	host.hears("Ohitetaanko koko loppu tarina?")
	host.click("skip-story-yes")
	youth.hearsOneOf(was, turnWords...)

	for played := 0; played < 3; played++ {
		// Whoever's turn it is answers or passes: one of them, or both on
		// a card for everyone.
		acted := false
		for _, pg := range []*Page{youth, host} {
			switch {
			case played%2 == 0 && pg.has("answered"):
				pg.click("answered")
				acted = true
			case pg.has("pass"):
				pg.enter("pass")
				acted = true
			}
		}
		if acted {
			host.hears("Vuoro on käytetty")
		}
		was := youth.live()
		host.click("next")
		youth.hearsOneOf(was, turnWords...)
	}
	host.enter("end")
	host.hears("Lopetetaanko peli")
	host.enter("end-yes")
	host.hears("Peli päättyi")
	youth.hears("Peli päättyi.")
	// The help services are read out, and can be called.
	youth.find("call-0-0")
}
