//go:build !js

package main

import (
	"flag"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/platform"
)

func newPlatform() *platform.Desktop {
	server := flag.String("server", "http://localhost:8080", "the game server's `address`")
	state := flag.String("state", "", "keep the seat and settings in this `file` (default: the user's config folder)")
	fullscreen := flag.Bool("fullscreen", false, "fill the screen (a projector)")
	watch := flag.String("watch", "", "show the room with this spectator `code` (the end of its spectator link), for a projector")
	flag.Parse()
	ebiten.SetWindowSize(1024, 768)
	ebiten.SetFullscreen(*fullscreen)
	p := platform.New(*server, *state)
	if *watch != "" {
		p.SetLink("watch=" + *watch)
	}
	return p
}
