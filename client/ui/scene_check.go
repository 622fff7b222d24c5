package ui

import (
	"encoding/json"
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// checkScene is the "check a deck file" screen: a worker writing a deck
// chooses the file, the server's checker reads it (POST /check, no room and
// no token needed) and the screen says what it found, line by line, in the
// worker's language. The file is never kept, here or on the server.
type checkScene struct {
	file    string            // the name of the file chosen
	busy    bool              // sent, no answer yet
	res     *deck.CheckResult // what the checker found
	code    rules.Code        // why the file was not checked
	noFiles bool              // this platform cannot pick files (the desktop)
}

// checkReply is the server's answer to POST /check (site.CheckReply).
type checkReply struct {
	deck.CheckResult
	Code rules.Code `json:"code"`
}

// openCheck shows the check screen, fresh.
func (g *Game) openCheck() {
	g.check = checkScene{}
	g.overlay = "check"
}

// checkFile lets the worker choose a deck file and sends it to be checked.
func (g *Game) checkFile() {
	ok := g.p.PickFile(".yaml,.yml,.csv", func(name string, data []byte) {
		g.soon(func() { g.check = checkScene{file: name, busy: true} })
		g.p.Post("/check", "", map[string]string{"X-Deck-Name": name}, data, func(status int, body []byte) {
			var rep checkReply
			err := json.Unmarshal(body, &rep)
			g.soon(func() {
				ck := checkScene{file: name}
				switch {
				case status == 0 || err != nil:
					ck.code = protocol.ErrBusy
				case rep.Code != "":
					ck.code = rep.Code
				default:
					ck.res = &rep.CheckResult
				}
				g.check = ck
			})
		})
	})
	if !ok {
		g.check.noFiles = true
	}
}

// message is a message in a panel across the column: a problem or a
// refusal stands out, a warning sits on a card.
func (g *Game) message(f *Frame, c *Column, s string, problem bool) {
	r := c.Take(f.TextHeight(s, Style{Size: SizeBody}, c.W-32) + 20)
	fill, edge, ink := g.th.Card, g.th.Edge, g.th.Ink
	if problem {
		fill, edge, ink = g.th.Note, g.th.Note, g.th.NoteInk
	}
	f.Box(r, fill, edge, 10, 1)
	f.Text(Rect{r.X + 16, r.Y + 10, r.W - 32, 0}, s, Style{Size: SizeBody, Color: ink})
}

func (*checkScene) name() string { return "check" }

func (ck *checkScene) build(g *Game, f *Frame) {
	t := g.t
	x, w := g.page(760)
	say := t.S("check.ui.hint")
	g.scrolled(f, Rect{0, 0, g.w, g.h}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(24)
		c.Text(t.S("check.ui.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		c.Text(t.S("check.ui.hint"), Style{Size: SizeBody, Color: g.th.Ink})
		c.Text(t.S("check.ui.privacy"), Style{Size: SizeSmall, Color: g.th.Muted})
		if ck.noFiles {
			g.message(f, c, t.S("check.ui.in-browser"), true)
			say = t.S("check.ui.in-browser")
		}
		label := t.S("check.ui.choose")
		if ck.res != nil || ck.code != "" {
			label = t.S("check.ui.again")
		}
		c.Button("check-choose", label, Primary, !ck.busy, g.checkFile)
		switch {
		case ck.busy:
			c.Text(t.S("check.ui.checking"), Style{Size: SizeBody, Color: g.th.Muted})
			say = t.S("check.ui.checking")
		case ck.code != "":
			c.Text(ck.file, Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
			g.message(f, c, t.Err(ck.code), true)
			say = t.Err(ck.code)
		case ck.res != nil:
			c.Text(ck.file, Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
			summary := t.CheckSummary(*ck.res)
			c.Text(summary, Style{Size: SizeCard, Bold: true, Color: g.th.Ink})
			lines := []string{ck.file + ": " + summary}
			for _, p := range ck.res.Problems {
				s := t.Problem(p)
				g.message(f, c, s, true)
				lines = append(lines, s)
			}
			for _, p := range ck.res.Warnings {
				s := t.Warning(p)
				g.message(f, c, s, false)
				lines = append(lines, s)
			}
			// A screen reader hears the whole answer: the messages are
			// drawn on the canvas, and the mirror holds only buttons.
			say = strings.Join(lines, "\n")
		}
		c.Space(8)
		c.Button("check-back", t.S("check.ui.back"), Secondary, true, func() {
			g.overlay, g.check = "", checkScene{}
		})
	})
	f.Announce(say)
}
