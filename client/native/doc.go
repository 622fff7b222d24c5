//go:build !js

// Package native tests the desktop client in a real window: under X (Xvfb in
// CI) it runs the game loop on the main thread, as the desktop client does,
// and looks at the pixels it draws.
package native
