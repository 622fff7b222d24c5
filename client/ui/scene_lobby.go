package ui

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// joinLink is the link a youth opens to knock on the room.
func (g *Game) joinLink(code string) string { return g.p.PageURL() + "#join=" + code }

// workshopLink is the link participants open to join a workshop.
func (g *Game) workshopLink(code string) string { return g.p.PageURL() + "#workshop=" + code }

// watchLink is the link a projector or an audience opens to watch.
func (g *Game) watchLink(code string) string { return g.p.PageURL() + "#watch=" + code }

// lobbyDecks says which decks are chosen, with the button to choose them.
func (g *Game) lobbyDecks(c *Column, v *rules.View) {
	t := g.t
	c.Space(8)
	c.Text(t.S("lobby.decks"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
	if len(v.Chosen) == 0 {
		c.Text(t.S("lobby.no-decks"), Style{Size: SizeBody, Color: g.th.Muted})
	} else {
		var names []string
		for _, id := range v.Chosen {
			names = append(names, deckTitle(v, id))
		}
		c.Text(strings.Join(names, " · "), Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
		if len(v.Excluded) > 0 {
			var tags []string
			for _, tg := range v.Excluded {
				tags = append(tags, t.S("tag."+tg))
			}
			c.Text(t.S("lobby.left-out", strings.Join(tags, ", ")), Style{Size: SizeSmall, Color: g.th.Muted})
		}
	}
	c.Button("choose-decks", t.S("lobby.choose-decks"), Secondary, true, func() { g.overlay = "decks" })
}

// localLobbyScene is the lobby of a game on this device alone: nobody to
// invite, only decks to choose. It keeps the lobby's name (and scroll).
type localLobbyScene struct{}

func (localLobbyScene) name() string { return "lobby" }

func (localLobbyScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	v := &st.View
	t := g.t
	x, w := g.page(760)
	barTop := g.actionBar(f, []barButton{
		{"end", t.S("local.end"), Secondary, true, func() { g.act(rules.Action{Kind: rules.ActClose}) }},
		{"start", t.S("lobby.start"), Primary, st.Legal.Has(rules.ActStart), func() { g.act(rules.Action{Kind: rules.ActStart}) }},
	}, 2, "")
	g.scrolled(f, Rect{0, 0, g.w, barTop}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(16)
		c.Text(t.S("local.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		c.Text(t.S("local.hint"), Style{Size: SizeBody, Color: g.th.Ink})
		g.lobbyDecks(c, v)
		c.Space(8)
		c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
	})
	f.Announce(sentences(t.S("local.title"), t.S("local.hint")))
}

// lobbyScene is the host's lobby: the code and link to invite with, who
// knocks and who is in, the decks, and the ways to play together.
type lobbyScene struct{}

func (lobbyScene) name() string { return "lobby" }

func (lobbyScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	v := &st.View
	t := g.t
	wide := g.w >= 900
	x, w := g.page(1100)
	barTop := g.actionBar(f, []barButton{
		{"end", t.S("lobby.close-room"), Secondary, true, func() { g.act(rules.Action{Kind: rules.ActClose}) }},
		{"start", t.S("lobby.start"), Primary, st.Legal.Has(rules.ActStart), func() { g.act(rules.Action{Kind: rules.ActStart}) }},
	}, 2, "")
	g.scrolled(f, Rect{0, 0, g.w, barTop}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(16)
		left, right := c, c
		if wide {
			left = f.Col(x, c.Y, w*0.45)
			right = f.Col(x+w*0.45+32, c.Y, w*0.55-32)
		}
		// The code, big enough to read from across the room, the link and
		// its QR code.
		left.Text(t.S("lobby.code"), Style{Size: SizeBody, Bold: true, Color: g.th.Muted, Center: true})
		left.Text(formatCode(st.Code), Style{Size: SizeHuge * 1.3, Bold: true, Color: g.th.Ink, Center: true})
		link := g.joinLink(st.Code)
		qs := min(left.W, 240)
		if img := qrImage(link); img != nil {
			r := left.Take(qs)
			f.Image(Rect{r.X + (r.W-qs)/2, r.Y, qs, qs}, img)
		}
		left.Text(link, Style{Size: SizeSmall, Color: g.th.Muted, Center: true})
		left.Button("copy", t.S("lobby.copy-link"), Secondary, true, func() {
			if g.p.Copy(link) {
				g.toast(t.S("lobby.copied"))
			}
		})
		left.Text(t.S("lobby.invite-hint"), Style{Size: SizeSmall, Color: g.th.Muted, Center: true})

		// Who is at the door, who is in.
		right.Text(t.S("lobby.people"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		knocking, in := 0, 0
		for _, s := range v.Seats {
			if s.Role == rules.Player && s.Status == rules.Knocking {
				knocking++
				name := g.nick(v, s.ID)
				right.Text(t.S("lobby.knocks", name), Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
				cells := right.ButtonRow([]string{t.S("lobby.admit-who", name), t.S("lobby.decline")})
				id := s.ID
				f.Button(cells[0], "admit-"+strconv.Itoa(int(id)), t.S("lobby.admit-who", name), Primary, st.Legal.Has(rules.ActAdmit), func() {
					g.act(rules.Action{Kind: rules.ActAdmit, Seat: id})
				})
				f.Button(cells[1], "decline-"+strconv.Itoa(int(id)), t.S("lobby.decline"), Secondary, true, func() {
					g.act(rules.Action{Kind: rules.ActRemove, Seat: id})
				})
			}
		}
		for _, s := range v.Seats {
			if s.Status == rules.In && s.Role != rules.Host {
				in++
				label := g.nick(v, s.ID) + " · " + t.S("role."+s.Role.String())
				if !s.Online {
					label += " · " + t.S("lobby.away")
				}
				cells := right.ButtonRow([]string{label, t.S("lobby.remove")})
				f.Text(Rect{cells[0].X, cells[0].Y + 12, cells[0].W, 0}, label, Style{Size: SizeBody, Color: g.th.Ink})
				id := s.ID
				f.Button(cells[1], "remove-"+strconv.Itoa(int(id)), t.S("lobby.remove"), Secondary, true, func() {
					g.act(rules.Action{Kind: rules.ActRemove, Seat: id})
				})
			}
		}
		if knocking+in == 0 {
			right.Text(t.S("lobby.nobody"), Style{Size: SizeBody, Color: g.th.Muted})
		}
		if knocking > 1 {
			right.Button("clear-knocks", t.S("lobby.clear-knocks"), Secondary, st.Legal.Has(rules.ActClearKnocks), func() {
				g.act(rules.Action{Kind: rules.ActClearKnocks})
			})
		}
		right.Toggle("lock", t.S("lobby.lock"), v.Locked, true, func() {
			g.act(rules.Action{Kind: rules.ActLock, On: !v.Locked})
		})

		g.lobbyDecks(right, v)

		// One device for two, or a bot in the player's seat.
		right.Space(8)
		right.Text(t.S("lobby.together"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
		right.Button("hotseat", t.S("lobby.hotseat"), Secondary, g.extra == nil && g.demo == nil, g.startHotseat)
		right.Text(t.S("lobby.hotseat-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
		right.Button("demo", t.S("lobby.demo"), Secondary, g.extra == nil && g.demo == nil, g.startDemo)
		right.Text(t.S("lobby.demo-hint"), Style{Size: SizeSmall, Color: g.th.Muted})

		// For trainers: the projector link and training mode.
		right.Space(8)
		right.Text(t.S("lobby.watch"), Style{Size: SizeSmall, Bold: true, Color: g.th.Ink})
		right.Text(t.S("lobby.watch-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
		watch := g.watchLink(st.Watch)
		right.Text(watch, Style{Size: SizeSmall, Color: g.th.Muted})
		right.Button("copy-watch", t.S("lobby.copy-watch-link"), Secondary, true, func() {
			if g.p.Copy(watch) {
				g.toast(t.S("lobby.copied"))
			}
		})
		right.Toggle("watch-lock", t.S("lobby.watch-lock"), v.Watch, st.Legal.Has(rules.ActLockWatch), func() {
			g.act(rules.Action{Kind: rules.ActLockWatch, On: !v.Watch})
		})
		right.Button("new-watch", t.S("lobby.new-watch"), Secondary, st.Legal.Has(rules.ActNewWatch), func() {
			g.act(rules.Action{Kind: rules.ActNewWatch})
		})
		right.Toggle("training", t.S("lobby.training"), v.Training, true, func() {
			g.act(rules.Action{Kind: rules.ActTraining, On: !v.Training})
		})
		right.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
		c.Y = max(left.Y, right.Y)
	})

	announce := []string{t.S("lobby.announce", formatCode(st.Code))}
	for _, s := range v.Seats {
		if s.Status == rules.Knocking {
			announce = append(announce, t.S("lobby.knocks", g.nick(v, s.ID)))
		}
	}
	f.Announce(sentences(announce...))
}

// barButton is a button of the action bar.
type barButton struct {
	id, label string
	kind      Kind
	enabled   bool
	act       func()
}

// actionBar puts the buttons that move things on at the bottom of the
// screen, in as many rows as the text size needs, or msg when there are
// none. It returns the top of the bar: the scene scrolls above it.
func (g *Game) actionBar(f *Frame, bs []barButton, maxCols int, msg string) float64 {
	x, w := g.page(1100)
	if len(bs) == 0 {
		if msg == "" {
			return g.h
		}
		st := Style{Size: SizeBody, Color: g.th.Muted, Center: true}
		h := f.TextHeight(msg, st, w) + 32
		top := g.h - h
		f.Fill(Rect{0, top, g.w, h}, g.th.Bg, 0)
		f.Fill(Rect{0, top, g.w, 1}, g.th.Edge, 0)
		f.Text(Rect{x, top + 16, w, 0}, msg, st)
		return top
	}
	labels := make([]string, len(bs))
	for i, b := range bs {
		labels[i] = b.label
	}
	cells, h := f.grid(x, 0, w, 12, labels, maxCols)
	top := g.h - h - 24
	f.Fill(Rect{0, top, g.w, h + 24}, g.th.Bg, 0)
	f.Fill(Rect{0, top, g.w, 1}, g.th.Edge, 0)
	for i, b := range bs {
		r := cells[i]
		r.Y += top + 12
		f.Button(r, b.id, b.label, b.kind, b.enabled, b.act)
	}
	return top
}

func deckTitle(v *rules.View, id string) string {
	for _, d := range v.Library {
		if d.ID == id {
			return d.Title
		}
	}
	return id
}

// waitingScene is a player's or a spectator's wait for the game to start.
type waitingScene struct{}

func (waitingScene) name() string { return "waiting" }

func (waitingScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	v := &st.View
	t := g.t
	x, w := g.page(560)
	g.scrolled(f, Rect{0, 0, g.w, g.h}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(max(24, g.h*0.12))
		me := v.Seat(v.Me)
		var msg string
		switch {
		case v.Role == rules.Spectator:
			msg = t.S("waiting.watch")
		case me != nil && me.Status == rules.Knocking:
			msg = t.S("waiting.knocking")
		default:
			msg = t.S("waiting.in")
		}
		card := c.Take(f.TextHeight(msg, Style{Size: SizeCard, Bold: true}, w-48) + 48)
		f.Shadowed(card, 16)
		f.Text(card.Inset(24), msg, Style{Size: SizeCard, Bold: true, Color: g.th.Ink, Center: true})
		if me != nil && me.Status == rules.In {
			var names []string
			for _, s := range v.Seats {
				if s.Status == rules.In && s.Role != rules.Spectator {
					names = append(names, g.nick(v, s.ID))
				}
			}
			c.Text(t.S("waiting.here", strings.Join(names, ", ")), Style{Size: SizeBody, Color: g.th.Muted, Center: true})
		}
		g.langRow(f, c, func(l string) { g.act(rules.Action{Kind: rules.ActLanguage, Lang: l}) })
		c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
		c.Button("leave", t.S("waiting.leave"), Secondary, true, func() {
			g.act(rules.Action{Kind: rules.ActLeave})
			g.leave()
		})
		f.Announce(msg)
	})
}

// decksScene is the host's choice of decks, and of kinds of content to
// leave out, over the lobby.
type decksScene struct {
	picks     []rules.Action // deck and tag taps the server has not answered yet, shown at once
	uploadMsg []string       // what the last deck upload said
}

func (*decksScene) name() string { return "decks" }

func (dk *decksScene) build(g *Game, f *Frame) {
	st := g.sess.State()
	v := &st.View
	t := g.t
	x, w := g.page(760)
	barTop := g.actionBar(f, []barButton{{"done", t.S("decks.done"), Primary, true, func() { g.overlay = "" }}}, 1, "")
	// Each tap asks for one deck or tag, shown at once: taps the server has
	// not yet answered are laid over the lists it last sent.
	if st.Pending == 0 {
		dk.picks = nil
	}
	chosen, excluded := v.Chosen, v.Excluded
	for _, a := range dk.picks {
		if a.Kind == rules.ActPickDeck {
			chosen = rules.Toggled(chosen, a.Text, a.On)
		} else {
			excluded = rules.Toggled(excluded, a.Text, a.On)
		}
	}
	pick := func(kind rules.ActionKind, item string, on bool) {
		a := rules.Action{Kind: kind, Text: item, On: on}
		dk.picks = append(dk.picks, a)
		g.act(a)
	}
	g.scrolled(f, Rect{0, 0, g.w, barTop}, func(c *Column) {
		c.X, c.W = x, w
		c.Space(16)
		c.Text(t.S("decks.title"), Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
		c.Text(t.S("decks.hint"), Style{Size: SizeSmall, Color: g.th.Muted})
		tags := map[string]bool{}
		for _, d := range v.Library {
			i := indexOf(chosen, d.ID)
			label := d.Title
			if i >= 0 {
				label = strconv.Itoa(i+1) + ". " + label
			}
			desc := t.S("decks.kind."+string(d.Kind)) + " · " + t.S("decks.cards", d.Cards)
			if d.Minutes > 0 {
				desc += " · " + t.S("decks.minutes", d.Minutes)
			}
			if d.Custom {
				desc += " · " + t.S("decks.custom")
			}
			if d.Description != "" {
				desc += "\n" + d.Description
			}
			id := d.ID
			f.Option(c.Take(f.OptionHeight(label, desc, c.W)), "deck-"+id, label, desc, i >= 0, func() {
				pick(rules.ActPickDeck, id, i < 0)
			})
			if i >= 0 {
				for _, tg := range d.Tags {
					tags[tg] = true
				}
			}
		}
		// A deck of the host's own, for this room only.
		c.Space(8)
		c.Button("upload", t.S("decks.upload"), Secondary, true, g.uploadDeck)
		c.Text(t.S("decks.upload-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
		for _, m := range dk.uploadMsg {
			g.message(f, c, m, true)
		}
		if len(tags) > 0 {
			c.Space(8)
			c.Text(t.S("decks.leave-out"), Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
			c.Text(t.S("decks.leave-out-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
			for _, tg := range deck.Tags {
				if !tags[tg] {
					continue
				}
				out := indexOf(excluded, tg) >= 0
				c.Toggle("tag-"+tg, t.S("tag."+tg), out, true, func() {
					pick(rules.ActLeaveOut, tg, !out)
				})
			}
		}
	})
	f.Announce(t.S("decks.title"))
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// uploadResult is the server's answer to a deck upload.
type uploadResult struct {
	Deck     string     `json:"deck"`
	Code     rules.Code `json:"code"`
	Problems []string   `json:"problems"`
}

// uploadDeck lets the host bring a deck file of their own into the room.
func (g *Game) uploadDeck() {
	token := g.sess.State().Token
	t := g.t
	ok := g.p.PickFile(".yaml,.yml,.csv", func(name string, data []byte) {
		g.p.Post("/upload?lang="+g.set.Lang, token, map[string]string{"X-Deck-Name": name}, data, func(status int, body []byte) {
			var res uploadResult
			err := json.Unmarshal(body, &res)
			g.soon(func() {
				switch {
				case err != nil || status == 0:
					g.decks.uploadMsg = []string{t.Err(protocol.ErrBusy)}
				case res.Deck != "":
					g.decks.uploadMsg = nil
					g.toast(t.S("decks.uploaded"))
				default:
					g.decks.uploadMsg = append([]string{t.Err(res.Code)}, res.Problems...)
				}
			})
		})
	})
	if !ok {
		g.toast(t.S("decks.upload-in-browser"))
	}
}
