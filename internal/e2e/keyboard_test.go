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

// press sends one key to the page, and waits (at most a second) until the
// mirror shows what it changed: the focus moved, a button pressed.
func (p *Page) press(key string) {
	p.t.Helper()
	before := p.seq()
	p.run(chromedp.KeyEvent(key))
	p.settle(before, time.Second)
}

// focused is the id of the action the game's keyboard focus is on.
func (p *Page) focused() string {
	for _, a := range p.actions() {
		if a.Focused {
			return a.ID
		}
	}
	return ""
}

// keyTo moves the game's focus with Tab until it is on action id, then
// presses Enter: the keyboard's way to tap it.
func (p *Page) keyTo(id string) {
	p.t.Helper()
	p.find(id) // wait until it is there and enabled
	for range 80 {
		if p.focused() == id {
			p.press(kb.Enter)
			return
		}
		p.press(kb.Tab)
	}
	p.t.Fatalf("%s: Tab never reached %s; actions %v", p.name, id, p.actions())
}

// hears waits until the screen-reader mirror's live region says want.
func (p *Page) hears(want string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("the live region to say %q", want),
		fmt.Sprintf(`document.getElementById("sr").textContent.includes(%q)`, want))
}

// hearsOneOf waits until the live region says one of wants, and something
// other than before (empty: anything).
func (p *Page) hearsOneOf(before string, wants ...string) {
	p.t.Helper()
	var conds []string
	for _, w := range wants {
		conds = append(conds, fmt.Sprintf(`t.includes(%q)`, w))
	}
	p.waitFor(fmt.Sprintf("the live region to say one of %q", wants),
		fmt.Sprintf(`(t => t !== %q && (%s))(document.getElementById("sr").textContent)`, before, strings.Join(conds, " || ")))
}

// everyone is what the live region says of a card that is no one's turn:
// the deck is shuffled, so any card may be one.
const everyone = "Kaikki voivat vastata"

// turn is whose a card is.
type turn int

const (
	workersTurn turn = iota
	youthsTurn
	everyonesTurn
)

// table follows whose turn each card is on a worker's and a young person's
// pages. A card answered in turn goes to the worker and the young person by
// turns, the worker first; a card for everyone takes no turn. The deck is
// shuffled, so which comes when is only known as the cards are dealt.
type table struct {
	host, youth *Page
	turns       int // cards answered in turn so far
}

// dealt waits until both pages announce the next card, the one the rules
// say it is (their live regions no longer say hostWas and youthWas), and
// says whose turn it is.
func (tb *table) dealt(hostWas, youthWas string) turn {
	tb.host.t.Helper()
	hostSays, youthSays := "Sinun vuorosi", "Vuorossa:"
	if tb.turns%2 == 1 {
		hostSays, youthSays = youthSays, hostSays
	}
	tb.host.hearsOneOf(hostWas, hostSays, everyone)
	tb.youth.hearsOneOf(youthWas, youthSays, everyone)
	if strings.Contains(tb.host.live(), everyone) {
		return everyonesTurn
	}
	tb.turns++
	if tb.turns%2 == 1 {
		return workersTurn
	}
	return youthsTurn
}

// TestKeyboardOnlyGame plays a game with the keyboard alone, Tab and Enter
// and Escape, on both pages, and checks what the screen-reader mirror says
// after each step.
func TestKeyboardOnlyGame(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)

	host := open(t, b, "keys-worker", srv.URL+"/", 1024, 768, false)
	host.hears("Luo huone tai liity koodilla")
	// Nothing jumps ahead of the page's tab order (Ebiten's own canvas has
	// tabindex 1; Lighthouse counts that against accessibility).
	host.waitFor("the canvas in the page's tab order", `document.querySelector("canvas").tabIndex === 0 && ![...document.querySelectorAll("[tabindex]")].some(e => e.tabIndex > 0)`)
	host.press(kb.Tab) // into the game's canvas
	host.keyTo("create")
	host.hears("on auki")
	code := codePattern.FindString(host.live())

	youth := open(t, b, "keys-youth", srv.URL+"/#join="+strings.ReplaceAll(code, "-", ""), 1024, 768, false)
	// The door (the page's own form while the game loads) takes Tab and
	// Enter as any page does.
	for i := 0; ; i++ {
		on, _ := chromedp.Run(youth.ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
		if on == "door-knock" {
			break
		}
		if i == 10 {
			t.Fatal("Tab never reached the door's button")
		}
		youth.run(chromedp.KeyEvent(kb.Tab))
	}
	youth.run(chromedp.KeyEvent(kb.Enter))
	youth.started()
	youth.hears("Koputit ovelle")
	host.hears("koputtaa ovella")

	host.keyTo("admit-1")
	youth.hears("Olet mukana")
	host.keyTo("choose-decks")
	host.hears("Valitse pakat")
	host.keyTo("deck-lammittely")
	host.waitFor("the deck chosen", `document.getElementById("act-deck-lammittely").getAttribute("aria-pressed") === "true"`)
	host.press(kb.Escape) // back to the lobby
	host.hears("on auki")
	host.keyTo("start")

	tb := &table{host: host, youth: youth}
	tb.dealt("", "") // the first card is the worker's, or everyone's
	host.keyTo("answered")
	hostWas, youthWas := host.live(), youth.live()
	host.keyTo("next")
	youthAnswers := tb.dealt(hostWas, youthWas) != workersTurn
	youth.keyTo("bookmark")
	youth.waitFor("the bookmark", `document.getElementById("act-bookmark").getAttribute("aria-pressed") === "true"`)
	if youthAnswers {
		youth.keyTo("pass")
	}
	hostWas, youthWas = host.live(), youth.live()
	host.keyTo("next")
	tb.dealt(hostWas, youthWas)
	host.keyTo("end")
	host.keyTo("end-yes") // the question is reachable by keyboard
	host.hears("Peli päättyi")
	youth.hears("Peli päättyi. Polulla oli 3 korttia.")
}
