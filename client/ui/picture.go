package ui

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// Shapes (rounded rectangles, icons, dots) are drawn once per size as a
// white picture, anti-aliased (see cover), and from then on copied in the
// colour wanted: a copy costs one batch of triangles from the same atlas as
// the text's glyphs.
//
// Drawing them as paths in every frame cost the page a stencil pass per path
// and broke the frame's batches between each button and its label: on a
// worker's tablet a frame of the table took 0.5-2.4 s of the main thread in
// headless Chromium (BENCHMARKS.md, "A frame of the table").

// shape is what a picture shows.
type shape uint8

const (
	shapeRound      shape = iota // a rounded rectangle's corners, to cut in nine
	shapeSmallRound              // a rounded rectangle too small for that, whole
	shapePixel                   // one white pixel, stretched to a rectangle
	shapeBookmark                // a bookmark ribbon's outline
	shapeBookmarkOn              // a bookmark ribbon, filled
	shapeDot                     // a filled circle
	shapeRing                    // a circle's outline
	shapeReaction                // the first reaction's sign; the others follow it
)

// pictureKey names a picture: its shape, its size in pixels, and the radius
// of its corners and the width of its line (0: filled) where it has them.
type pictureKey struct {
	shape         shape
	w, h          int
	radius, width float32
}

// pictures holds the pictures made so far. Draw runs on the game loop
// alone, so it needs no lock.
var pictures = map[pictureKey]*ebiten.Image{}

// picture returns the picture for k, drawing it with draw on first use.
func picture(k pictureKey, draw func(c *cover)) *ebiten.Image {
	if img, ok := pictures[k]; ok {
		return img
	}
	c := newCover(k.w, k.h)
	draw(c)
	img := c.image()
	pictures[k] = img
	return img
}

// stamp copies a shape's picture into r (dp), in c (premultiplied): draw
// paints the shape in white into a w×h picture. k names the shape (and its
// line width, if any); stamp adds the size.
func stamp(dst *ebiten.Image, r Rect, c color.RGBA, s float64, k pictureKey, draw func(cv *cover, w, h float32)) {
	if c.A == 0 {
		return
	}
	w, h := int(math.Ceil(r.W*s)), int(math.Ceil(r.H*s))
	if w <= 0 || h <= 0 {
		return
	}
	k.w, k.h = w, h
	img := picture(k, func(cv *cover) { draw(cv, float32(w), float32(h)) })
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Translate(math.Round(r.X*s), math.Round(r.Y*s))
	op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(img, op)
}

// fillRect fills r (dp) in c, in whole pixels: for a line one way or the
// other (an underline, a caret), which needs no anti-aliasing.
func fillRect(dst *ebiten.Image, r Rect, c color.RGBA, s float64) {
	x0, y0 := math.Round(r.X*s), math.Round(r.Y*s)
	x1, y1 := math.Max(math.Round((r.X+r.W)*s), x0+1), math.Max(math.Round((r.Y+r.H)*s), y0+1)
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Scale(x1-x0, y1-y0)
	op.GeoM.Translate(x0, y0)
	op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(picture(pictureKey{shape: shapePixel, w: 1, h: 1}, func(cv *cover) { cv.out.Pix[0] = 0xff }), op)
}

// roundPicture is the picture of a rounded rectangle's corners, radius and
// line width in pixels: corner is the side of a corner piece, margin how far
// the drawing reaches outside the rectangle (half the line, and the
// anti-aliasing's fringe).
func roundPicture(radius, width float32) (img *ebiten.Image, corner, margin int) {
	margin = reach(width)
	corner = int(math.Ceil(float64(radius))) + margin
	n := 2*corner + 2 // two pixels of plain edge in the middle, to stretch
	img = picture(pictureKey{shape: shapeRound, w: n, h: n, radius: radius, width: width}, func(c *cover) {
		side := float32(n - 2*margin)
		round(c, float32(margin), float32(margin), side, side, radius, width)
	})
	return img, corner, margin
}

// reach is how far, in whole pixels, a rounded rectangle's picture reaches
// outside the rectangle drawn with a line width wide (0: filled): half the
// line, and the anti-aliasing's fringe.
func reach(width float32) int {
	return int(math.Ceil(float64(width)/2)) + 1
}

// round adds a rounded rectangle to c: filled when width is 0, outlined
// with a line width wide otherwise.
func round(c *cover, x, y, w, h, radius, width float32) {
	if width == 0 {
		c.fillRound(x, y, w, h, radius)
	} else {
		c.strokeRound(x, y, w, h, radius, width)
	}
}

func fillRound(dst *ebiten.Image, r Rect, c color.RGBA, radius, s float64) {
	drawRound(dst, r, c, radius, 0, s)
}

func strokeRound(dst *ebiten.Image, r Rect, c color.RGBA, radius, width, s float64) {
	drawRound(dst, r, c, radius, width, s)
}

// drawRound draws r (in dp) with corners of radius, filled when width is 0
// and outlined otherwise, in c (premultiplied).
func drawRound(dst *ebiten.Image, r Rect, c color.RGBA, radius, width, s float64) {
	if c.A == 0 {
		return
	}
	// Whole pixels: a corner piece is then copied, not resampled.
	x0, y0 := math.Round(r.X*s), math.Round(r.Y*s)
	x3, y3 := math.Round((r.X+r.W)*s), math.Round((r.Y+r.H)*s)
	rad, lw := float32(math.Round(radius*s)), float32(width*s)
	if float64(rad) > (x3-x0)/2 || float64(rad) > (y3-y0)/2 {
		// Smaller than its two corners: a picture of the whole shape
		// (rare: the widgets are at least 48 dp).
		m := float64(reach(lw))
		w, h := float32(x3-x0), float32(y3-y0)
		k := pictureKey{shape: shapeSmallRound, w: int(x3 - x0 + 2*m), h: int(y3 - y0 + 2*m), radius: rad, width: lw}
		img := picture(k, func(cv *cover) { round(cv, float32(m), float32(m), w, h, rad, lw) })
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Translate(x0-m, y0-m)
		op.ColorScale.ScaleWithColor(c)
		dst.DrawImage(img, op)
		return
	}
	img, corner, margin := roundPicture(rad, lw)
	m, k := float32(margin), float32(corner)
	n := float32(img.Bounds().Dx())
	// Three columns and three rows on the screen and in the picture.
	xs := [4]float32{float32(x0) - m, float32(x0) - m + k, float32(x3) + m - k, float32(x3) + m}
	ys := [4]float32{float32(y0) - m, float32(y0) - m + k, float32(y3) + m - k, float32(y3) + m}
	ss := [4]float32{0, k, n - k, n}
	cr, cg, cb, ca := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
	var vs [16]ebiten.Vertex
	for j := range 4 {
		for i := range 4 {
			vs[j*4+i] = ebiten.Vertex{DstX: xs[i], DstY: ys[j], SrcX: ss[i], SrcY: ss[j], ColorR: cr, ColorG: cg, ColorB: cb, ColorA: ca}
		}
	}
	is := make([]uint16, 0, 54)
	for j := range 3 {
		for i := range 3 {
			if width > 0 && i == 1 && j == 1 {
				continue // an outline's middle is empty
			}
			a := uint16(j*4 + i)
			is = append(is, a, a+1, a+4, a+1, a+5, a+4)
		}
	}
	dst.DrawTriangles(vs[:], is, img, nil)
}
