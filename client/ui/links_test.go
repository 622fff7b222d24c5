package ui

import (
	"strings"
	"testing"
)

func label(p *fakePlatform, id string) string {
	for _, a := range p.acts {
		if a.ID == id {
			return a.Label
		}
	}
	return ""
}

// TestLinksAreFollowedInARunningTab: a room's link knocks on a room and a
// workshop's link joins a workshop, each in its own words; a new link
// opened in a tab that already runs the game is followed without a reload,
// leaving the seat of another room as a reload would, and keeping the seat
// when the link is to its own room.
func TestLinksAreFollowedInARunningTab(t *testing.T) {
	g, p := newTestGame(t, 390, 844, 1, nil)
	p.frag = "workshop=HXT3MV"
	g.readLink()
	g.build()
	g.mirror()
	if !strings.Contains(p.live, "Sinut on kutsuttu työpajaan HXT-3MV") || label(p, "knock") != "Tule mukaan" {
		t.Errorf("a workshop's link says %q with %q", p.live, label(p, "knock"))
	}

	p.frag = "join=KXT4PW"
	g.readLink()
	g.build()
	g.mirror()
	if !strings.Contains(p.live, "Sinut on kutsuttu huoneeseen KXT-4PW") || label(p, "knock") != "Koputa ovelle" {
		t.Errorf("a room's link says %q with %q", p.live, label(p, "knock"))
	}

	// At a table of room KXT4PW, its own link again keeps the seat.
	s := room(t, playing("tutustutaan")...)
	seat := seatOf(s, 0)
	g.sess, g.joining = seat, ""
	p.values["room"], p.values["token"] = "KXT4PW", "t"
	p.frag = "join=kxt-4pw"
	g.readLink()
	if g.sess == nil || p.values["token"] != "t" {
		t.Fatal("the link to the seat's own room left the seat")
	}
	// Another room's link, opened in this tab, goes there.
	p.frag = "join=MNP7RT"
	g.readLink()
	g.build()
	g.mirror()
	if g.sess != nil || p.values["token"] != "" || g.joining != "MNP7RT" {
		t.Fatalf("another room's link: session %v, token %q, joining %q", g.sess, p.values["token"], g.joining)
	}
	if !strings.Contains(p.live, "MNP-7RT") {
		t.Errorf("the invitation says %q", p.live)
	}
}
