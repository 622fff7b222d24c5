package ui

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// MinTouch is the smallest side of anything that can be pressed, in dp.
const MinTouch = 48.0

// Rect is a rectangle in dp.
type Rect struct{ X, Y, W, H float64 }

// Contains reports whether (x, y) is inside r.
func (r Rect) Contains(x, y float64) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// Inset shrinks r by d on every side.
func (r Rect) Inset(d float64) Rect { return Rect{r.X + d, r.Y + d, r.W - 2*d, r.H - 2*d} }

// Bottom is r's lower edge.
func (r Rect) Bottom() float64 { return r.Y + r.H }

// Kind is a button's look.
type Kind uint8

// Button kinds.
const (
	Primary   Kind = iota // the one thing to do next
	Secondary             // other things to do
	Toggle                // on or off; On says which
	Link                  // a quiet text button
)

// Widget is something that can be pressed or typed into. The scene makes
// them anew each frame; id keeps focus steady from one frame to the next.
type Widget struct {
	ID      string
	R       Rect // on screen, in dp
	Label   string
	Enabled bool
	On      bool // toggles
	Field   *Field
	Act     func()
	kind    Kind
	clip    Rect
}

// Kind is the widget's look.
func (w *Widget) Kind() Kind { return w.kind }

// Frame collects what a scene draws and what can be pressed, for one frame.
type Frame struct {
	W, H    float64 // the screen in dp
	ts      *typesetter
	th      *Theme
	ops     []func(dst *ebiten.Image)
	widgets []*Widget
	// Texts that did not fit their box; layout tests read it.
	Overflows []string

	scroll     float64 // offset applied inside a scroll area
	clip       *Rect
	contentEnd float64
	focus      string // the focused widget's id, to draw its ring
	announce   string // what a screen reader should hear about this screen
	scrollView Rect   // the scrolling area, if the scene has one
	scrollMax  float64
}

func newFrame(w, h float64, ts *typesetter, th *Theme, focus string) *Frame {
	return &Frame{W: w, H: h, ts: ts, th: th, focus: focus}
}

// Theme returns the frame's palette.
func (f *Frame) Theme() *Theme { return f.th }

// Announce sets what the screen-reader mirror says about this screen.
func (f *Frame) Announce(s string) { f.announce = s }

// place applies the scroll offset to a rect in content coordinates.
func (f *Frame) place(r Rect) Rect {
	if f.clip != nil {
		r.Y -= f.scroll
		if b := r.Bottom() + f.scroll; b > f.contentEnd {
			f.contentEnd = b
		}
	}
	return r
}

// op adds a drawing step, clipped to the scroll area when inside one.
func (f *Frame) op(fn func(dst *ebiten.Image, s float64)) {
	s := f.ts.scale
	clip := f.clip
	f.ops = append(f.ops, func(dst *ebiten.Image) {
		if clip != nil {
			r := image.Rect(int(clip.X*s), int(clip.Y*s), int(math.Ceil((clip.X+clip.W)*s)), int(math.Ceil((clip.Y+clip.H)*s)))
			dst = dst.SubImage(r).(*ebiten.Image)
		}
		fn(dst, s)
	})
}

// BeginScroll starts a scrolling area: what follows is laid out in content
// coordinates, starting at view.Y, and shown through view.
func (f *Frame) BeginScroll(view Rect, offset float64) {
	v := view
	f.clip, f.scroll, f.contentEnd = &v, offset, view.Y
}

// EndScroll ends the scrolling area and returns how tall its content is.
func (f *Frame) EndScroll() float64 {
	h := f.contentEnd - f.clip.Y
	f.clip, f.scroll = nil, 0
	return h
}

// Fill paints a rounded rectangle.
func (f *Frame) Fill(r Rect, c color.RGBA, radius float64) {
	r = f.place(r)
	f.op(func(dst *ebiten.Image, s float64) { fillRound(dst, r, c, radius, s) })
}

