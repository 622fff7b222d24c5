// Command client is Elämäni peli's player: compiled to WebAssembly it is
// what the server's page loads; built natively it opens a window.
//
//	go run ./client -server http://localhost:8080
package main

import (
	"log"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/ui"
)

func main() {
	p := newPlatform()
	ebiten.SetWindowTitle("Elämäni peli")
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	// Draw only when something changes: on input, when the session has news,
	// or while something moves. An idle table costs no battery.
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	if err := ebiten.RunGame(ui.New(ui.Options{Platform: p})); err != nil {
		log.Fatal(err)
	}
}
