package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/platform"
)

// Field is a text field's state, kept across frames.
type Field struct {
	Value       string
	Kind        platform.FieldKind
	Max         int
	Placeholder string
	Label       string
	Submit      func()
	r           Rect // where it was last laid out
	set         bool // the game changed Value: the page must show it
}

// field returns the field with id, making it on first use.
func (g *Game) field(id string, kind platform.FieldKind, max int) *Field {
	fl, ok := g.fields[id]
	if !ok {
		fl = &Field{Kind: kind, Max: max}
		g.fields[id] = fl
	}
	return fl
}

// setField changes a field's value from the game's side.
func (g *Game) setField(id, v string) {
	if fl, ok := g.fields[id]; ok {
		fl.Value, fl.set = v, true
	}
}

// Field lays out a text field. The browser puts a real input over it (so a
// phone's keyboard comes up); the desktop draws and edits it here.
func (f *Frame) Field(r Rect, id string, fl *Field, native bool) *Widget {
	if r.H < MinTouch {
		r.H = MinTouch
	}
	pr := f.place(r)
	fl.r = pr
	w := &Widget{ID: id, R: pr, Label: fl.Label, Enabled: true, Field: fl}
	w.clip = Rect{0, 0, f.W, f.H}
	if f.clip != nil {
		w.clip = *f.clip
	}
	f.widgets = append(f.widgets, w)
	focused := id == f.focus
	th := f.th
	st := Style{Size: SizeBody, Color: th.Ink}
	// A placeholder is an example on one line: cut short it says nothing,
	// so at large text sizes it gives way (the label above says enough).
	if f.ts.width(fl.Placeholder, st) > r.W-28 {
		fl.Placeholder = ""
	}
	f.op(func(dst *ebiten.Image, s float64) {
		fillRound(dst, pr, th.Card, 10, s)
		edge := th.Edge
		width := 1.5
		if focused {
			edge, width = th.Focus, 3
		}
		strokeRound(dst, pr, edge, 10, width, s)
		if !native {
			return // the page's own input shows the text
		}
		lh := f.ts.lineHeight(st)
		y := pr.Y + (pr.H-lh)/2
		text, style := fl.Value, st
		if text == "" && !focused {
			text, style.Color = fl.Placeholder, th.Muted
		}
		// Show the end of a long value, where the caret is.
		for f.ts.width(text, style) > pr.W-28 && text != "" {
			_, size := utf8.DecodeRuneInString(text)
			text = text[size:]
		}
		f.ts.draw(dst, []string{text}, pr.X+12, y, pr.W-24, style)
		if focused {
			x := pr.X + 12 + f.ts.width(text, style) + 1
			fillRect(dst, Rect{x - 1, y + 4, 2, lh - 8}, th.Ink, s)
		}
	})
	return w
}

// typeInto edits a field the game draws itself.
func typeInto(fl *Field, in intents) {
	for _, r := range in.chars {
		if r < ' ' {
			continue
		}
		if fl.Max > 0 && utf8.RuneCountInString(fl.Value) >= fl.Max {
			break
		}
		if fl.Kind == platform.FieldCode {
			r = []rune(strings.ToUpper(string(r)))[0]
		}
		fl.Value += string(r)
	}
	if in.erase && fl.Value != "" {
		_, size := utf8.DecodeLastRuneInString(fl.Value)
		fl.Value = fl.Value[:len(fl.Value)-size]
	}
}

// Column lays things out top to bottom.
type Column struct {
	f      *Frame
	X, Y   float64
	W, Gap float64
}

// Col starts a column at (x, y), w wide.
func (f *Frame) Col(x, y, w float64) *Column { return &Column{f: f, X: x, Y: y, W: w, Gap: 12} }

// Take reserves h dp and returns the space.
func (c *Column) Take(h float64) Rect {
	r := Rect{c.X, c.Y, c.W, h}
	c.Y += h + c.Gap
	return r
}

// Space adds empty space.
func (c *Column) Space(h float64) { c.Y += h }

// Text adds wrapped text.
func (c *Column) Text(s string, st Style) Rect {
	h := c.f.Text(Rect{c.X, c.Y, c.W, 0}, s, st)
	r := Rect{c.X, c.Y, c.W, h}
	c.Y += h + c.Gap
	return r
}

// Button adds a full-width button tall enough for its label.
func (c *Column) Button(id, label string, k Kind, enabled bool, act func()) *Widget {
	return c.f.Button(c.Take(c.f.buttonHeight(label, c.W)), id, label, k, enabled, act)
}

// Toggle adds a full-width toggle.
func (c *Column) Toggle(id, label string, on, enabled bool, act func()) *Widget {
	return c.f.Toggle(c.Take(c.f.buttonHeight(label, c.W)), id, label, on, enabled, act)
}

// Row splits the next h dp into n cells.
func (c *Column) Row(n int, h float64) []Rect {
	r := c.Take(h)
	return splitRow(r, n, c.Gap)
}

// ButtonRow adds buttons for labels side by side, in as many rows as the
// labels need to fit: at large text sizes a row becomes a stack.
func (c *Column) ButtonRow(labels []string) []Rect {
	return c.Grid(labels, len(labels))
}

// Grid lays out buttons for labels in at most maxCols columns, fewer when a
// word would not fit its cell, and returns their places.
func (c *Column) Grid(labels []string, maxCols int) []Rect {
	rects, h := c.f.grid(c.X, c.Y, c.W, c.Gap, labels, maxCols)
	c.Y += h + c.Gap
	return rects
}

// grid computes a Grid at (x, y) and returns the cells and their height.
func (f *Frame) grid(x, y, w, gap float64, labels []string, maxCols int) ([]Rect, float64) {
	st := Style{Size: SizeBody, Bold: true}
	cols := min(maxCols, len(labels))
	for ; cols > 1; cols-- {
		cellW := (w - gap*float64(cols-1)) / float64(cols)
		fits := true
		for _, l := range labels {
			for _, word := range words(l) {
				if f.ts.width(word, st) > cellW-24 {
					fits = false
				}
			}
			if len(f.ts.wrap(l, st, cellW-24)) > 2 {
				fits = false
			}
		}
		if fits {
			break
		}
	}
	cols = max(cols, 1)
	cellW := (w - gap*float64(cols-1)) / float64(cols)
	rects := make([]Rect, len(labels))
	top := y
	for row := 0; row*cols < len(labels); row++ {
		h := MinTouch
		for i := row * cols; i < min(len(labels), (row+1)*cols); i++ {
			h = max(h, f.buttonHeight(labels[i], cellW))
		}
		for i := row * cols; i < min(len(labels), (row+1)*cols); i++ {
			rects[i] = Rect{x + float64(i-row*cols)*(cellW+gap), y, cellW, h}
		}
		y += h + gap
	}
	return rects, y - gap - top
}

func splitRow(r Rect, n int, gap float64) []Rect {
	w := (r.W - gap*float64(n-1)) / float64(n)
	out := make([]Rect, n)
	for i := range out {
		out[i] = Rect{r.X + float64(i)*(w+gap), r.Y, w, r.H}
	}
	return out
}

// buttonHeight is how tall a button of width w must be for label.
func (f *Frame) buttonHeight(label string, w float64) float64 {
	st := Style{Size: SizeBody, Bold: true}
	return max(MinTouch, f.TextHeight(label, st, w-24)+16)
}