// Box paints a rounded rectangle with an edge.
func (f *Frame) Box(r Rect, fill, edge color.RGBA, radius, width float64) {
	r = f.place(r)
	f.op(func(dst *ebiten.Image, s float64) {
		fillRound(dst, r, fill, radius, s)
		if width > 0 {
			strokeRound(dst, r, edge, radius, width, s)
		}
	})
}

// Shadowed paints a card: a soft shadow, a face and an edge.
func (f *Frame) Shadowed(r Rect, radius float64) {
	sh := r
	sh.Y += 3
	f.Fill(sh, f.th.Shadow, radius)
	f.Box(r, f.th.Card, f.th.Edge, radius, 1)
}

// TextHeight is how tall s is when wrapped to w.
func (f *Frame) TextHeight(s string, st Style, w float64) float64 {
	return float64(len(f.ts.wrap(s, st, w))) * f.ts.lineHeight(st)
}

// Text draws s wrapped to r.W and returns the height it took. When r.H is
// set and the text is taller, the overflow is recorded (and the text still
// drawn, clipped by nothing: a layout test will say so).
func (f *Frame) Text(r Rect, s string, st Style) float64 {
	lines := f.ts.wrap(s, st, r.W)
	h := float64(len(lines)) * f.ts.lineHeight(st)
	for _, l := range lines {
		if f.ts.width(l, st) > r.W+0.5 {
			f.Overflows = append(f.Overflows, s)
			break
		}
	}
	if r.H > 0 && h > r.H+0.5 {
		f.Overflows = append(f.Overflows, s)
	}
	pr := f.place(Rect{r.X, r.Y, r.W, h})
	f.op(func(dst *ebiten.Image, _ float64) { f.ts.draw(dst, lines, pr.X, pr.Y, pr.W, st) })
	return h
}

// Button adds a button. Its label wraps inside it; a disabled button is drawn
// faded and does nothing.
func (f *Frame) Button(r Rect, id, label string, k Kind, enabled bool, act func()) *Widget {
	return f.button(r, id, label, k, false, enabled, act)
}

// Toggle adds a button that is on or off.
func (f *Frame) Toggle(r Rect, id, label string, on, enabled bool, act func()) *Widget {
	return f.button(r, id, label, Toggle, on, enabled, act)
}

func (f *Frame) button(r Rect, id, label string, k Kind, on, enabled bool, act func()) *Widget {
	if r.H < MinTouch {
		r.H = MinTouch
	}
	th := f.th
	fill, ink, edge := th.Quiet, th.QuietInk, th.Edge
	switch {
	case k == Primary:
		fill, ink, edge = th.Accent, th.AccentInk, th.Accent
	case k == Toggle && on:
		fill, ink, edge = th.On, th.OnInk, th.On
	case k == Link:
		fill, ink, edge = th.Bg, th.Ink, th.Bg
	}
	st := Style{Size: SizeBody, Bold: k == Primary || on, Color: ink, Center: true}
	pad := 12.0
	lines := f.ts.wrap(label, st, r.W-2*pad)
	th2 := float64(len(lines)) * f.ts.lineHeight(st)
	if th2 > r.H-8 {
		f.Overflows = append(f.Overflows, label)
	}
	for _, l := range lines {
		if f.ts.width(l, st) > r.W-2*pad+0.5 {
			f.Overflows = append(f.Overflows, label)
			break
		}
	}
	pr := f.place(r)
	w := &Widget{ID: id, R: pr, Label: label, Enabled: enabled && act != nil, On: on, Act: act, kind: k}
	if f.clip != nil {
		w.clip = *f.clip
	} else {
		w.clip = Rect{0, 0, f.W, f.H}
	}
	f.widgets = append(f.widgets, w)
	focused := id == f.focus
	f.op(func(dst *ebiten.Image, s float64) {
		alpha := 1.0
		if !w.Enabled && !on { // a chosen option stays bright
			alpha = 0.45
		}
		fillRound(dst, pr, fade(fill, alpha), 12, s)
		if k != Link {
			strokeRound(dst, pr, fade(edge, alpha), 12, 1.5, s)
		}
		y := pr.Y + (pr.H-th2)/2
		st := st
		st.Color = fade(ink, alpha)
		f.ts.draw(dst, lines, pr.X+pad, y, pr.W-2*pad, st)
		if k == Link && len(lines) > 0 {
			lw := f.ts.width(lines[len(lines)-1], st)
			x0 := pr.X + (pr.W-lw)/2
			fillRect(dst, Rect{x0, y + th2 - 4.5, lw, 1}, fade(ink, alpha*0.6), s)
		}
		if focused {
			strokeRound(dst, Rect{pr.X - 4, pr.Y - 4, pr.W + 8, pr.H + 8}, th.Focus, 15, 3, s)
		}
	})
	return w
}

