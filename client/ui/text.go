package ui

import (
	"image/color"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text" //lint:ignore SA1019 text/v2 pulls in a text shaper Latin text does not need
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"

	"github.com/pore/elamanipeli/assets"
)

// Type sizes in dp at 100% text; the player's text size multiplies them.
const (
	SizeSmall = 15.0
	SizeBody  = 18.0
	SizeCard  = 23.0
	SizeTitle = 27.0
	SizeHuge  = 44.0
)

// The typeface is drawn glyph by glyph through x/image's OpenType
// rasteriser: Latin text needs no shaping, and this keeps the client small
// and its first frame fast.
var regular, bold *opentype.Font

func init() {
	load := func(name string) *opentype.Font {
		b, err := assets.Fonts.ReadFile("fonts/" + name)
		if err != nil {
			panic(err)
		}
		f, err := opentype.Parse(b)
		if err != nil {
			panic(err)
		}
		return f
	}
	regular = load("AtkinsonHyperlegible-Regular.ttf")
	bold = load("AtkinsonHyperlegible-Bold.ttf")
}

// Style is how a piece of text looks.
type Style struct {
	Size   float64 // dp at 100%
	Bold   bool
	Color  color.RGBA
	Center bool
}

// typesetter turns dp sizes into faces at the screen's scale, with the
// player's text size and spacing.
type typesetter struct {
	scale   float64 // device pixels per dp
	text    float64 // the player's text size, 1–2
	spacing bool    // wider letter and line spacing
	faces   map[faceKey]font.Face
}

type faceKey struct {
	px   float64
	bold bool
}

func (ts *typesetter) face(st Style) font.Face {
	px := math.Round(st.Size * ts.text * ts.scale)
	k := faceKey{px: px, bold: st.Bold}
	if f, ok := ts.faces[k]; ok {
		return f
	}
	src := regular
	if st.Bold {
		src = bold
	}
	xf, err := opentype.NewFace(src, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // a parsed font always makes faces
	}
	if ts.faces == nil {
		ts.faces = map[faceKey]font.Face{}
	}
	ts.faces[k] = xf
	return xf
}

// lineHeight is the distance between lines, in dp.
func (ts *typesetter) lineHeight(st Style) float64 {
	lh := 1.4
	if ts.spacing {
		lh = 1.8
	}
	return st.Size * ts.text * lh
}

// letter is the extra space between letters, in device pixels.
func (ts *typesetter) letter(st Style) float64 {
	if !ts.spacing {
		return 0
	}
	return 0.08 * st.Size * ts.text * ts.scale
}

// width measures s in dp.
func (ts *typesetter) width(s string, st Style) float64 {
	w := float64(font.MeasureString(ts.face(st), s)) / 64
	w += ts.letter(st) * float64(utf8.RuneCountInString(s))
	return w / ts.scale
}

// words splits s where a line may break: at spaces and tabs, never at a
// no-break space ("100\u00a0%" stays whole).
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// wrap breaks s into lines no wider than w dp. A word wider than a line is
// broken where it must be. Newlines in s are kept.
func (ts *typesetter) wrap(s string, st Style, w float64) []string {
	var lines []string
	if s == "" {
		return nil
	}
	for _, para := range strings.Split(s, "\n") {
		words := words(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		line := ""
		for _, word := range words {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if ts.width(try, st) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			// A word longer than the line: cut it.
			for ts.width(word, st) > w && utf8.RuneCountInString(word) > 1 {
				cut := len(word)
				for cut > 0 && ts.width(word[:cut], st) > w {
					_, size := utf8.DecodeLastRuneInString(word[:cut])
					cut -= size
				}
				if cut == 0 {
					_, cut = utf8.DecodeRuneInString(word)
				}
				lines = append(lines, word[:cut])
				word = word[cut:]
			}
			line = word
		}
		lines = append(lines, line)
	}
	return lines
}

// draw puts lines on dst with their top-left at (x, y) dp, each line
// centred in w when st.Center.
func (ts *typesetter) draw(dst *ebiten.Image, lines []string, x, y, w float64, st Style) {
	f := ts.face(st)
	lh := ts.lineHeight(st)
	// Centre the glyphs in the line box; text.DrawWithOptions draws from the
	// baseline.
	m := f.Metrics()
	ascent, descent := float64(m.Ascent)/64/ts.scale, float64(m.Descent)/64/ts.scale
	base := y + (lh-ascent-descent)/2 + ascent
	ls := ts.letter(st)
	for i, line := range lines {
		lx := x
		if st.Center {
			lx = x + (w-ts.width(line, st))/2
		}
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Translate(math.Round(lx*ts.scale), math.Round((base+float64(i)*lh)*ts.scale))
		op.ColorScale.ScaleWithColor(st.Color)
		if ls == 0 {
			text.DrawWithOptions(dst, line, f, op)
			continue
		}
		for _, r := range line { // wider spacing: letter by letter
			s := string(r)
			text.DrawWithOptions(dst, s, f, op)
			op.GeoM.Translate(float64(font.MeasureString(f, s))/64+ls, 0)
		}
	}
}
