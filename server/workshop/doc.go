// Package workshop runs trainers' workshops: a practice round in which the
// participants of a training play in pairs, many rooms at once, while the
// trainer follows how far each room has come and never what is said in it.
//
// A trainer creates a workshop (a Hello wanting WantWorkshop) and gets its
// code, which is never a room's; participants join with it like with a room
// code, with an optional nickname and no account, and wait. The trainer pairs
// them, two by two or automatically: the hub makes a room for each pair, with
// one participant as its host (the worker) and the other already at the
// table (the young person). A participant's token in the workshop is also
// their seat's, so the client that is told Assigned simply resumes with the
// token it has and the hub finds the room.
//
// Each workshop is a place (package place) like a room: one goroutine owns
// its trainer, its participants and the rooms it made. It asks each room for
// its progress about once a second through the room's inbox without ever
// waiting on a room (room.Hub.Ask), the answers come back through its own
// inbox, and it sends the trainer a Dashboard when what it shows has
// changed. The trainer's commands (protocol.Train) arrive on its bounded
// inbox, as do connections coming and going.
//
// Workshops live in memory only: the rooms they made are kept across a
// restart like any room, but a workshop is not, and its trainer starts a new
// one. When a workshop ends its code, its participants and their names are
// forgotten; when the trainer closes it, its rooms close too. Logs carry the
// workshop's internal id and counts, never a code, token or nickname.
package workshop
