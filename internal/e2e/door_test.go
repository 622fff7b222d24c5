//go:build !js

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestTheDoorOfAnInvitation: an invitation link opens the page's own door (a
// language, a nickname and a knock; another link opened in the tab opens
// its own) and the client waits behind it,
// compiled but not started, until the young person knocks; the knock then
// reaches the room with the nickname typed, in the language picked, and
// nothing of the nickname stays on the device. "This is not my room" opens
// the game's own start instead.
func TestTheDoorOfAnInvitation(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)

	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Nick: "Sanna", Lang: "fi"}, session.Options{})
	t.Cleanup(host.Close)
	code := gametest.Wait(t, host, "the room", func(s *session.State) bool { return s.Code != "" }).Code
	shown := code[:3] + "-" + code[3:]

	// A first link, then the right one opened in the same tab: the door
	// follows it.
	youth := open(t, b, "door-youth", srv.URL+"/#join=ABCDEF", 390, 844, true)
	youth.waitFor("the first link's door", `document.getElementById("door-invited").textContent.endsWith("ABC-DEF")`)
	youth.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = %q`, "#join="+strings.ToLower(code))))
	youth.waitFor("the door in Finnish", fmt.Sprintf(`document.getElementById("door-invited").textContent === %q && document.getElementById("door-knock").textContent === "Koputa ovelle"`, "Sinut on kutsuttu huoneeseen "+shown))
	youth.photograph("door")
	// Where the knock button is, and whether the client was compiled then.
	type knockButton struct {
		X, Y, Width, Height float64
		Compiled            bool
	}
	const knockAt = `(r => ({X: r.x, Y: r.y, Width: r.width, Height: r.height, Compiled: performance.getEntriesByName("elamanipeli-compiled").length > 0}))(document.getElementById("door-knock").getBoundingClientRect())`
	before, err := chromedp.Run(youth.ctx, chromedp.Evaluate[knockButton](knockAt))
	if err != nil {
		t.Fatal(err)
	}

	// The client compiles meanwhile, and waits: Go has not started, the
	// game's mirror is empty, and the room has heard no knock.
	youth.waitWithin(4*time.Minute, "the client compiled", `performance.getEntriesByName("elamanipeli-compiled").length > 0`)
	// The knock button has not moved while the client loaded: a finger
	// on its way to it still lands on it.
	after, err := chromedp.Run(youth.ctx, chromedp.Evaluate[knockButton](knockAt))
	switch {
	case err != nil:
		t.Fatal(err)
	case before.Compiled:
		t.Logf("the client was ready before the door was measured: the knock button's stillness is not tried")
	case before.X != after.X || before.Y != after.Y || before.Width != after.Width || before.Height != after.Height:
		t.Errorf("the knock button moved as the client became ready: %+v, then %+v", before, after)
	}
	time.Sleep(time.Second)
	if tm := youth.timings(); tm["main"] != 0 {
		t.Fatalf("the client started before the knock: %v", tm)
	}
	if n := len(youth.actions()); n != 0 {
		t.Fatalf("the game's mirror has %d actions before the knock", n)
	}
	if seats := host.State().View.Seats; len(seats) != 1 {
		t.Fatalf("the room has %d seats before the knock", len(seats))
	}

	// A screen reader's way: a DOM click on "Svenska", the field's keys,
	// Enter in the field.
	youth.run(chromedp.Evaluate[chromedp.Void](`document.querySelector('#door .langs button[lang="sv"]').click()`))
	youth.waitFor("the door in Swedish", fmt.Sprintf(`document.documentElement.lang === "sv" && document.getElementById("door-invited").textContent === %q && document.querySelector('#door .langs button[lang="sv"]').getAttribute("aria-pressed") === "true" && document.getElementById("door-knock").textContent === "Knacka på"`, "Du har bjudits in till rum "+shown))
	youth.run(chromedp.Focus(chromedp.CSS("#door-nick")), chromedp.SendKeys(chromedp.CSS("#door-nick"), "Eero"), chromedp.KeyEvent(kb.Enter))
	youth.started()
	youth.hears("Du har knackat")

	st := gametest.Wait(t, host, "Eero's knock", func(s *session.State) bool {
		return s.HasView && len(s.View.Seats) == 2 && s.View.Seats[1].Status == rules.Knocking
	})
	if k := st.View.Seats[1]; k.Nick != "Eero" || k.Lang != "sv" {
		t.Errorf("the knock came from %q in %q, want Eero in sv", k.Nick, k.Lang)
	}
	kept, err := chromedp.Run(youth.ctx, chromedp.Evaluate[string](`JSON.stringify({...localStorage}) + " " + location.hash + document.getElementById("door-nick").value + " " + typeof window.elamanipeliDoor`))
	if err != nil || strings.Contains(kept, "Eero") || strings.Contains(kept, "#join") || !strings.HasSuffix(kept, " undefined") {
		t.Errorf("after the knock the device keeps %s (%v)", kept, err)
	}

	// Another device opens the link, but it is not their room: the game's
	// own start, with no link left to follow.
	other := open(t, b, "door-other", srv.URL+"/#join="+code, 1024, 768, false)
	other.run(chromedp.Click(chromedp.CSS("#door-other")))
	other.started()
	other.hears("Luo huone tai liity koodilla")
	if hash, _ := chromedp.Run(other.ctx, chromedp.Evaluate[string](`location.hash`)); hash != "" {
		t.Errorf("the link is still there: %q", hash)
	}
	if seats := host.State().View.Seats; len(seats) != 2 {
		t.Errorf("the room has %d seats after a device said it was not theirs", len(seats))
	}
}
