//go:build js

package main

import "github.com/pore/elamanipeli/client/platform"

func newPlatform() *platform.Browser { return platform.New() }
