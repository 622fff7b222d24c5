package ui

import (
	"math"
	"testing"
)

// area is the coverage of c summed over its pixels, in square pixels.
func area(c *cover) float64 {
	var sum float64
	for _, a := range c.out.Pix {
		sum += float64(a) / 255
	}
	return sum
}

// at is the coverage of the pixel around (x, y), 0 to 1.
func at(c *cover, x, y int) float64 {
	return float64(c.out.Pix[c.out.PixOffset(x, y)]) / 255
}

// TestShapesCoverTheirArea checks each shape a picture is made of against
// its geometry: the area it covers, and that a ring or an outline leaves
// its middle empty.
func TestShapesCoverTheirArea(t *testing.T) {
	const pi = math.Pi
	for _, tc := range []struct {
		name   string
		draw   func(c *cover)
		want   float64
		holeAt [2]int // a pixel that must stay empty, if not {0, 0}
	}{
		{"disc", func(c *cover) { c.fillCircle(50, 50, 30) }, pi * 30 * 30, [2]int{}},
		{"ring", func(c *cover) { c.strokeCircle(50, 50, 30, 4) }, pi * (32*32 - 28*28), [2]int{50, 50}},
		{"rounded rectangle", func(c *cover) { c.fillRound(10, 20, 80, 50, 12) }, 80*50 - (4-pi)*12*12, [2]int{}},
		{"its outline", func(c *cover) { c.strokeRound(10, 20, 80, 50, 12, 4) },
			(84*54 - (4-pi)*14*14) - (76*46 - (4-pi)*10*10), [2]int{50, 45}},
		{"a line with round ends", func(c *cover) { c.line(pt{20, 30}, pt{80, 70}, 6) }, math.Hypot(60, 40)*6 + pi*3*3, [2]int{}},
		{"an arc with round ends", func(c *cover) { c.strokeArc(50, 50, 30, 0, pi/2, 6) }, 30*pi/2*6 + pi*3*3, [2]int{50, 50}},
		{"two discs overlapping, taken once", func(c *cover) { c.fillCircle(40, 50, 20); c.fillCircle(60, 50, 20) },
			2*pi*20*20 - (2*20*20*math.Acos(10.0/20) - 10*math.Sqrt(4*20*20-20*20)), [2]int{}},
		{"a closed outline's joints", func(c *cover) { c.polyline([]pt{{20, 20}, {80, 20}, {80, 80}, {20, 80}}, 4, true) },
			4*60*4 + (pi-4)*2*2, [2]int{50, 50}},
		{"a star", func(c *cover) {
			var ps []pt
			for i := range 10 {
				r := float32(40)
				if i%2 == 1 {
					r = 18
				}
				a := float32(i)*pi/5 - pi/2
				ps = append(ps, pt{50 + r*cos32(a), 50 + r*sin32(a)})
			}
			c.fill(ps)
		}, 10 * 0.5 * 40 * 18 * math.Sin(pi/5), [2]int{}},
	} {
		c := newCover(100, 100)
		tc.draw(c)
		if got := area(c); math.Abs(got-tc.want) > 0.01*tc.want {
			t.Errorf("%s: covers %.1f px², want %.1f", tc.name, got, tc.want)
		}
		if h := tc.holeAt; h != [2]int{} && at(c, h[0], h[1]) != 0 {
			t.Errorf("%s: the pixel at %v is covered %.2f, want empty", tc.name, h, at(c, h[0], h[1]))
		}
	}
}

// TestShapesAreSmooth checks that an edge is anti-aliased: a disc's rim has
// pixels partly covered, between the full inside and the empty outside.
func TestShapesAreSmooth(t *testing.T) {
	c := newCover(100, 100)
	c.fillCircle(50, 50, 30.5)
	partial := 0
	for _, a := range c.out.Pix {
		if a > 0 && a < 255 {
			partial++
		}
	}
	if rim := 2 * math.Pi * 30.5; float64(partial) < rim/2 {
		t.Errorf("%d pixels partly covered on a rim of %.0f px: the edge is not smooth", partial, rim)
	}
	if at(c, 50, 50) != 1 || at(c, 5, 5) != 0 {
		t.Errorf("inside %.2f, outside %.2f: want 1 and 0", at(c, 50, 50), at(c, 5, 5))
	}
}
