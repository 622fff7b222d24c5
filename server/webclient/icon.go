package webclient

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/vector"
)

// iconPNG draws the page's icon (favicon.svg: a card on warm paper with a
// green dot) at size×size pixels, for home screens that want PNG icons
// (Android's install prompt, an iPad's apple-touch-icon). The card is drawn
// on a full square of the page's colour, as maskable icons are cropped.
func iconPNG(size int) []byte {
	s := float32(size) / 32
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	paper := color.RGBA{0xf4, 0xef, 0xe6, 0xff}
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	fill := func(c color.RGBA, path func(r *vector.Rasterizer)) {
		r := vector.NewRasterizer(size, size)
		path(r)
		r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}
	// The card: its edge, then its face 2 units inside (the SVG's stroke).
	round := func(r *vector.Rasterizer, x, y, w, h, rad float32) {
		k := rad * 0.4477 // a circle's quarter as a cubic
		r.MoveTo(x+rad, y)
		r.LineTo(x+w-rad, y)
		r.CubeTo(x+w-k, y, x+w, y+k, x+w, y+rad)
		r.LineTo(x+w, y+h-rad)
		r.CubeTo(x+w, y+h-k, x+w-k, y+h, x+w-rad, y+h)
		r.LineTo(x+rad, y+h)
		r.CubeTo(x+k, y+h, x, y+h-k, x, y+h-rad)
		r.LineTo(x, y+rad)
		r.CubeTo(x, y+k, x+k, y, x+rad, y)
		r.ClosePath()
	}
	fill(color.RGBA{0x2b, 0x26, 0x21, 0xff}, func(r *vector.Rasterizer) { round(r, 5*s, 2*s, 22*s, 28*s, 5*s) })
	fill(paper, func(r *vector.Rasterizer) { round(r, 7*s, 4*s, 18*s, 24*s, 3*s) })
	fill(color.RGBA{0x5f, 0x84, 0x67, 0xff}, func(r *vector.Rasterizer) {
		cx, cy, rad := 16*s, 16*s, 5*s
		r.MoveTo(cx+rad, cy)
		for i := 1; i <= 64; i++ {
			a := 2 * math.Pi * float64(i) / 64
			r.LineTo(cx+rad*float32(math.Cos(a)), cy+rad*float32(math.Sin(a)))
		}
		r.ClosePath()
	})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // an in-memory image
	}
	return buf.Bytes()
}
