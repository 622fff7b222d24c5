package ui

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// intents are what the player asked for this frame, whatever the device.
type intents struct {
	taps       []point // a press and release without moving: activate what is there
	next, prev bool    // Tab, Shift+Tab: move the focus
	activate   bool    // Enter or Space: press the focused button
	back       bool    // Escape
	up, down   bool    // arrows: move the focus up or down
	left       bool
	right      bool
	scroll     float64 // dp to scroll, positive downwards
	chars      []rune  // typed into a field the game draws itself
	erase      bool    // Backspace in such a field
	any        bool    // anything at all happened
}

type point struct{ x, y float64 }

// reader turns raw devices into intents.
type reader struct {
	mouseAt  point
	mouseOn  bool
	touchAt  map[ebiten.TouchID]point
	touchY   map[ebiten.TouchID]float64
	touchMov map[ebiten.TouchID]bool
}

// slop is how far a press may move and still count as a tap, in dp.
const slop = 12.0

func (r *reader) read(scale float64) intents {
	var in intents
	if r.touchAt == nil {
		r.touchAt, r.touchY, r.touchMov = map[ebiten.TouchID]point{}, map[ebiten.TouchID]float64{}, map[ebiten.TouchID]bool{}
	}
	pos := func(x, y int) point { return point{float64(x) / scale, float64(y) / scale} }

	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		r.mouseAt, r.mouseOn = pos(ebiten.CursorPosition()), true
		in.any = true
	}
	if inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) && r.mouseOn {
		r.mouseOn = false
		at := pos(ebiten.CursorPosition())
		if dist(at, r.mouseAt) < slop {
			in.taps = append(in.taps, r.mouseAt)
		}
		in.any = true
	}
	for _, id := range inpututil.AppendJustPressedTouchIDs(nil) {
		p := pos(ebiten.TouchPosition(id))
		r.touchAt[id], r.touchY[id], r.touchMov[id] = p, p.y, false
		in.any = true
	}
	for id, start := range r.touchAt {
		if inpututil.IsTouchJustReleased(id) {
			if !r.touchMov[id] {
				in.taps = append(in.taps, start)
			}
			delete(r.touchAt, id)
			delete(r.touchY, id)
			delete(r.touchMov, id)
			in.any = true
			continue
		}
		p := pos(ebiten.TouchPosition(id))
		if dist(p, start) >= slop {
			r.touchMov[id] = true
		}
		if r.touchMov[id] {
			in.scroll += r.touchY[id] - p.y
			r.touchY[id] = p.y
			in.any = true
		}
	}
	if _, wy := ebiten.Wheel(); wy != 0 {
		in.scroll -= wy * 40
		in.any = true
	}
	shift := ebiten.IsKeyPressed(ebiten.KeyShift)
	key := func(k ebiten.Key) bool {
		if inpututil.IsKeyJustPressed(k) || (inpututil.KeyPressDuration(k) > 30 && inpututil.KeyPressDuration(k)%4 == 0) {
			in.any = true
			return true
		}
		return false
	}
	if key(ebiten.KeyTab) {
		in.next, in.prev = !shift, shift
	}
	in.activate = key(ebiten.KeyEnter) || key(ebiten.KeyNumpadEnter) || key(ebiten.KeySpace)
	in.back = key(ebiten.KeyEscape)
	in.up, in.down, in.left, in.right = key(ebiten.KeyArrowUp), key(ebiten.KeyArrowDown), key(ebiten.KeyArrowLeft), key(ebiten.KeyArrowRight)
	if key(ebiten.KeyPageDown) {
		in.scroll += 300
	}
	if key(ebiten.KeyPageUp) {
		in.scroll -= 300
	}
	in.chars = ebiten.AppendInputChars(nil)
	in.erase = key(ebiten.KeyBackspace)
	if len(in.chars) > 0 {
		in.any = true
	}
	return in
}

func dist(a, b point) float64 {
	dx, dy := a.x-b.x, a.y-b.y
	if dx < 0 {
		dx = -dx
	}
	if dy < 0 {
		dy = -dy
	}
	return dx + dy
}
