package ui

import (
	"image/color"
	"math"
)

// Theme is the palette. Every text colour meets WCAG AA (4.5:1) on the
// backgrounds it is drawn on; a test checks each pair.
type Theme struct {
	Name      string
	Bg        color.RGBA // the page
	Ink       color.RGBA // text on the page and on cards
	Muted     color.RGBA // secondary text on the page and on cards
	Card      color.RGBA // a card's face, panels
	Edge      color.RGBA // lines around cards and quiet buttons
	Accent    color.RGBA // primary buttons
	AccentInk color.RGBA // text on primary buttons
	Quiet     color.RGBA // secondary buttons
	QuietInk  color.RGBA // text on secondary buttons
	On        color.RGBA // a toggle that is on
	OnInk     color.RGBA
	Note      color.RGBA // the worker note's panel
	NoteInk   color.RGBA
	Banner    color.RGBA // reconnecting, paused
	BannerInk color.RGBA
	Focus     color.RGBA // the keyboard focus ring
	Shadow    color.RGBA
}

// Calm is the default: warm paper, dark ink, a quiet teal.
var Calm = Theme{
	Name:      "calm",
	Bg:        rgb(0xF4EFE6),
	Ink:       rgb(0x1E2A30),
	Muted:     rgb(0x52606A),
	Card:      rgb(0xFFFDF8),
	Edge:      rgb(0xC9BFAE),
	Accent:    rgb(0x1D6B66),
	AccentInk: rgb(0xFFFFFF),
	Quiet:     rgb(0xE6DED0),
	QuietInk:  rgb(0x1E2A30),
	On:        rgb(0x2F5D8A),
	OnInk:     rgb(0xFFFFFF),
	Note:      rgb(0xFFF1C9),
	NoteInk:   rgb(0x3B2F12),
	Banner:    rgb(0x2F3E46),
	BannerInk: rgb(0xFFFFFF),
	Focus:     rgb(0xB5470B),
	Shadow:    color.RGBA{0, 0, 0, 0x22},
}

// HighContrast is black and white with yellow for what can be pressed.
var HighContrast = Theme{
	Name:      "contrast",
	Bg:        rgb(0x000000),
	Ink:       rgb(0xFFFFFF),
	Muted:     rgb(0xE0E0E0),
	Card:      rgb(0x000000),
	Edge:      rgb(0xFFFFFF),
	Accent:    rgb(0xFFD500),
	AccentInk: rgb(0x000000),
	Quiet:     rgb(0x000000),
	QuietInk:  rgb(0xFFFFFF),
	On:        rgb(0x66CCFF),
	OnInk:     rgb(0x000000),
	Note:      rgb(0x1A1A1A),
	NoteInk:   rgb(0xFFE680),
	Banner:    rgb(0xFFFFFF),
	BannerInk: rgb(0x000000),
	Focus:     rgb(0x00E5FF),
	Shadow:    color.RGBA{0, 0, 0, 0},
}

// TextPairs lists every text colour with the background it is drawn on.
func (t *Theme) TextPairs() map[string][2]color.RGBA {
	return map[string][2]color.RGBA{
		"ink on page":         {t.Ink, t.Bg},
		"muted on page":       {t.Muted, t.Bg},
		"ink on card":         {t.Ink, t.Card},
		"muted on card":       {t.Muted, t.Card},
		"primary button":      {t.AccentInk, t.Accent},
		"secondary button":    {t.QuietInk, t.Quiet},
		"toggle on":           {t.OnInk, t.On},
		"worker note":         {t.NoteInk, t.Note},
		"banner":              {t.BannerInk, t.Banner},
		"ink on quiet button": {t.Ink, t.Quiet},
	}
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// Contrast is the WCAG 2 contrast ratio of two opaque colours.
func Contrast(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.RGBA) float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}
