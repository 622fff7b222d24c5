package ui

import (
	"strconv"
	"unicode/utf8"

	"github.com/pore/elamanipeli/client/i18n"
	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// margin is the space around the page's content.
func (g *Game) margin() float64 {
	if g.w < 500 {
		return 16
	}
	return 32
}

// page is the centred content column, at most maxW wide.
func (g *Game) page(maxW float64) (x, w float64) {
	m := g.margin()
	w = min(g.w-2*m, maxW)
	return (g.w - w) / 2, w
}

// langRow lets a player pick the language of their screen and cards.
func (g *Game) langRow(f *Frame, c *Column, onPick func(lang string)) {
	langs := i18n.Languages()
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = i18n.For(l).S("lang.name")
	}
	for i, r := range c.ButtonRow(names) {
		l := langs[i]
		f.Toggle(r, "lang-"+l, names[i], g.set.Lang == l, true, func() {
			g.set.Lang = l
			g.applySettings()
			if onPick != nil {
				onPick(l)
			}
		})
	}
}

// startScene is the first screen: a nickname, then a room to create or
// join (one tap when a link brought the player here), a game on this
// device alone, a workshop, the settings and the deck check.
type startScene struct {
	decks    []*deck.Deck // the server's decks, for a game on this device alone (nil: not fetched yet)
	fetching bool
}

func (*startScene) name() string { return "start" }

