package ui

import (
	"maps"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
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

// heldSeat is a session that never connects.
type heldSeat struct{}

func (s *heldSeat) State() *session.State        { return &session.State{} }
func (s *heldSeat) Events() <-chan session.Event { return nil }
func (s *heldSeat) Act(rules.Action)             {}
func (s *heldSeat) Close()                       {}

// TestTheDoorsKnockIsSentAtStart: a young person who knocked at the page's
// door while the client loaded (an invitation link) is knocking as soon as
// the client starts, with the nickname they typed, in the language they
// picked, and sees the link's room no more; a door's knock without a link
// to a room is nothing, and a page without one starts as before.
func TestTheDoorsKnockIsSentAtStart(t *testing.T) {
	start := func(frag string, door *string, values map[string]string) (*Game, *fakePlatform, []protocol.Hello) {
		p := newFakePlatform()
		p.frag, p.door = frag, door
		maps.Copy(p.values, values)
		var hellos []protocol.Hello
		g := New(Options{Platform: p, Scale: 1, Session: func(o session.Options) Seat {
			hellos = append(hellos, o.Hello)
			return &heldSeat{}
		}})
		return g, p, hellos
	}
	nick := "Eero"
	_, p, hellos := start("join=KXT4PW", &nick, map[string]string{"lang": "sv", "room": "MNP7RT", "token": "old"})
	want := protocol.Hello{Want: protocol.WantJoin, Code: "KXT4PW", Nick: "Eero", Lang: "sv"}
	if len(hellos) != 1 || hellos[0] != want {
		t.Fatalf("the door's knock sent %+v, want %+v", hellos, want)
	}
	if p.frag != "" || p.door != nil || p.values["token"] != "" {
		t.Errorf("after the knock: fragment %q, door %v, token %q", p.frag, p.door, p.values["token"])
	}

	empty := ""
	_, _, hellos = start("workshop=HXT3MV", &empty, nil)
	if want := (protocol.Hello{Want: protocol.WantJoin, Code: "HXT3MV", Lang: "fi"}); len(hellos) != 1 || hellos[0] != want {
		t.Errorf("a workshop's door sent %+v, want %+v", hellos, want)
	}

	// Without a link to knock on, the seat this device has comes back.
	_, _, hellos = start("", &nick, map[string]string{"token": "a-seat"})
	if want := (protocol.Hello{Want: protocol.WantResume, Token: "a-seat"}); len(hellos) != 1 || hellos[0] != want {
		t.Errorf("a door's knock with no link sent %+v, want only %+v", hellos, want)
	}
	// A link without a knock waits at the start screen for one.
	g, _, hellos := start("join=KXT4PW", nil, nil)
	if len(hellos) != 0 || g.joining != "KXT4PW" {
		t.Errorf("a link without a knock sent %+v (joining %q)", hellos, g.joining)
	}
}
