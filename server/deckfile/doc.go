// Package deckfile reads deck files (assets/decks/README.md describes the
// format) into *deck.Deck values and checks them, so that a trainer with a
// text editor gets every mistake at once, each with its line number and in
// their own language.
//
// A file whose name ends in .csv is a spreadsheet of questions; anything else
// is YAML. Parse returns either a deck that the rules can play as it is, or
// no deck and every Problem found, sorted by line. A Problem is a stable Code
// with arguments, so the server can send it over the wire and the client can
// show it in Finnish, Swedish or English: the words are templates in the
// translation catalogs (assets/i18n, keys "check." and the code), which both
// sides fill in with deck.Expand (Message, Words). Check is Parse with
// warnings: cards that nearly repeat another card of the deck, or of the
// decks it will be played beside (NearDuplicates).
//
// # Line numbers
//
// YAML is parsed with github.com/goccy/go-yaml into its syntax tree, never
// into structs: the decoder walks the tree itself, knows every key it accepts
// and records the line of each key and list item under a path such as
// "cards[3].choices[1].next". The checks then look a path up, falling back to
// the nearest parent that is in the file, so a missing Swedish note points at
// the note, or at the card when the card has no note at all.
//
// # Hostile files
//
// A host may bring a deck of their own into a room, so a file is treated as
// hostile. Input over MaxUpload is refused before it is read. Aliases are
// refused, so the tree is never expanded ("billion laughs"). The YAML
// parser's memory grows with nesting depth times the number of nodes, and
// with the square of the keys in one block mapping, so before it runs the
// possible tokens are counted, the file is lexed, and the token count, flow
// depth, block indentation, key length and keys per mapping are all bounded
// (TestHostileInputStaysSmall keeps the worst case under 48 MiB; a real deck
// of 250 KiB takes about 16). A spreadsheet's separators are bounded the
// same way. Parse never panics: a panic inside the YAML library would come
// back as a syntax problem, and FuzzParse treats that as a failure.
//
// # Spreadsheets
//
// A CSV file is a questions deck. If any cell of its first row is a known
// column name (id, theme, answers, tags, part, text_fi, text_sv, text_en,
// note_fi, note_sv, note_en, or their Finnish and Swedish names such as
// tunnus, teksti_fi, muistiinpano_fi, anteckning_sv; case does not matter)
// that row is the header, and the cells may be separated by commas,
// semicolons or tabs, as spreadsheets in different locales save them. A
// first row of two or more short words none of which is known is refused as
// a header in another language. Otherwise the file has no header and every
// non-empty line is one Finnish question, commas included. The deck's id is
// the file name without its extension, lowercased, with å, ä and ö as a, a
// and o and anything else outside a–z, 0–9 and '-' turned into '-' (one for
// a run, none at either end, at most 48 characters); its title is the file
// name without its extension; its languages are the text columns
// present; cards are numbered q-1, q-2… unless an id column names them.
// Worker notes are optional in a spreadsheet, since the format is meant for a
// group writing its own questions quickly.
//
// # Folders
//
// LoadFS and LoadDir read every deck in a folder and return a LoadError that
// lists every problem of every file, so the server can refuse to start with
// the whole list rather than the first mistake.
package deckfile
