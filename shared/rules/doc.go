// Package rules is the game itself: a pure, deterministic state machine for
// one room, shared by the server (the authority) and the client (which greys
// out what is illegal and keeps its view up to date).
//
// Apply(state, seat, action) returns the next state, the events that happened
// and an error code; it is the only way a state changes, and it never mutates
// its input. Randomness comes from a seed kept in the state; there is no clock
// and no I/O. Replaying the same actions on the same start gives the same
// state.
//
// What a seat may see is a View: ViewOf builds one from a state, Personalize
// turns events into what one seat receives, and View.Apply brings a view up to
// date from those events. Worker notes reach the host only, or spectators too
// while training mode is on.
package rules
