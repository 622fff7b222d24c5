// Package assets holds the files the game ships with: the decks (plain YAML
// that trainers edit), the translations of the client's texts and the fonts
// it draws with. They are embedded so the server and the native client work
// from any folder.
package assets

import "embed"

// Decks holds every deck file under decks/.
//
//go:embed decks/*.yaml
var Decks embed.FS

// Fonts holds the client's typeface: Atkinson Hyperlegible (SIL OFL, see
// fonts/OFL.txt), drawn for readers with low vision.
//
//go:embed fonts/*.ttf
var Fonts embed.FS

// I18n holds one JSON catalog per language: a flat map from key to text.
//
//go:embed i18n/*.json
var I18n embed.FS
