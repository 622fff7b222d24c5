package ui

import "github.com/pore/elamanipeli/shared/rules"

// scene is one screen of the game. Game picks the scene on show each frame
// from its overlay and the session state (Game.scene) and has it lay out
// the frame; everything else (intents, focus, the screen-reader mirror,
// banners and toasts) Game does alike for every scene.
//
// A scene that keeps something from one frame to the next (the table's
// card reveal, the dashboard's picks) is a field of Game, so that its state
// outlives a visit to the settings and comes back as it was; the other
// scenes are empty values made anew.
type scene interface {
	// name is the screen's name: tests read it, and scroll positions are
	// kept by it.
	name() string
	// build lays out the scene into f.
	build(g *Game, f *Frame)
}

// scene is the scene on show: an overlay, or what the session state says.
func (g *Game) scene() scene {
	switch g.overlay {
	case "settings":
		return settingsScene{}
	case "check":
		return &g.check
	case "decks":
		return &g.decks
	case "write", "own":
		return writeScene(g.overlay)
	}
	if g.sess == nil {
		return &g.home
	}
	st := g.sess.State()
	if !st.HasView {
		switch {
		case st.Workshop != "" && st.Trainer:
			return &g.dash
		case st.Workshop != "": // a participant waiting for a pair
			return workshopScene{}
		}
		return connectingScene{}
	}
	switch st.View.Phase {
	case rules.Lobby:
		switch {
		case st.View.Role != rules.Host:
			return waitingScene{}
		case st.Local:
			return localLobbyScene{}
		}
		return lobbyScene{}
	case rules.Playing:
		return &g.table
	case rules.Summary:
		return summaryScene{}
	}
	return closedScene{}
}

// screen names the scene on show.
func (g *Game) screen() string { return g.scene().name() }
