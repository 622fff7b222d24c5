// Package place runs the server's places: game rooms and trainers'
// workshops, and whatever kind comes next.
//
// One goroutine owns each place: a Kernel, with a bounded inbox, the
// connections seated there, a tick, and shutdown. The goroutine exists
// only while the place is in play: it starts with a message, a result, a
// tick or an alarm, and goes once the place has had none for a moment
// (KernelOptions.Linger), as a quiet connection has none either. A room
// whose people are talking costs its memory, not a goroutine's stack.
// Connections talk to a place only through its inbox, and a place only ever hands a connection an
// encoded frame; a connection whose queue is full is dropped, never waited
// for. What makes a place a room or a workshop is its Handler, in the spirit
// of Nakama's match handler: enter, message, leave, tick and stop, called on
// the place's goroutine alone, with typed messages.
//
// The Directory finds places by their codes and by the keys of their
// tokens, hands a new connection to the place its Hello names (or to the
// kind of place it asks to create), counts wrong guesses per client address,
// and stops every place when the server shuts down.
package place