func (s *startScene) build(g *Game, f *Frame) {
	t := g.t
	x, w := g.page(560)
	announce := t.S("start.announce")
	g.scrolled(f, Rect{0, 0, g.w, g.h}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(max(16, g.h*0.05))
		c.Text(t.S("app.title"), Style{Size: SizeHuge, Bold: true, Color: g.th.Ink, Center: true})
		c.Text(t.S("start.tagline"), Style{Size: SizeBody, Color: g.th.Muted, Center: true})
		c.Space(8)
		g.langRow(f, c, nil)
		if g.lastErr != "" {
			r := c.Take(f.TextHeight(t.Err(g.lastErr), Style{Size: SizeBody}, w-32) + 24)
			f.Box(r, g.th.Note, g.th.Note, 10, 0)
			f.Text(r.Inset(12), t.Err(g.lastErr), Style{Size: SizeBody, Color: g.th.NoteInk})
		}
		nick := g.field("nick", platform.FieldText, rules.MaxNick)
		nick.Placeholder, nick.Label = t.S("start.nick-placeholder"), t.S("start.nick")
		c.Text(t.S("start.nick"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
		f.Field(c.Take(MinTouch), "nick", nick, !g.p.DrawsFields())

		switch {
		case g.joining != "":
			// Came from a link: one tap to knock, no typing needed.
			invited, knockLabel, other := t.S("start.invited", formatCode(g.joining)), t.S("start.knock"), t.S("start.not-this")
			if g.toWorkshop {
				invited, knockLabel, other = t.S("start.invited-workshop", formatCode(g.joining)), t.S("start.join-workshop"), t.S("start.not-this-workshop")
			}
			announce = invited
			card := c.Take(f.TextHeight(invited, Style{Size: SizeCard, Bold: true}, w-40) + 40)
			f.Shadowed(card, 16)
			f.Text(card.Inset(20), invited, Style{Size: SizeCard, Bold: true, Color: g.th.Ink, Center: true})
			knock := func() { g.knock(nick.Value) }
			nick.Submit = knock
			c.Button("knock", knockLabel, Primary, true, knock)
			c.Button("other", other, Link, true, func() { g.joining, g.toWorkshop = "", false })
		default:
			create := func() { g.open(protocol.Hello{Want: protocol.WantCreate, Nick: nick.Value, Lang: g.set.Lang}) }
			c.Button("create", t.S("start.create"), Primary, true, create)
			c.Text(t.S("start.create-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
			c.Space(8)
			c.Text(t.S("start.join-title"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
			code := g.field("code", platform.FieldCode, 12)
			code.Placeholder, code.Label = t.S("start.code-placeholder"), t.S("start.join-title")
			join := func() {
				if utf8.RuneCountInString(normalizeCode(code.Value)) >= 6 {
					g.open(protocol.Hello{Want: protocol.WantJoin, Code: normalizeCode(code.Value), Nick: nick.Value, Lang: g.set.Lang})
				}
			}
			code.Submit = join
			f.Field(c.Take(MinTouch), "code", code, !g.p.DrawsFields())
			c.Button("join", t.S("start.join"), Secondary, len(normalizeCode(code.Value)) >= 6, join)
			// Two at one device, no server: the decks come once from the
			// server, and the game stays here.
			c.Space(8)
			c.Button("local", t.S("start.local"), Secondary, !s.fetching, func() { g.startLocal(nick.Value) })
			c.Text(t.S("start.local-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
			c.Button("workshop", t.S("start.workshop"), Link, true, func() { g.openWorkshop(nick.Value) })
		}
		c.Space(8)
		c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
		if g.joining == "" { // an invited young person needs no deck files
			c.Button("check-deck", t.S("check.ui.start"), Link, true, g.openCheck)
		}
		c.Text(t.S("start.privacy"), Style{Size: SizeSmall, Color: g.th.Muted, Center: true})
	})
	f.Announce(announce)
}

// normalizeCode is what a person typed as a code, without spaces or dashes.
func normalizeCode(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			out = append(out, r-'a'+'A')
		case r == ' ' || r == '-':
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

// formatCode shows a code in groups of three, easier to read aloud.
func formatCode(code string) string {
	code = normalizeCode(code)
	if len(code) == 6 {
		return code[:3] + "-" + code[3:]
	}
	return code
}

// connectingScene waits for the server's first answer.
type connectingScene struct{}

func (connectingScene) name() string { return "connecting" }

func (connectingScene) build(g *Game, f *Frame) {
	x, w := g.page(560)
	c := f.Col(x, g.h*0.3, w)
	c.Text(g.t.S("connecting.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink, Center: true})
	c.Button("cancel", g.t.S("connecting.cancel"), Secondary, true, g.leave)
	f.Announce(g.t.S("connecting.title"))
}

// closedScene says the room is closed.
type closedScene struct{}

func (closedScene) name() string { return "closed" }

func (closedScene) build(g *Game, f *Frame) {
	x, w := g.page(560)
	c := f.Col(x, g.h*0.3, w)
	c.Text(g.t.S("closed.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink, Center: true})
	c.Button("home", g.t.S("closed.home"), Primary, true, g.leave)
	f.Announce(g.t.S("closed.title"))
}

// settingsScene is the player's choices on this device, over any scene.
type settingsScene struct{}

func (settingsScene) name() string { return "settings" }

func (settingsScene) build(g *Game, f *Frame) {
	t := g.t
	x, w := g.page(560)
	g.scrolled(f, Rect{0, 0, g.w, g.h}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(24)
		c.Text(t.S("settings.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		c.Text(t.S("settings.language"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
		g.langRow(f, c, func(l string) {
			if s := g.current(); s != nil && s.State().HasView {
				s.Act(rules.Action{Kind: rules.ActLanguage, Lang: l})
			}
		})
		c.Text(t.S("settings.text-size"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
		labels := make([]string, len(TextSizes))
		for i, s := range TextSizes {
			labels[i] = percent(s)
		}
		cells := c.ButtonRow(labels)
		for i, s := range TextSizes {
			f.Toggle(cells[i], "size-"+strconv.Itoa(int(s*100+0.5)), labels[i], g.set.Text == s, true, func() {
				g.set.Text = s
				g.applySettings()
			})
		}
		c.Toggle("contrast", t.S("settings.contrast"), g.set.Contrast, true, func() {
			g.set.Contrast = !g.set.Contrast
			g.applySettings()
		})
		c.Toggle("wide", t.S("settings.wide"), g.set.Wide, true, func() {
			g.set.Wide = !g.set.Wide
			g.applySettings()
		})
		c.Text(t.S("settings.sample"), Style{Size: SizeCard, Color: g.th.Ink})
		c.Button("done", t.S("settings.done"), Primary, true, func() { g.overlay = "" })
	})
	f.Announce(t.S("settings.title"))
}

// percent is a text size as Finnish writes it, "125 %", never broken
// between the number and its sign.
func percent(s float64) string { return strconv.Itoa(int(s*100+0.5)) + "\u00a0%" }
