// Package room hosts the game's rooms. Each room is a place (package
// place): one goroutine, its kernel, owns it, and the room is the kernel's
// handler. It holds the rules' state, applies actions one at a time, and
// hands every member the events it may see, encoded once per audience; a
// member whose queue is full is dropped, never waited for.
//
// The Hub creates rooms (for a host, or for a trainer's workshop pair,
// package workshop), limits how many there are, answers what a workshop
// asks of them without ever waiting on one, and finds them by code for
// tests and uploads. The place directory finds them for connections.
//
// A room appends what happens to its log in a Store within LogEvery, and
// writes its snapshot, the checkpoint the log is replayed on, every
// SaveEvery or SaveAfter entries, and when the server shuts down;
// Hub.Restore brings the rooms back after a start, in the background. A
// room that ends, or that everyone left for longer than the window, is
// erased from memory and from the store.
package room
