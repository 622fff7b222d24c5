package ui

import (
	"image"
	"image/draw"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	xvector "golang.org/x/image/vector"
)

// A shape's picture is drawn on the CPU, with the anti-aliasing rasterizer
// the fonts' glyphs already use (golang.org/x/image/vector), and handed to
// the GPU as an image. Drawn with Ebiten's own paths, the first frame
// compiled three more GL programs (a path's winding count, its curves, and
// the anti-aliasing's resolve): most of the 230-530 ms a first visit's
// first frame waited for its programs to link in headless Chromium's
// software GL, against 40-90 ms for Ebiten's two now (BENCHMARKS.md, "The
// first frame's GL programs").

// cover is a picture's coverage, built of pieces: each piece is one
// filled outline (its holes wound the other way), and where pieces overlap
// the picture takes the larger coverage, so that a line's joints and a
// shape's parts meet without a seam or a doubled edge.
type cover struct {
	z        *xvector.Rasterizer
	out, tmp *image.Alpha
}

func newCover(w, h int) *cover {
	r := image.Rect(0, 0, w, h)
	return &cover{z: xvector.NewRasterizer(w, h), out: image.NewAlpha(r), tmp: image.NewAlpha(r)}
}

// piece adds one filled outline: outline draws its paths into z.
func (c *cover) piece(outline func(z *xvector.Rasterizer)) {
	b := c.out.Rect
	c.z.Reset(b.Dx(), b.Dy())
	c.z.DrawOp = draw.Src
	outline(c.z)
	c.z.Draw(c.tmp, b, image.Opaque, image.Point{})
	for i, a := range c.tmp.Pix {
		if a > c.out.Pix[i] {
			c.out.Pix[i] = a
		}
	}
}

// image is the picture: white, with the coverage as its alpha.
func (c *cover) image() *ebiten.Image {
	return ebiten.NewImageFromImage(c.out)
}

// pt is a point in a picture's pixels.
type pt struct{ x, y float32 }

// poly adds a closed outline through ps.
func poly(z *xvector.Rasterizer, ps []pt) {
	if len(ps) < 3 {
		return
	}
	z.MoveTo(ps[0].x, ps[0].y)
	for _, p := range ps[1:] {
		z.LineTo(p.x, p.y)
	}
	z.ClosePath()
}

// reversed returns ps the other way round: an outline's hole.
func reversed(ps []pt) []pt {
	out := make([]pt, len(ps))
	for i, p := range ps {
		out[len(ps)-1-i] = p
	}
	return out
}

// arc appends the points of an arc around (cx, cy) of radius r from angle
// a0 to a1 (radians; y grows downwards, so a growing angle turns
// clockwise on the screen), close enough to the circle that no pixel can
// tell: within a twentieth of a pixel.
func arc(ps []pt, cx, cy, r, a0, a1 float32) []pt {
	if r <= 0 {
		return append(ps, pt{cx, cy})
	}
	step := 2 * math.Acos(max(0, 1-0.05/float64(r)))
	n := max(1, int(math.Ceil(math.Abs(float64(a1-a0))/step)))
	for i := 0; i <= n; i++ {
		a := float64(a0) + float64(a1-a0)*float64(i)/float64(n)
		ps = append(ps, pt{cx + r*float32(math.Cos(a)), cy + r*float32(math.Sin(a))})
	}
	return ps
}

// circle is a circle's outline.
func circle(cx, cy, r float32) []pt {
	return arc(nil, cx, cy, r, 0, 2*math.Pi)
}

// roundRect is the outline of a rectangle with corners of radius r.
func roundRect(x, y, w, h, r float32) []pt {
	r = max(0, min(r, w/2, h/2))
	ps := arc(nil, x+w-r, y+r, r, -math.Pi/2, 0)
	ps = arc(ps, x+w-r, y+h-r, r, 0, math.Pi/2)
	ps = arc(ps, x+r, y+h-r, r, math.Pi/2, math.Pi)
	return arc(ps, x+r, y+r, r, math.Pi, 3*math.Pi/2)
}

// fillCircle adds a disc.
func (c *cover) fillCircle(cx, cy, r float32) {
	c.piece(func(z *xvector.Rasterizer) { poly(z, circle(cx, cy, r)) })
}

// strokeCircle adds a ring: the circle of radius r drawn with a line lw
// wide.
func (c *cover) strokeCircle(cx, cy, r, lw float32) {
	c.piece(func(z *xvector.Rasterizer) {
		poly(z, circle(cx, cy, r+lw/2))
		poly(z, reversed(circle(cx, cy, r-lw/2)))
	})
}

// fillRound adds a rounded rectangle.
func (c *cover) fillRound(x, y, w, h, r float32) {
	c.piece(func(z *xvector.Rasterizer) { poly(z, roundRect(x, y, w, h, r)) })
}

// strokeRound adds a rounded rectangle's outline, a line lw wide centred
// on it.
func (c *cover) strokeRound(x, y, w, h, r, lw float32) {
	c.piece(func(z *xvector.Rasterizer) {
		hw := lw / 2
		poly(z, roundRect(x-hw, y-hw, w+lw, h+lw, r+hw))
		if w > lw && h > lw {
			poly(z, reversed(roundRect(x+hw, y+hw, w-lw, h-lw, r-hw)))
		}
	})
}

// line adds a line from a to b, lw wide, with round ends: the lines of a
// path drawn one by one meet in round joints.
func (c *cover) line(a, b pt, lw float32) {
	t := float32(math.Atan2(float64(b.y-a.y), float64(b.x-a.x)))
	c.piece(func(z *xvector.Rasterizer) {
		ps := arc(nil, b.x, b.y, lw/2, t-math.Pi/2, t+math.Pi/2)
		poly(z, arc(ps, a.x, a.y, lw/2, t+math.Pi/2, t+3*math.Pi/2))
	})
}

// polyline adds the lines through ps, lw wide, with round ends and joints;
// closed, the last point joins the first.
func (c *cover) polyline(ps []pt, lw float32, closed bool) {
	for i := 1; i < len(ps); i++ {
		c.line(ps[i-1], ps[i], lw)
	}
	if closed && len(ps) > 2 {
		c.line(ps[len(ps)-1], ps[0], lw)
	}
}

// strokeArc adds an arc around (cx, cy) of radius r from angle a0 to a1
// (a0 < a1), lw wide, with round ends.
func (c *cover) strokeArc(cx, cy, r, a0, a1, lw float32) {
	hw := lw / 2
	c.piece(func(z *xvector.Rasterizer) {
		ps := arc(nil, cx, cy, r+hw, a0, a1)
		ps = arc(ps, cx+r*cos32(a1), cy+r*sin32(a1), hw, a1, a1+math.Pi)
		ps = arc(ps, cx, cy, r-hw, a1, a0)
		poly(z, arc(ps, cx+r*cos32(a0), cy+r*sin32(a0), hw, a0+math.Pi, a0+2*math.Pi))
	})
}

// fill adds the outline through ps.
func (c *cover) fill(ps []pt) {
	c.piece(func(z *xvector.Rasterizer) { poly(z, ps) })
}

func cos32(a float32) float32 { return float32(math.Cos(float64(a))) }
func sin32(a float32) float32 { return float32(math.Sin(float64(a))) }
