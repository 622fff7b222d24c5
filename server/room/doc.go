// Package room hosts the game's rooms. One goroutine owns each room: it holds
// the rules' state, applies actions one at a time, and hands every member the
// events it may see. Connections talk to a room only through its bounded
// inbox, and a room only ever hands a connection an encoded frame; a member
// whose queue is full is dropped, never waited for.
//
// The Hub finds rooms by code and seats by token, creates rooms, and limits
// how many there are. A code or token no room has may lead to a trainer's
// workshop (Gates, package workshop), which has the hub make rooms for its
// pairs and asks them how they are doing without ever waiting on them.
//
// A room writes its snapshot to a Store when it has changed, at most once a
// tick, and when the server shuts down; Hub.Restore brings the rooms back
// after a start, in the background. A room that ends, or that everyone left
// for longer than the window, is erased from memory and from the store.
package room
