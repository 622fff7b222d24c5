// Package ui is the game's screen, drawn with Ebiten: one Game that picks a
// scene from what the session knows, scenes that lay out widgets each frame,
// and input turned into intents (tap, focus, activate, scroll, back) so that
// touch, mouse and keyboard all do the same things.
//
// The network lives in client/session and is only read here: Update never
// waits for it. With FPSModeVsyncOffMinimum a frame is drawn only on input,
// when the session reports a change, or while something moves, so an idle
// table costs the tablet's battery nothing.
package ui
