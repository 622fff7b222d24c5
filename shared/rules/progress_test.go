package rules

import (
	"slices"
	"testing"
)

func TestProgress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lines  []string
		played int
		passes int
		paused bool
		phase  Phase
		online []SeatID
	}{
		{name: "lobby", phase: Lobby, online: []SeatID{0, 1}},
		{name: "first card", lines: []string{"host decks q", "host start"}, phase: Playing, played: 1, online: []SeatID{0, 1}},
		{name: "a pass counts, an answer does not",
			lines: []string{"host decks q", "host start", "host pass", "host next", "p answer words"},
			phase: Playing, played: 2, passes: 1, online: []SeatID{0, 1}},
		{name: "paused", lines: []string{"host decks q", "host start", "p request-pause"}, phase: Playing, played: 1, paused: true, online: []SeatID{0, 1}},
		{name: "player away", lines: []string{"sys presence 1 off"}, phase: Lobby, online: []SeatID{0}},
		{name: "summary", lines: []string{"host decks q", "host start", "host pass", "host next", "host end"}, phase: Summary, played: 2, passes: 1, online: []SeatID{0, 1}},
		{name: "ended while paused", lines: []string{"host decks q", "host start", "host pause", "host end"}, phase: Summary, played: 1, online: []SeatID{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := lobby(t) // host, player and a spectator, who never counts
			s, _ = play(t, s, tc.lines...)
			p := ProgressOf(&s)
			if p.Phase != tc.phase || p.Played != tc.played || p.Passes != tc.passes || p.Paused != tc.paused || !slices.Equal(p.Online, tc.online) {
				t.Fatalf("got %+v, want phase %v, %d played, %d passes, paused %v, online %v", p, tc.phase, tc.played, tc.passes, tc.paused, tc.online)
			}
		})
	}
}
