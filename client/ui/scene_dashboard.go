package ui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// The trainer's dashboard: the workshop's code for participants to join
// with, who waits for a pair, and every room's progress. It shows how far
// each room has come and who is connected, never what is said in it: the
// server sends nothing more.

// dashboardScene is the trainer's dashboard, with what it keeps from one
// frame to the next.
type dashboardScene struct {
	pick    []int  // participants picked to pair by hand: the worker first
	confirm string // "end-all" or "close" while it waits for a second tap
}

func (*dashboardScene) name() string { return "dashboard" }

func (ds *dashboardScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	t := g.t
	d := st.Dashboard
	if d == nil {
		d = &protocol.Dashboard{}
	}
	var waiting []protocol.Person
	online, done := 0, 0
	for _, p := range d.People {
		if p.Room == 0 {
			waiting = append(waiting, p)
			if p.Online {
				online++
			}
		}
	}
	for _, r := range d.Rooms {
		if r.Phase >= rules.Summary {
			done++
		}
	}
	ds.pick = slices.DeleteFunc(ds.pick, func(id int) bool {
		return !slices.ContainsFunc(waiting, func(p protocol.Person) bool { return p.ID == id })
	})
	// Large type where the dashboard may be on a projector.
	big := 1.0
	if g.w >= 1600 {
		big = 1.25
	}
	counts := t.S("dash.counts", len(d.People), len(waiting), len(d.Rooms))

	barTop := g.actionBar(f, ds.bar(g, online, len(waiting) > 0 || len(d.Rooms) == 0, done < len(d.Rooms)), 4, "")
	x, w := g.page(1760)
	wide := g.w >= 1000
	g.scrolled(f, Rect{0, 0, g.w, barTop}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(16)
		if !wide {
			// One column: how to join, who waits, the rooms, and the
			// message last.
			g.dashJoin(f, c, st.Workshop, counts, big, 160)
			if len(waiting) > 0 || len(d.Rooms) == 0 {
				ds.waiting(g, f, c, d, waiting, 2)
			}
			g.dashRooms(f, c, d, big)
			c.Space(8)
			g.dashMessage(f, c)
			return
		}
		// The joining and the message on the left; the people and the
		// rooms, what the trainer follows, on the wide right.
		lw := min(w*0.3, 480)
		left := f.Col(x, c.Y, lw)
		right := f.Col(x+lw+48, c.Y, w-lw-48)
		g.dashJoin(f, left, st.Workshop, counts, big, 200*big)
		left.Space(8)
		g.dashMessage(f, left)
		if len(waiting) > 0 || len(d.Rooms) == 0 {
			ds.waiting(g, f, right, d, waiting, max(2, min(5, int(right.W/220))))
			right.Space(12)
		}
		g.dashRooms(f, right, d, big)
		c.Y = max(left.Y, right.Y)
	})
	rooms := ""
	if len(d.Rooms) > 0 {
		rooms = t.S("dash.rooms-done", done, len(d.Rooms))
	}
	f.Announce(sentences(t.S("dash.announce", formatCode(st.Workshop), counts), rooms))
}

// dashJoin shows how participants join: the code, big enough to read from
// the back of the room, its link and QR code, and the counts.
func (g *Game) dashJoin(f *Frame, c *Column, code, counts string, big, qr float64) {
	t := g.t
	c.Text(t.S("dash.title"), Style{Size: SizeTitle * big, Bold: true, Color: g.th.Ink})
	c.Text(t.S("dash.join"), Style{Size: SizeBody * big, Color: g.th.Muted})
	c.Text(formatCode(code), Style{Size: SizeHuge * 1.3 * big, Bold: true, Color: g.th.Ink, Center: true})
	link := g.workshopLink(code)
	if img := qrImage(link); img != nil {
		qs := min(c.W, qr)
		r := c.Take(qs)
		f.Image(Rect{r.X + (r.W-qs)/2, r.Y, qs, qs}, img)
	}
	c.Text(link, Style{Size: SizeSmall, Color: g.th.Muted, Center: true})
	c.Text(counts, Style{Size: SizeBody * big, Bold: true, Color: g.th.Ink, Center: true})
}

