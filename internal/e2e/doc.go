//go:build !js

// Package e2e plays the game in a real browser: headless Chromium, driven by
// chromedp, loads the page from an in-process server and plays it by tapping
// and clicking on the canvas, as people do. It finds what to tap through the
// page's screen-reader mirror, whose buttons carry their place on the
// canvas. The tests skip with a message where no browser is installed and CI
// is unset.
package e2e
