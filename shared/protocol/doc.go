// Package protocol defines every message between a client and the server,
// once, and how they travel: one msgpack-encoded binary WebSocket frame per
// message, as a two-element array [type, body].
//
// Decoding never trusts its input: Check walks the raw bytes first and
// refuses a frame whose lengths promise more than it holds, that nests too
// deeply or that uses msgpack extensions, so that what the decoder allocates
// stays bounded by the frame's size. Bodies decode only into the concrete
// struct of their type.
//
// # Versions
//
// Version only goes up; the server speaks every version from MinVersion to
// Version. History:
//
//   - 1 (2026-11-25): first version.
//   - 2 (2026-11-25): workshops. Hello may want WantWorkshop, and WantJoin and
//     WantResume reach a workshop too; a trainer sends Train; the server sends
//     Workshop, Dashboard and Assigned; error codes workshop-full and
//     workshop-closed. A version 1 client sees none of it.
//   - 3 (2026-12-03): fair limits. The host may send everyone knocking away
//     (clear-knocks), close the door to new spectators (lock-watch) and ask
//     for a new spectator code (new-watch), which comes in a NoticeWatch. A
//     knock or a spectator that goes away frees its place at once, and its
//     id may be given to the next newcomer; coming back with its token makes
//     a new knock or a new spectator (a Welcome with a new token). Rates are
//     a seat's, kept across reconnects; a seat that reconnects too often,
//     and an address that knocks, watches or makes rooms too often, is told
//     rate-limited.
//   - 4 (2026-12-04): quick taps. The host may pick one deck (pick-deck) or
//     leave out one content tag (leave-out) at a time: each tap says what
//     it wants of one item, so taps in quick succession on a slow network
//     all count, where whole lists built from the last echo (decks) undid
//     the tap before. A version 3 client keeps sending whole lists.
package protocol
