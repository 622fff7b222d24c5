//go:build js

package main

import "github.com/pore/elamanipeli/client/platform"

func newPlatform() *platform.Browser {
	p := platform.New()
	p.Mark("main") // the Go program has started
	return p
}
