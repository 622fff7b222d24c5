package ui

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
)

// drawReaction draws reaction k (an index into rules.Reactions) centred in
// r: a heart, a smile, a thinking bubble, a star, a pair of raised hands
// drawn as a check.
func drawReaction(dst *ebiten.Image, k int, r Rect, c color.RGBA, s float64) {
	stamp(dst, r, c, s, pictureKey{shape: shapeReaction + shape(k)}, func(img *ebiten.Image, w, h float32) { reaction(img, k, w, h) })
}

// reaction paints reaction k in white into a w×h picture.
func reaction(dst *ebiten.Image, k int, w, h float32) {
	cx, cy := w/2, h/2
	u := min(w, h) / 2 * 0.8
	c := color.White
	op := &vector.DrawPathOptions{AntiAlias: true}
	var p vector.Path
	switch k {
	case 0: // heart
		p.MoveTo(cx, cy+u*0.9)
		p.CubicTo(cx-u*1.3, cy, cx-u*0.9, cy-u*1.0, cx, cy-u*0.45)
		p.CubicTo(cx+u*0.9, cy-u*1.0, cx+u*1.3, cy, cx, cy+u*0.9)
		p.Close()
		vector.FillPath(dst, &p, nil, op)
	case 1: // smile
		vector.StrokeCircle(dst, cx, cy, u*0.9, u*0.16, c, true)
		vector.FillCircle(dst, cx-u*0.32, cy-u*0.25, u*0.12, c, true)
		vector.FillCircle(dst, cx+u*0.32, cy-u*0.25, u*0.12, c, true)
		p.Arc(cx, cy+u*0.05, u*0.45, 0.15*math.Pi, 0.85*math.Pi, vector.Clockwise)
		vector.StrokePath(dst, &p, &vector.StrokeOptions{Width: u * 0.14, LineCap: vector.LineCapRound}, op)
	case 2: // thinking: a bubble with dots
		vector.StrokeCircle(dst, cx, cy-u*0.1, u*0.8, u*0.14, c, true)
		for i := -1; i <= 1; i++ {
			vector.FillCircle(dst, cx+float32(i)*u*0.35, cy-u*0.1, u*0.11, c, true)
		}
		vector.FillCircle(dst, cx-u*0.75, cy+u*0.8, u*0.14, c, true)
	case 3: // wow: a star
		for i := range 10 {
			rad := u
			if i%2 == 1 {
				rad = u * 0.45
			}
			a := float64(i)*math.Pi/5 - math.Pi/2
			x, y := cx+rad*float32(math.Cos(a)), cy+rad*float32(math.Sin(a))
			if i == 0 {
				p.MoveTo(x, y)
			} else {
				p.LineTo(x, y)
			}
		}
		p.Close()
		vector.FillPath(dst, &p, nil, op)
	default: // thanks: a check in a circle
		vector.StrokeCircle(dst, cx, cy, u*0.9, u*0.14, c, true)
		p.MoveTo(cx-u*0.45, cy)
		p.LineTo(cx-u*0.1, cy+u*0.35)
		p.LineTo(cx+u*0.5, cy-u*0.35)
		vector.StrokePath(dst, &p, &vector.StrokeOptions{Width: u * 0.16, LineCap: vector.LineCapRound, LineJoin: vector.LineJoinRound}, op)
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
	stamp(dst, Rect{r.X - 1, r.Y - 1, r.W + 2, r.H + 2}, c, s, pictureKey{shape: sh, width: lw}, func(img *ebiten.Image, w, h float32) {
		bookmark(img, lw/2, lw/2, w-lw, h-lw, on, lw)
	})
}

// bookmark paints a bookmark ribbon in white at x, y, w×h pixels, filled
// when on and outlined with a line lw wide otherwise.
func bookmark(dst *ebiten.Image, x, y, w, h float32, on bool, lw float32) {
	var p vector.Path
	p.MoveTo(x, y)
	p.LineTo(x+w, y)
	p.LineTo(x+w, y+h)
	p.LineTo(x+w/2, y+h*0.72)
	p.LineTo(x, y+h)
	p.Close()
	op := &vector.DrawPathOptions{AntiAlias: true}
	if on {
		vector.FillPath(dst, &p, nil, op)
	} else {
		vector.StrokePath(dst, &p, &vector.StrokeOptions{Width: lw, LineJoin: vector.LineJoinRound}, op)
	}
}

// drawDot draws a dot filling r: filled in on when on, a ring in off (a line
// 1.5 dp wide) when not.
func drawDot(dst *ebiten.Image, r Rect, on bool, onColor, offColor color.RGBA, s float64) {
	if on {
		stamp(dst, r, onColor, s, pictureKey{shape: shapeDot}, func(img *ebiten.Image, w, h float32) {
			vector.FillCircle(img, w/2, h/2, min(w, h)/2, color.White, true)
		})
		return
	}
	lw := float32(1.5 * s)
	stamp(dst, r, offColor, s, pictureKey{shape: shapeRing, width: lw}, func(img *ebiten.Image, w, h float32) {
		vector.StrokeCircle(img, w/2, h/2, min(w, h)/2-float32(s), lw, color.White, true)
	})
}