// Image draws img scaled into r (square pixels, nearest neighbour, for QR
// codes).
func (f *Frame) Image(r Rect, img *ebiten.Image) {
	r = f.place(r)
	f.op(func(dst *ebiten.Image, s float64) {
		b := img.Bounds()
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Scale(r.W*s/float64(b.Dx()), r.H*s/float64(b.Dy()))
		op.GeoM.Translate(r.X*s, r.Y*s)
		dst.DrawImage(img, op)
	})
}

// Draw adds a free drawing step in dp coordinates (icons, animations).
func (f *Frame) Draw(r Rect, fn func(dst *ebiten.Image, r Rect, s float64)) {
	r = f.place(r)
	f.op(func(dst *ebiten.Image, s float64) { fn(dst, r, s) })
}

func fade(c color.RGBA, a float64) color.RGBA {
	if a >= 1 {
		return c
	}
	return color.RGBA{uint8(float64(c.R) * a), uint8(float64(c.G) * a), uint8(float64(c.B) * a), uint8(float64(c.A) * a)}
}

// Option adds a choice with a title and a line or two of detail: a deck, a
// setting. It is a toggle, on when chosen.
func (f *Frame) Option(r Rect, id, title, detail string, on bool, act func()) *Widget {
	th := f.th
	fill, ink, sub := th.Card, th.Ink, th.Muted
	if on {
		fill, ink, sub = th.On, th.OnInk, th.OnInk
	}
	tst := Style{Size: SizeBody, Bold: true, Color: ink}
	dst := Style{Size: SizeSmall, Color: sub}
	tl := f.ts.wrap(title, tst, r.W-32)
	dl := f.ts.wrap(detail, dst, r.W-32)
	th1 := float64(len(tl)) * f.ts.lineHeight(tst)
	th2 := float64(len(dl)) * f.ts.lineHeight(dst)
	if r.H < th1+th2+24 {
		f.Overflows = append(f.Overflows, title)
	}
	pr := f.place(r)
	w := &Widget{ID: id, R: pr, Label: title + ". " + detail, Enabled: act != nil, On: on, Act: act, kind: Toggle}
	w.clip = Rect{0, 0, f.W, f.H}
	if f.clip != nil {
		w.clip = *f.clip
	}
	f.widgets = append(f.widgets, w)
	focused := id == f.focus
	f.op(func(d *ebiten.Image, s float64) {
		fillRound(d, pr, fill, 12, s)
		strokeRound(d, pr, th.Edge, 12, 1.5, s)
		f.ts.draw(d, tl, pr.X+16, pr.Y+12, pr.W-32, tst)
		f.ts.draw(d, dl, pr.X+16, pr.Y+12+th1, pr.W-32, dst)
		if focused {
			strokeRound(d, Rect{pr.X - 4, pr.Y - 4, pr.W + 8, pr.H + 8}, th.Focus, 15, 3, s)
		}
	})
	return w
}

// OptionHeight is how tall an Option of width w must be.
func (f *Frame) OptionHeight(title, detail string, w float64) float64 {
	return f.TextHeight(title, Style{Size: SizeBody, Bold: true}, w-32) + f.TextHeight(detail, Style{Size: SizeSmall}, w-32) + 24
}
