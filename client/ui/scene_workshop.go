package ui

import (
	"github.com/pore/elamanipeli/shared/protocol"
)

// A participant of a trainer's workshop waits here until the trainer pairs
// them; then the session takes them to their room's lobby by itself.

// trainer is the trainer's side of a session (client/session.Session).
type trainer interface{ Train(protocol.Train) }

// train sends the trainer's command, when this device is a trainer's.
func (g *Game) train(c protocol.Train) {
	if tr, ok := g.sess.(trainer); ok {
		tr.Train(c)
	}
}

// openWorkshop creates a workshop with this device as its trainer.
func (g *Game) openWorkshop(nick string) {
	g.dash = dashboardScene{}
	g.open(protocol.Hello{Want: protocol.WantWorkshop, Nick: nick, Lang: g.set.Lang})
}

// workshopScene is a participant's wait for a pair.
type workshopScene struct{}

func (workshopScene) name() string { return "workshop" }

func (workshopScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	t := g.t
	x, w := g.page(560)
	msg := t.S("workshop.waiting")
	if st.Paired {
		msg = t.S("workshop.paired")
	}
	g.scrolled(f, Rect{0, 0, g.w, g.h}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(max(24, g.h*0.1))
		c.Text(t.S("workshop.title", formatCode(st.Workshop)), Style{Size: SizeSmall, Bold: true, Color: g.th.Muted, Center: true})
		card := c.Take(f.TextHeight(msg, Style{Size: SizeCard, Bold: true}, w-48) + 48)
		f.Shadowed(card, 16)
		f.Text(card.Inset(24), msg, Style{Size: SizeCard, Bold: true, Color: g.th.Ink, Center: true})
		c.Text(t.S("workshop.hint"), Style{Size: SizeBody, Color: g.th.Muted, Center: true})
		g.langRow(f, c, nil)
		c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
		c.Button("leave", t.S("workshop.leave"), Secondary, true, g.leave)
	})
	f.Announce(msg)
}
