package ui

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	xvector "golang.org/x/image/vector"
)

// drawReaction draws reaction k (an index into rules.Reactions) centred in
// r: a heart, a smile, a thinking bubble, a star, a pair of raised hands
// drawn as a check.
func drawReaction(dst *ebiten.Image, k int, r Rect, c color.RGBA, s float64) {
	stamp(dst, r, c, s, pictureKey{shape: shapeReaction + shape(k)}, func(cv *cover, w, h float32) { reaction(cv, k, w, h) })
}

// reaction paints reaction k into a w×h picture.
func reaction(c *cover, k int, w, h float32) {
	cx, cy := w/2, h/2
	u := min(w, h) / 2 * 0.8
	switch k {
	case 0: // heart
		c.piece(func(z *xvector.Rasterizer) {
			z.MoveTo(cx, cy+u*0.9)
			z.CubeTo(cx-u*1.3, cy, cx-u*0.9, cy-u*1.0, cx, cy-u*0.45)
			z.CubeTo(cx+u*0.9, cy-u*1.0, cx+u*1.3, cy, cx, cy+u*0.9)
			z.ClosePath()
		})
	case 1: // smile
		c.strokeCircle(cx, cy, u*0.9, u*0.16)
		c.fillCircle(cx-u*0.32, cy-u*0.25, u*0.12)
		c.fillCircle(cx+u*0.32, cy-u*0.25, u*0.12)
		c.strokeArc(cx, cy+u*0.05, u*0.45, 0.15*math.Pi, 0.85*math.Pi, u*0.14)
	case 2: // thinking: a bubble with dots
		c.strokeCircle(cx, cy-u*0.1, u*0.8, u*0.14)
		for i := -1; i <= 1; i++ {
			c.fillCircle(cx+float32(i)*u*0.35, cy-u*0.1, u*0.11)
		}
		c.fillCircle(cx-u*0.75, cy+u*0.8, u*0.14)
	case 3: // wow: a star
		var ps []pt
		for i := range 10 {
			rad := u
			if i%2 == 1 {
				rad = u * 0.45
			}
			a := float32(i)*math.Pi/5 - math.Pi/2
			ps = append(ps, pt{cx + rad*cos32(a), cy + rad*sin32(a)})
		}
		c.fill(ps)
	default: // thanks: a check in a circle
		c.strokeCircle(cx, cy, u*0.9, u*0.14)
		c.polyline([]pt{{cx - u*0.45, cy}, {cx - u*0.1, cy + u*0.35}, {cx + u*0.5, cy - u*0.35}}, u*0.16, false)
	}
}

// drawBookmark draws a bookmark ribbon, filled when on.
func drawBookmark(dst *ebiten.Image, r Rect, c color.RGBA, on bool, s float64) {
	sh := shapeBookmark
	if on {
		sh = shapeBookmarkOn
	}
	// The outline's line is 2 dp wide, half of it outside r: the picture
	// reaches 1 dp further on every side.
	lw := float32(2 * s)
	stamp(dst, Rect{r.X - 1, r.Y - 1, r.W + 2, r.H + 2}, c, s, pictureKey{shape: sh, width: lw}, func(cv *cover, w, h float32) {
		bookmark(cv, lw/2, lw/2, w-lw, h-lw, on, lw)
	})
}

// bookmark paints a bookmark ribbon at x, y, w×h pixels, filled when on and
// outlined with a line lw wide otherwise.
func bookmark(c *cover, x, y, w, h float32, on bool, lw float32) {
	ps := []pt{{x, y}, {x + w, y}, {x + w, y + h}, {x + w/2, y + h*0.72}, {x, y + h}}
	if on {
		c.fill(ps)
	} else {
		c.polyline(ps, lw, true)
	}
}

// drawDot draws a dot filling r: filled in on when on, a ring in off (a line
// 1.5 dp wide) when not.
func drawDot(dst *ebiten.Image, r Rect, on bool, onColor, offColor color.RGBA, s float64) {
	if on {
		stamp(dst, r, onColor, s, pictureKey{shape: shapeDot}, func(cv *cover, w, h float32) {
			cv.fillCircle(w/2, h/2, min(w, h)/2)
		})
		return
	}
	lw := float32(1.5 * s)
	stamp(dst, r, offColor, s, pictureKey{shape: shapeRing, width: lw}, func(cv *cover, w, h float32) {
		cv.strokeCircle(w/2, h/2, min(w, h)/2-float32(s), lw)
	})
}