// waiting lists who waits for a pair; the trainer may pick two to pair
// by hand, the worker first.
func (ds *dashboardScene) waiting(g *Game, f *Frame, c *Column, d *protocol.Dashboard, waiting []protocol.Person, cols int) {
	t := g.t
	c.Text(t.S("dash.waiting"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
	if len(waiting) == 0 {
		c.Text(t.S("dash.nobody-waiting"), Style{Size: SizeBody, Color: g.th.Muted})
		return
	}
	c.Text(t.S("dash.pick-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
	labels := make([]string, len(waiting))
	for i, p := range waiting {
		labels[i] = g.personName(p)
		switch slices.Index(ds.pick, p.ID) {
		case 0:
			labels[i] += " · " + t.S("dash.as-worker")
		case 1:
			labels[i] += " · " + t.S("dash.as-youth")
		}
		if !p.Online {
			labels[i] += " · " + t.S("dash.away")
		}
	}
	cells := c.Grid(labels, cols)
	for i, p := range waiting {
		id := p.ID
		f.Toggle(cells[i], "person-"+strconv.Itoa(id), labels[i], slices.Contains(ds.pick, id), true, func() {
			if j := slices.Index(ds.pick, id); j >= 0 {
				ds.pick = slices.Delete(ds.pick, j, j+1)
			} else if len(ds.pick) < 2 {
				ds.pick = append(ds.pick, id)
			}
		})
	}
	switch len(ds.pick) {
	case 1:
		c.Text(t.S("dash.pick-second", g.personName(personByID(d, ds.pick[0]))), Style{Size: SizeBody, Color: g.th.Ink})
	case 2:
		a, b := ds.pick[0], ds.pick[1]
		c.Button("pair", t.S("dash.pair-these", g.personName(personByID(d, a)), g.personName(personByID(d, b))), Primary, true, func() {
			g.train(protocol.Train{Kind: protocol.TrainPair, A: a, B: b})
			ds.pick = nil
		})
	}
}

// dashRooms lays out the rooms' cards in as many columns as fit.
func (g *Game) dashRooms(f *Frame, c *Column, d *protocol.Dashboard, big float64) {
	t := g.t
	c.Text(t.S("dash.rooms"), Style{Size: SizeTitle * big, Bold: true, Color: g.th.Ink})
	if len(d.Rooms) == 0 {
		c.Text(t.S("dash.no-rooms"), Style{Size: SizeBody * big, Color: g.th.Muted})
		return
	}
	cols := max(1, min(3, int(c.W/360)))
	cellW := (c.W - float64(cols-1)*16) / float64(cols)
	for i := 0; i < len(d.Rooms); i += cols {
		row := d.Rooms[i:min(i+cols, len(d.Rooms))]
		h := 0.0
		for _, r := range row {
			h = max(h, g.roomCard(f, d, r, Rect{0, 0, cellW, 0}, big, false))
		}
		for j, r := range row {
			g.roomCard(f, d, r, Rect{c.X + float64(j)*(cellW+16), c.Y, cellW, h}, big, true)
		}
		c.Y += h + 16
	}
}

// dashMessage is a short message to every room and everyone waiting.
func (g *Game) dashMessage(f *Frame, c *Column) {
	t := g.t
	msg := g.field("dash-message", platform.FieldText, protocol.MaxTrainText)
	msg.Placeholder, msg.Label = t.S("dash.message-placeholder"), t.S("dash.message")
	send := func() {
		text := strings.TrimSpace(msg.Value)
		if text == "" {
			return
		}
		g.train(protocol.Train{Kind: protocol.TrainMessage, Text: text})
		g.setField("dash-message", "")
		msg.Value = ""
		g.toast(t.S("dash.sent", text))
	}
	msg.Submit = send
	c.Text(t.S("dash.message"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
	f.Field(c.Take(MinTouch), "dash-message", msg, !g.p.DrawsFields())
	c.Button("send", t.S("dash.send"), Secondary, strings.TrimSpace(msg.Value) != "", send)
	c.Text(t.S("dash.privacy"), Style{Size: SizeSmall, Color: g.th.Muted})
	c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
}

// bar holds the commands for every room, and asks again before
// ending anything.
func (ds *dashboardScene) bar(g *Game, online int, pairing, playing bool) []barButton {
	t := g.t
	cancel := barButton{"cancel", t.S("dash.cancel"), Secondary, true, func() { ds.confirm = "" }}
	switch ds.confirm {
	case "end-all":
		return []barButton{cancel, {"end-all-yes", t.S("dash.end-all-confirm"), Primary, true, func() {
			g.train(protocol.Train{Kind: protocol.TrainEndAll})
			ds.confirm = ""
		}}}
	case "close":
		return []barButton{cancel, {"close-yes", t.S("dash.close-confirm"), Primary, true, func() {
			g.train(protocol.Train{Kind: protocol.TrainClose})
			ds.confirm = ""
		}}}
	}
	var bs []barButton
	if pairing {
		bs = append(bs, barButton{"pair-all", t.S("dash.pair-auto"), Primary, online >= 2, func() {
			g.train(protocol.Train{Kind: protocol.TrainPairAll})
			ds.pick = nil
		}})
	}
	return append(bs, []barButton{
		{"time-left", t.S("dash.time-left"), Secondary, true, func() {
			g.train(protocol.Train{Kind: protocol.TrainTimeLeft, Minutes: 5})
			g.toast(t.S("dash.sent", t.S("dash.time-left")))
		}},
		{"end-all", t.S("dash.end-all"), Secondary, playing, func() { ds.confirm = "end-all" }},
		{"close-workshop", t.S("dash.close"), Secondary, true, func() { ds.confirm = "close" }},
	}...)
}

// roomCard lays out (with draw, draws) one room's progress in r and
// returns the height it needs.
func (g *Game) roomCard(f *Frame, d *protocol.Dashboard, r protocol.RoomProgress, at Rect, big float64, draw bool) float64 {
	t := g.t
	th := g.th
	pad := 16.0
	inner := at.W - 2*pad
	title := Style{Size: SizeBody * big, Bold: true, Color: th.Ink}
	body := Style{Size: SizeBody * big, Color: th.Ink}
	small := Style{Size: SizeSmall * big, Color: th.Muted}
	phase := t.S("dash.phase." + r.Phase.String())
	progress := t.S("dash.cards", r.Played)
	if r.Passes > 0 {
		progress += " · " + t.S("dash.passes", r.Passes)
	}
	people := []struct {
		p    protocol.Person
		role string
	}{{personByID(d, r.Host), t.S("dash.as-worker")}, {personByID(d, r.Player), t.S("dash.as-youth")}}
	dot := SizeBody * big * 0.55

	if draw {
		if r.Phase == rules.Closed {
			f.Box(at, th.Bg, th.Edge, 14, 1)
		} else {
			f.Shadowed(at, 14)
		}
	}
	y := at.Y + pad
	// The room's number, and its phase on the right.
	pw := f.ts.width(phase, Style{Size: SizeSmall * big, Bold: true}) + 20
	head := title
	nameW := inner
	if pw < inner*0.6 {
		nameW = inner - pw - 8
	}
	h := f.TextHeight(t.S("dash.room", r.N), head, nameW)
	if draw {
		f.Text(Rect{at.X + pad, y, nameW, 0}, t.S("dash.room", r.N), head)
	}
	tagY := y
	if nameW == inner {
		tagY = y + h + 6
		h += f.TextHeight(phase, Style{Size: SizeSmall * big, Bold: true}, inner) + 14
	}
	if draw {
		tag := Rect{at.X + at.W - pad - pw, tagY, pw, f.ts.lineHeight(Style{Size: SizeSmall * big}) + 6}
		if nameW == inner {
			tag.X = at.X + pad
		}
		fill, ink := th.Quiet, th.QuietInk
		if r.Phase == rules.Playing {
			fill, ink = th.Accent, th.AccentInk
		}
		f.Fill(tag, fill, tag.H/2)
		f.Text(Rect{tag.X + 10, tag.Y + 3, tag.W - 20, 0}, phase, Style{Size: SizeSmall * big, Bold: true, Color: ink, Center: true})
	}
	y += h + 10
	// Who is in it, and whether they are connected: a filled dot and their
	// name, or a hollow one and "away" (not colour alone).
	for _, pp := range people {
		line := g.personName(pp.p) + " · " + pp.role
		if !pp.p.Online {
			line += " · " + t.S("dash.away")
		}
		lh := f.TextHeight(line, body, inner-dot-10)
		if draw {
			on := pp.p.Online
			cy := y + f.ts.lineHeight(body)/2
			f.Draw(Rect{at.X + pad, cy - dot/2, dot, dot}, func(dst *ebiten.Image, rr Rect, s float64) { drawDot(dst, rr, on, th.Accent, th.Muted, s) })
			f.Text(Rect{at.X + pad + dot + 10, y, inner - dot - 10, 0}, line, body)
		}
		y += lh + 4
	}
	y += 6
	ph := f.TextHeight(progress, small, inner)
	if draw {
		f.Text(Rect{at.X + pad, y, inner, 0}, progress, small)
	}
	y += ph
	if r.Paused {
		st := Style{Size: SizeSmall * big, Bold: true, Color: th.BannerInk}
		label := t.S("dash.paused")
		tw := min(f.ts.width(label, st)+20, inner)
		th2 := f.TextHeight(label, st, tw-20) + 6
		if draw {
			r := Rect{at.X + pad, y + 8, tw, th2}
			f.Fill(r, th.Banner, min(r.H/2, 12))
			f.Text(Rect{r.X + 10, r.Y + 3, r.W - 20, 0}, label, st)
		}
		y += th2 + 8
	}
	return y + pad - at.Y
}

// personByID finds a participant on the dashboard.
func personByID(d *protocol.Dashboard, id int) protocol.Person {
	for _, p := range d.People {
		if p.ID == id {
			return p
		}
	}
	return protocol.Person{ID: id}
}

// personName is a participant's nickname, or a number for one without.
func (g *Game) personName(p protocol.Person) string {
	if n := strings.TrimSpace(p.Nick); n != "" {
		return n
	}
	return g.t.S("dash.person", p.ID)
}
