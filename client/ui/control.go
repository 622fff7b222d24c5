package ui

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/rules"
)

// build lays out the frame for the scene on show.
func (g *Game) build() {
	f := newFrame(g.w, g.h, &g.ts, g.th, g.focus)
	g.scene().build(g, f)
	g.drawBanners(f)
	g.drawToasts(f)
	g.frame = f
}

// scrolled lays out a scrolling area of the screen and keeps its offset in
// bounds; body gets the column to fill, in content coordinates.
func (g *Game) scrolled(f *Frame, view Rect, body func(c *Column)) {
	key := g.screen()
	off := g.scroll[key]
	f.BeginScroll(view, off)
	c := f.Col(view.X, view.Y, view.W)
	body(c)
	h := f.EndScroll()
	maxOff := max(0, h-view.H+24)
	if off > maxOff {
		g.scroll[key] = maxOff
	}
	if off < 0 {
		g.scroll[key] = 0
	}
	f.scrollView, f.scrollMax = view, maxOff
}

// handle acts on the player's intents against the frame's widgets. It
// reports whether anything was done.
func (g *Game) handle(in intents) bool {
	f := g.frame
	if f == nil {
		return false
	}
	// A screen reader presses the mirror's buttons with a DOM click or
	// Enter: no input reaches the canvas, so these come first and alone.
	acted := false
	for _, id := range g.p.Mirrored() {
		for _, w := range f.widgets {
			if w.ID == id && w.Enabled {
				g.press(w)
				acted = true
				break
			}
		}
	}
	if !in.any {
		return acted
	}
	if in.scroll != 0 {
		g.scroll[g.screen()] += in.scroll
		acted = true
	}
	// Typing into a field the game draws itself.
	if w := g.focused(); w != nil && w.Field != nil && !g.p.DrawsFields() {
		typeInto(w.Field, in)
		if in.activate && len(in.chars) == 0 && w.Field.Submit != nil {
			w.Field.Submit()
			return true
		}
		if len(in.chars) > 0 || in.erase {
			return true
		}
	}
	for _, t := range in.taps {
		for i := len(f.widgets) - 1; i >= 0; i-- {
			w := f.widgets[i]
			if !w.R.Contains(t.x, t.y) || !w.clip.Contains(t.x, t.y) {
				continue
			}
			if w.Enabled {
				g.focus = ""
				if w.Field != nil {
					g.focus = w.ID
				}
				g.press(w)
				acted = true
			}
			break
		}
	}
	switch {
	case in.next || in.down || in.right:
		g.moveFocus(1)
		acted = true
	case in.prev || in.up || in.left:
		g.moveFocus(-1)
		acted = true
	case in.activate:
		if w := g.focused(); w != nil && w.Enabled {
			g.press(w)
			acted = true
		}
	case in.back:
		g.back()
		acted = true
	}
	return acted
}

// press does what a widget is for.
func (g *Game) press(w *Widget) {
	if w.Field != nil {
		g.focus = w.ID
		g.p.Focus(w.ID)
		return
	}
	if w.Act != nil {
		w.Act()
	}
}

func (g *Game) focused() *Widget {
	if g.frame == nil || g.focus == "" {
		return nil
	}
	for _, w := range g.frame.widgets {
		if w.ID == g.focus {
			return w
		}
	}
	return nil
}

// moveFocus moves the keyboard focus to the next (or previous) enabled
// widget, and scrolls it into view.
func (g *Game) moveFocus(dir int) {
	var ws []*Widget
	for _, w := range g.frame.widgets {
		if w.Enabled {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return
	}
	i := -1
	for j, w := range ws {
		if w.ID == g.focus {
			i = j
		}
	}
	switch {
	case i < 0 && dir > 0:
		i = 0
	case i < 0:
		i = len(ws) - 1
	default:
		i = (i + dir + len(ws)) % len(ws)
	}
	w := ws[i]
	g.focus = w.ID
	if w.Field != nil {
		g.p.Focus(w.ID)
	}
	// Bring it into view when it sits in the scrolling area.
	v := g.frame.scrollView
	if v.H > 0 && w.clip == v {
		key := g.screen()
		if w.R.Y < v.Y {
			g.scroll[key] -= v.Y - w.R.Y + 12
		} else if w.R.Bottom() > v.Bottom() {
			g.scroll[key] += w.R.Bottom() - v.Bottom() + 12
		}
	}
}

// back is Escape: close what is open, or step back.
func (g *Game) back() {
	switch {
	case g.overlay != "":
		g.overlay = ""
	case g.table.confirm != "": // the table's question asked again
		g.table.confirm = ""
	case g.focus != "":
		g.focus = ""
	}
}

// readFields takes what was typed into the page's text fields.
func (g *Game) readFields() {
	for _, e := range g.p.FieldEvents() {
		fl, ok := g.fields[e.ID]
		if !ok {
			continue
		}
		fl.Value = e.Value
		if e.Focus {
			g.focus = e.ID
		}
		switch e.Key {
		case "Tab":
			g.focus = e.ID
			g.moveFocus(1)
		case "ShiftTab":
			g.focus = e.ID
			g.moveFocus(-1)
		case "Escape":
			g.back()
		}
		if e.Submit && fl.Submit != nil {
			fl.Submit()
		}
	}
}

// syncFields places the page's text fields over the frame's.
func (g *Game) syncFields() {
	if !g.p.DrawsFields() {
		return
	}
	var specs []platform.Field
	for _, w := range g.frame.widgets {
		fl := w.Field
		if fl == nil {
			continue
		}
		r := w.R
		if r.Y < w.clip.Y || r.Bottom() > w.clip.Bottom() {
			continue // scrolled out of sight
		}
		specs = append(specs, platform.Field{
			ID: w.ID, X: r.X + 2, Y: r.Y + 2, W: r.W - 4, H: r.H - 4,
			Value: fl.Value, Set: fl.set, Placeholder: fl.Placeholder, Label: fl.Label,
			Kind: fl.Kind, Max: fl.Max, Lang: g.set.Lang, FontPx: SizeBody * g.set.Text,
			Ink: cssColor(g.th.Ink), Muted: cssColor(g.th.Muted),
		})
		fl.set = false
	}
	g.p.SyncFields(specs)
}

// mirror keeps the screen-reader mirror in step with the screen.
func (g *Game) mirror() {
	var acts []platform.MirrorAction
	for _, w := range g.frame.widgets {
		if w.Field != nil {
			continue // the page's own input is already in the accessibility tree
		}
		pressed := -1
		if w.Kind() == Toggle {
			pressed = 0
			if w.On {
				pressed = 1
			}
		}
		acts = append(acts, platform.MirrorAction{ID: w.ID, Label: w.Label, Enabled: w.Enabled, Pressed: pressed, Focused: w.ID == g.focus,
			X: w.R.X, Y: w.R.Y, W: w.R.W, H: w.R.H})
	}
	g.p.Mirror(g.frame.announce, acts)
}

// state returns the session state on show, or nil.
func (g *Game) state() *session.State {
	s := g.current()
	if s == nil {
		return nil
	}
	return s.State()
}

// nick is how a seat is called on screen.
func (g *Game) nick(v *rules.View, id rules.SeatID) string {
	if id == v.Me {
		return g.t.S("seat.you")
	}
	s := v.Seat(id)
	if s == nil {
		return g.t.S("seat.someone")
	}
	if n := strings.TrimSpace(s.Nick); n != "" {
		return n
	}
	switch s.Role {
	case rules.Host:
		return g.t.S("seat.host")
	case rules.Player:
		return g.t.S("seat.player")
	}
	return g.t.S("seat.spectator")
}

func cssColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
