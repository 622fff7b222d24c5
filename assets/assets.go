// Package assets holds the files the game ships with: the decks (plain YAML
// that trainers edit) and whatever the client draws with. They are embedded
// so the server and the native client work from any folder.
package assets

import "embed"

// Decks holds every deck file under decks/.
//
//go:embed decks/*.yaml
var Decks embed.FS
