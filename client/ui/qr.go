package ui

import (
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
	"rsc.io/qr"
)

// qrCache keeps the last QR codes made, by their text.
var qrCache = map[string]*ebiten.Image{}

// qrImage returns a QR code of s, one pixel a module, with a quiet zone.
func qrImage(s string) *ebiten.Image {
	if img, ok := qrCache[s]; ok {
		return img
	}
	code, err := qr.Encode(s, qr.M)
	if err != nil {
		return nil
	}
	const quiet = 4
	n := code.Size + 2*quiet
	img := ebiten.NewImage(n, n)
	img.Fill(color.White)
	pix := make([]byte, 4*n*n)
	for i := range pix {
		pix[i] = 0xff
	}
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) {
				o := 4 * ((y+quiet)*n + x + quiet)
				pix[o], pix[o+1], pix[o+2] = 0, 0, 0
			}
		}
	}
	img.WritePixels(pix)
	if len(qrCache) > 8 {
		clear(qrCache)
	}
	qrCache[s] = img
	return img
}
