package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

// kindLabel names a card's kind for the player.
func (g *Game) kindLabel(c *rules.CardView) string {
	if c.By != rules.NoSeat && c.Ref.Deck == "" {
		return g.t.S("kind.own")
	}
	return g.t.S("kind." + string(c.Kind))
}

// turnLine says who answers the card on the table, or that everyone has.
func (g *Game) turnLine(v *rules.View) string {
	st := v.Step
	who := v.Answerers()
	if len(who) > 0 && allDone(st, who) && !st.Card.Open {
		if v.Role == rules.Host {
			return g.t.S("turn.done-host")
		}
		return g.t.S("turn.done", g.nick(v, 0)) // the host is seat 0
	}
	switch {
	case st.Card.Open:
		if slices.Contains(who, v.Me) {
			return g.t.S("turn.write-yours")
		}
		return g.t.S("turn.write", g.nick(v, who[0]))
	case st.Card.Answerer == deck.Both:
		return g.t.S("turn.everyone")
	case len(who) == 1 && who[0] == v.Me:
		return g.t.S("turn.yours")
	case len(who) == 1:
		return g.t.S("turn.of", g.nick(v, who[0]))
	}
	var names []string
	for _, id := range who {
		names = append(names, g.nick(v, id))
	}
	return g.t.S("turn.of", strings.Join(names, ", "))
}

// allDone reports whether every seat of who has played the step.
func allDone(st *rules.StepView, who []rules.SeatID) bool {
	return !slices.ContainsFunc(who, func(id rules.SeatID) bool { return !done(st, id) })
}

// done reports whether seat has played the step (answered, passed or, on a
// scene, chosen).
func done(st *rules.StepView, seat rules.SeatID) bool {
	return slices.ContainsFunc(st.Answers, func(a rules.Answer) bool { return a.Seat == seat })
}

// tableScene is the game in play. It keeps what must outlive a visit to
// the settings or the writing panel: the card last revealed (a card is
// revealed once), the reactions drifting up, the host's worker note, a
// question asked again, and what the last event changed.
type tableScene struct {
	card      cardAnim
	floats    []float // reactions drifting up
	noteOn    bool    // the host's worker note is open
	confirm   string  // "end" or "skip-story" while the host is asked again
	confirmAt int     // the step the question was asked at
	news      string  // what the last event changed, for the screen-reader mirror
}

type cardAnim struct {
	key   string
	start time.Time
}

type float struct {
	kind  int
	x     float64
	start time.Time
}

const (
	cardReveal = 450 * time.Millisecond
	floatLife  = 1600 * time.Millisecond
)

func (*tableScene) name() string { return "table" }

// turn follows the step on show: a new card is revealed, with the worker
// note closed and nothing said yet of its events. It reports whether the
// card is new.
func (tb *tableScene) turn(step *rules.StepView, now time.Time) bool {
	key := fmt.Sprint(step.Pos, step.Card.Ref)
	if key == tb.card.key {
		return false
	}
	tb.card = cardAnim{key: key, start: now}
	tb.noteOn = false
	tb.news = ""
	return true
}

// react sets a reaction drifting up from the card.
func (tb *tableScene) react(e *rules.Event, now time.Time) {
	tb.floats = append(tb.floats, float{kind: e.Value, x: 0.2 + 0.6*float64((int(e.Seat)*37+len(tb.floats)*13)%10)/10, start: now})
}

// moving reports whether the card's reveal or a reaction is under way, and
// forgets the reactions that have faded.
func (tb *tableScene) moving(now time.Time) bool {
	if now.Sub(tb.card.start) < cardReveal {
		return true
	}
	tb.floats = slices.DeleteFunc(tb.floats, func(f float) bool { return now.Sub(f.start) > floatLife })
	return len(tb.floats) > 0
}

func (tb *tableScene) build(g *Game, f *Frame) {
	st := g.state()
	v := &st.View
	if v.Step == nil {
		return
	}
	t := g.t
	step := v.Step
	card := &step.Card
	legal := st.Legal
	mine := slices.Contains(v.Answerers(), v.Me) && !done(step, v.Me)
	host := v.Role == rules.Host
	wide := g.w >= 900 && v.Role != rules.Spectator
	projector := v.Role == rules.Spectator && g.w >= 900

	viewH := g.h
	if v.Role != rules.Spectator {
		viewH = g.tableBar(f, v, legal, mine)
	}
	x, w := g.page(1200)
	cardW := w
	if wide {
		cardW = w * 0.6
	}
	if projector {
		x, w = g.page(1400)
		cardW = w
	}
	// Type grows with the space: a card on a laptop reads larger than on a
	// phone, and a projector's from the back of the room.
	size := min(1.3, max(1, cardW/640))
	if projector {
		size = min(2.4, max(1.6, g.w/800))
	}

	var cardRect Rect
	top := g.bannerSpace(f)
	g.scrolled(f, Rect{0, top, g.w, viewH - top}, func(c *Column) {
		c.X, c.W = x, cardW
		c.Space(12)
		if g.hotseat {
			tb.hotseatBar(g, f, c, v)
		}
		// Where we are, and whose turn it is.
		// The card's number in this game: the decks' sizes say little
		// when a story's length depends on its choices.
		where := t.S("table.card-n", step.Pos+1)
		if step.Pos+1 < v.Played {
			where = t.S("table.card-back", step.Pos+1, v.Played)
		}
		if card.Deck != "" {
			where = card.Deck + " · " + where
		}
		c.Text(where, Style{Size: SizeSmall * size, Color: g.th.Muted})
		c.Text(g.turnLine(v), Style{Size: SizeBody * size, Bold: true, Color: g.th.Ink})

		// The card.
		inner := cardW - 48
		body := g.cardBody(f, v, inner, size, false)
		cardH := body + 48
		if size > 1 { // room to spare: the card looks like a card
			cardH = max(cardH, min(viewH*0.3, 360))
		}
		cardRect = c.Take(cardH)
		f.Shadowed(cardRect, 18)
		g.cardBody(f, v, inner, size, true, cardRect.X+24, cardRect.Y+24)

		// Story choices and ratings are played from inside the flow.
		if projector && card.IsScene() {
			g.projectorChoices(f, c, step, size) // scene_projector.go
		} else if card.IsScene() {
			if q := g.choosePrompt(v); q != "" {
				c.Text(q, Style{Size: SizeBody * size, Bold: true, Color: g.th.Ink})
			}
			for i, ch := range card.Choices {
				label := ch
				chosen := step.Choice == i
				id := "choice-" + strconv.Itoa(i)
				can := legal.Has(rules.ActChoose) && slices.Contains(v.Answerers(), v.Me)
				r := c.Take(f.buttonHeight(label, c.W) * size)
				if chosen {
					f.Toggle(r, id, label, true, can, nil)
				} else {
					f.Button(r, id, label, Secondary, can, func() { g.act(rules.Action{Kind: rules.ActChoose, Choice: i}) })
				}
			}
			if step.Choice >= 0 && card.Prompt != "" {
				c.Text(card.Prompt, Style{Size: SizeCard * size, Bold: true, Color: g.th.Ink})
			}
		}
		if card.Kind.Rated() {
			g.ratingScale(f, c, v, legal)
		}
		if card.Prompt != "" && !card.Kind.InStory() {
			c.Text(card.Prompt, Style{Size: SizeBody * size, Color: g.th.Muted})
		}
		g.answers(f, c, v, size)
		if v.Role == rules.Spectator && card.Note != "" { // training mode
			hdr := t.S("table.note-training")
			st := Style{Size: SizeBody * size, Color: g.th.NoteInk}
			hs := Style{Size: SizeSmall * size, Bold: true, Color: g.th.NoteInk}
			r := c.Take(f.TextHeight(hdr, hs, c.W-32) + f.TextHeight(card.Note, st, c.W-32) + 32)
			f.Box(r, g.th.Note, g.th.Edge, 12, 1)
			hh := f.Text(Rect{r.X + 16, r.Y + 12, r.W - 32, 0}, hdr, hs)
			f.Text(Rect{r.X + 16, r.Y + 16 + hh, r.W - 32, 0}, card.Note, st)
		}
		if projector {
			return
		}

		// Less central actions: typing, bookmarks, reactions, a pause, a
		// question of one's own, reading aloud.
		side := c
		if wide {
			side = f.Col(x+cardW+32, 12, w-cardW-32)
			side.Y = 12
		}
		if host {
			tb.noteAndPacing(g, f, side, v, legal)
		}
		if v.Role != rules.Spectator {
			g.tableExtras(f, side, v, legal, mine)
		}
		if wide {
			c.Y = max(c.Y, side.Y)
		}
	})
	// The card's reveal: its back lifts away.
	if p := float64(g.now().Sub(tb.card.start)) / float64(cardReveal); p < 1 && cardRect.H > 0 {
		e := 1 - (1-p)*(1-p)*(1-p)
		cover := cardRect
		cover.Y -= g.scroll["table"]
		cover.H *= 1 - e
		f.Draw(cover, func(dst *ebiten.Image, r Rect, s float64) { fillRound(dst, r, g.th.Accent, 18, s) })
	}
	tb.drawFloats(g, f, cardRect)
	f.Announce(tb.announceCard(g, v))
}

// hotseatBar shows, in hot-seat, whose side the shared device is on and lets
// it change hands.
func (tb *tableScene) hotseatBar(g *Game, f *Frame, c *Column, v *rules.View) {
	t := g.t
	side := t.S("hotseat.worker-side")
	if g.side != 0 {
		side = t.S("hotseat.youth-side")
	}
	r := c.Take(f.TextHeight(side, Style{Size: SizeBody, Bold: true}, c.W-32) + 20)
	f.Box(r, g.th.On, g.th.On, 12, 0)
	f.Text(Rect{r.X + 16, r.Y + 10, r.W - 32, 0}, side, Style{Size: SizeBody, Bold: true, Color: g.th.OnInk, Center: true})
	label := t.S("hotseat.to-youth")
	if g.side != 0 {
		label = t.S("hotseat.to-worker")
	}
	c.Button("handover", label, Secondary, g.extra != nil, func() {
		if g.side == 0 && g.extra != nil {
			g.side = g.extra.State().Seat
		} else {
			g.side = 0
		}
		tb.noteOn = false
	})
}

// cardBody lays out (or, with draw, draws) the card's face and returns its
// height.
func (g *Game) cardBody(f *Frame, v *rules.View, w, size float64, draw bool, at ...float64) float64 {
	card := &v.Step.Card
	th := g.th
	parts := []struct {
		s  string
		st Style
	}{
		{strings.ToUpper(g.kindLabel(card)), Style{Size: SizeSmall * size, Bold: true, Color: th.Muted}},
		{card.Title, Style{Size: SizeTitle * size, Bold: true, Color: th.Ink}},
		{card.Text, Style{Size: SizeCard * size, Color: th.Ink}},
	}
	if card.Open {
		parts[2].s = g.t.S("table.blank")
	}
	if card.By != rules.NoSeat && card.Ref.Deck == "" {
		parts = append(parts, struct {
			s  string
			st Style
		}{g.t.S("table.written-by", g.nick(v, card.By)), Style{Size: SizeSmall * size, Color: th.Muted}})
	}
	h := 0.0
	for _, p := range parts {
		if p.s == "" {
			continue
		}
		if draw {
			f.Text(Rect{at[0], at[1] + h, w, 0}, p.s, p.st)
		}
		h += f.TextHeight(p.s, p.st, w) + 8
	}
	return h - 8
}

// ratingScale lays out a reflection card's 0–10 buttons in rows of six.
func (g *Game) ratingScale(f *Frame, c *Column, v *rules.View, legal rules.Legal) {
	card := &v.Step.Card
	mineRated := -1
	for _, a := range v.Step.Answers {
		if a.Seat == v.Me && a.Rated {
			mineRated = a.Rating
		}
	}
	can := legal.Has(rules.ActRate)
	n := card.Max - card.Min + 1
	labels := make([]string, n)
	for i := range labels {
		labels[i] = strconv.Itoa(card.Min + i)
	}
	cells := c.Grid(labels, 6)
	{
		for i := range n {
			val := card.Min + i
			label := labels[i]
			r := cells[i]
			if val == mineRated {
				f.Toggle(r, "rate-"+label, label, true, false, nil)
				continue
			}
			f.Button(r, "rate-"+label, label, Secondary, can, func() { g.act(rules.Action{Kind: rules.ActRate, Value: val}) })
		}
	}
	if card.Low != "" || card.High != "" {
		row := c.Take(f.TextHeight(card.Low, Style{Size: SizeSmall}, c.W/2))
		f.Text(Rect{row.X, row.Y, row.W / 2, 0}, strconv.Itoa(card.Min)+" = "+card.Low, Style{Size: SizeSmall, Color: g.th.Muted})
		f.Text(Rect{row.X + row.W/2, row.Y, row.W / 2, 0}, strconv.Itoa(card.Max)+" = "+card.High, Style{Size: SizeSmall, Color: g.th.Muted})
	}
}

// answers shows who has played the card, without telling answers from
// passes, and any typed answers.
func (g *Game) answers(f *Frame, c *Column, v *rules.View, size float64) {
	step := v.Step
	var done []string
	for _, a := range step.Answers {
		if !slices.Contains(done, g.nick(v, a.Seat)) {
			done = append(done, g.nick(v, a.Seat))
		}
	}
	if len(done) > 0 {
		c.Text(g.t.S("table.done", strings.Join(done, ", ")), Style{Size: SizeSmall * size, Color: g.th.Muted})
	}
	for _, a := range step.Answers {
		if a.Text == "" {
			continue
		}
		msg := g.nick(v, a.Seat) + ": " + a.Text
		r := c.Take(f.TextHeight(msg, Style{Size: SizeBody * size}, c.W-32) + 24)
		f.Box(r, g.th.Card, g.th.Edge, 12, 1)
		f.Text(r.Inset(12), msg, Style{Size: SizeBody * size, Color: g.th.Ink})
	}
	if step.Choice >= 0 && step.ChoiceBy == rules.System {
		c.Text(g.t.S("table.story-went-on"), Style{Size: SizeSmall * size, Color: g.th.Muted})
	}
}

// noteAndPacing is the host's side: the worker note and the less frequent
// pacing controls.
func (tb *tableScene) noteAndPacing(g *Game, f *Frame, c *Column, v *rules.View, legal rules.Legal) {
	t := g.t
	note := v.Step.Card.Note
	if note != "" && !g.hideNote() {
		label := t.S("table.note-show")
		if tb.noteOn {
			label = t.S("table.note-hide")
		}
		c.Toggle("note", label, tb.noteOn, true, func() { tb.noteOn = !tb.noteOn })
		if tb.noteOn {
			hdr := t.S("table.note-title")
			h := f.TextHeight(hdr, Style{Size: SizeSmall, Bold: true}, c.W-32) + f.TextHeight(note, Style{Size: SizeBody}, c.W-32) + 32
			r := c.Take(h)
			f.Box(r, g.th.Note, g.th.Edge, 12, 1)
			hh := f.Text(Rect{r.X + 16, r.Y + 12, r.W - 32, 0}, hdr, Style{Size: SizeSmall, Bold: true, Color: g.th.NoteInk})
			f.Text(Rect{r.X + 16, r.Y + 16 + hh, r.W - 32, 0}, note, Style{Size: SizeBody, Color: g.th.NoteInk})
		}
	}
	// Ending the game and skipping the rest of a story ask once more, in
	// place: one tap never does either. Passing a card stays one tap.
	pos := v.Step.Pos
	if ask, kind := tb.confirming(pos); ask != "" {
		c.Text(t.S("table."+ask+"-ask"), Style{Size: SizeBody, Bold: true, Color: g.th.Ink})
		cells := c.Grid([]string{t.S("dash.cancel"), t.S("table." + ask + "-yes")}, 2)
		f.Button(cells[0], "cancel-"+ask, t.S("dash.cancel"), Secondary, true, func() { tb.confirm = "" })
		f.Button(cells[1], ask+"-yes", t.S("table."+ask+"-yes"), Primary, legal.Has(kind), func() {
			tb.confirm = ""
			g.act(rules.Action{Kind: kind})
		})
		return
	}
	story := v.Step.Card.Kind.InStory()
	cells := c.Grid([]string{t.S("table.skip"), t.S("table.end")}, 2)
	f.Button(cells[0], "skip", t.S("table.skip"), Secondary, legal.Has(rules.ActSkip), func() {
		if story {
			tb.confirm, tb.confirmAt = "skip-story", pos
			return
		}
		g.act(rules.Action{Kind: rules.ActSkip})
	})
	f.Button(cells[1], "end", t.S("table.end"), Secondary, legal.Has(rules.ActEnd), func() { tb.confirm, tb.confirmAt = "end", pos })
}

// confirming is the question the host is being asked again at step pos, if
// any, and the action a yes sends. A new card forgets the question.
func (tb *tableScene) confirming(pos int) (string, rules.ActionKind) {
	if tb.confirm == "" || tb.confirmAt != pos {
		return "", rules.ActNone
	}
	if tb.confirm == "end" {
		return "end", rules.ActEnd
	}
	return "skip-story", rules.ActSkip
}

// hideNote reports whether the worker note must stay hidden: in hot-seat
// while the youth's side is on show.
func (g *Game) hideNote() bool { return g.hotseat && g.side != 0 }

func (g *Game) tableExtras(f *Frame, c *Column, v *rules.View, legal rules.Legal, mine bool) {
	t := g.t
	step := v.Step
	if mine && legal.Has(rules.ActAnswer) {
		c.Button("write", t.S("table.write"), Secondary, true, func() { g.overlay = "write" })
	}
	if step.Card.Open && legal.Has(rules.ActWriteBlank) && slices.Contains(v.Answerers(), v.Me) {
		c.Button("own-now", t.S("table.write-question"), Primary, true, func() { g.overlay = "own" })
	}
	mark := t.S("table.bookmark")
	if step.Bookmarked {
		mark = t.S("table.bookmarked")
	}
	r := c.Take(f.buttonHeight(mark, c.W))
	f.Toggle(r, "bookmark", mark, step.Bookmarked, legal.Has(rules.ActBookmark), func() {
		g.act(rules.Action{Kind: rules.ActBookmark, On: !step.Bookmarked})
	})
	f.Draw(Rect{r.X + 14, r.Y + r.H/2 - 11, 14, 22}, func(dst *ebiten.Image, rr Rect, s float64) {
		ink := g.th.QuietInk
		if step.Bookmarked {
			ink = g.th.OnInk
		}
		drawBookmark(dst, rr, ink, step.Bookmarked, s)
	})
	// Reactions: small signs while someone talks.
	c.Text(t.S("table.react"), Style{Size: SizeSmall, Color: g.th.Muted})
	cells := c.Row(len(rules.Reactions), MinTouch)
	for i, name := range rules.Reactions {
		f.Button(cells[i], "react-"+name, "", Secondary, legal.Has(rules.ActReact), func() {
			g.act(rules.Action{Kind: rules.ActReact, Value: i})
		}).Label = t.S("react." + name)
		f.Draw(cells[i], func(dst *ebiten.Image, r Rect, s float64) { drawReaction(dst, i, r.Inset(10), g.th.QuietInk, s) })
	}
	if g.p.CanSpeak() {
		c.Button("read", t.S("table.read-aloud"), Secondary, true, func() {
			g.p.Speak(g.speech(v), v.Lang)
		})
	}
	if v.Role != rules.Host {
		c.Button("pause", t.S("table.request-pause"), Secondary, legal.Has(rules.ActRequestPause), func() {
			g.act(rules.Action{Kind: rules.ActRequestPause})
		})
	}
	c.Button("own", t.S("table.own-question"), Secondary, legal.Has(rules.ActWriteBlank), func() { g.overlay = "own" })
	c.Button("settings", t.S("settings.open"), Link, true, func() { g.overlay = "settings" })
	if v.Role != rules.Host {
		c.Button("leave", t.S("table.leave"), Link, true, func() {
			g.act(rules.Action{Kind: rules.ActLeave})
			g.leave()
		})
	}
}

// tableBar holds what moves the game on: for the host the pacing, for the
// one whose turn it is answering and passing, side by side and alike. It
// returns the bar's top.
func (g *Game) tableBar(f *Frame, v *rules.View, legal rules.Legal, mine bool) float64 {
	t := g.t
	card := &v.Step.Card
	var bs []barButton
	// A scene's question comes once a choice is made.
	if mine && !card.Open && !card.Kind.Rated() && (!card.IsScene() || v.Step.Choice >= 0) {
		bs = append(bs, barButton{"answered", t.S("table.answered"), Secondary, legal.Has(rules.ActAnswer), func() { g.act(rules.Action{Kind: rules.ActAnswer}) }})
	}
	if mine {
		bs = append(bs, barButton{"pass", t.S("table.pass"), Secondary, legal.Has(rules.ActPass), func() { g.act(rules.Action{Kind: rules.ActPass}) }})
	}
	if v.Role == rules.Host {
		bs = append(bs, barButton{"back", t.S("table.back"), Secondary, legal.Has(rules.ActBack), func() { g.act(rules.Action{Kind: rules.ActBack}) }})
		if v.Paused {
			bs = append(bs, barButton{"resume", t.S("table.resume"), Primary, legal.Has(rules.ActResume), func() { g.act(rules.Action{Kind: rules.ActResume}) }})
		} else {
			bs = append(bs, barButton{"pause-host", t.S("table.pause"), Secondary, legal.Has(rules.ActPause), func() { g.act(rules.Action{Kind: rules.ActPause}) }},
				barButton{"next", t.S("table.next"), Primary, legal.Has(rules.ActNext), func() { g.act(rules.Action{Kind: rules.ActNext}) }})
		}
	}
	msg := t.S("table.waiting")
	if who := v.Answerers(); len(who) > 0 && allDone(v.Step, who) {
		msg = t.S("table.waiting-next")
	}
	if v.Paused {
		msg = t.S("banner.paused")
	}
	return g.actionBar(f, bs, 5, msg)
}

// choosePrompt asks what happens next in a story scene still to be chosen:
// of the one who chooses, or naming them to the others.
func (g *Game) choosePrompt(v *rules.View) string {
	if !v.Step.Card.IsScene() || v.Step.Choice >= 0 {
		return ""
	}
	who := v.Answerers()
	if len(who) == 0 || slices.Contains(who, v.Me) {
		return g.t.S("table.choose")
	}
	return g.t.S("table.choose-other", g.nick(v, who[0]))
}

// speech is what read-aloud says: the card and its choices.
func (g *Game) speech(v *rules.View) string {
	c := &v.Step.Card
	parts := []string{c.Title, c.Text, g.choosePrompt(v)}
	for i, ch := range c.Choices {
		parts = append(parts, strconv.Itoa(i+1)+". "+ch)
	}
	if v.Step.Choice >= 0 {
		parts = append(parts, c.Prompt)
	}
	return sentences(parts...)
}

// announceCard is what the screen-reader mirror says about the table.
func (tb *tableScene) announceCard(g *Game, v *rules.View) string {
	// A question asked again comes first; a pause is said by the banner,
	// before everything; an open worker note comes last, as on the screen.
	ask, note := "", ""
	if q, _ := tb.confirming(v.Step.Pos); q != "" {
		ask = g.t.S("table." + q + "-ask")
	}
	if tb.noteOn && v.Step.Card.Note != "" && !g.hideNote() && v.Role == rules.Host {
		note = g.t.S("table.note-title") + ": " + v.Step.Card.Note
	}
	// On a shared device, whose side it is on comes first.
	side := ""
	if g.hotseat {
		side = g.t.S("hotseat.worker-side")
		if g.side != 0 {
			side = g.t.S("hotseat.youth-side")
		}
	}
	return sentences(ask, side, tb.news, g.kindLabel(&v.Step.Card), g.speech(v), g.turnLine(v), note)
}

func (tb *tableScene) drawFloats(g *Game, f *Frame, card Rect) {
	now := g.now()
	for _, fl := range tb.floats {
		p := float64(now.Sub(fl.start)) / float64(floatLife)
		if p >= 1 {
			continue
		}
		x := card.X + card.W*fl.x
		y := card.Y + card.H*0.8 - p*160 - g.scroll["table"]
		a := 1 - p*p
		k := fl.kind
		f.Draw(Rect{x - 22, y - 22, 44, 44}, func(dst *ebiten.Image, r Rect, s float64) {
			drawReaction(dst, k, r, fade(g.th.Focus, a), s)
		})
	}
}

// writeScene is the panel for typing: an answer ("write"), or a question
// of one's own ("own").
type writeScene string

func (s writeScene) name() string { return string(s) }

func (s writeScene) build(g *Game, f *Frame) {
	which := string(s)
	t := g.t
	x, w := g.page(640)
	c := f.Col(x, 32, w)
	title, placeholder, max := t.S("write.answer-title"), t.S("write.answer-placeholder"), rules.MaxText
	if which == "own" {
		title, placeholder, max = t.S("write.own-title"), t.S("write.own-placeholder"), rules.MaxBlank
	}
	c.Text(title, Style{Size: SizeTitle, Bold: true, Color: g.th.Ink})
	if which == "own" {
		c.Text(t.S("write.own-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
	} else {
		c.Text(t.S("write.answer-hint"), Style{Size: SizeSmall, Color: g.th.Muted})
	}
	fl := g.field("text-"+which, platform.FieldText, max)
	fl.Placeholder, fl.Label = placeholder, title
	send := func() {
		text := strings.TrimSpace(fl.Value)
		if text == "" {
			return
		}
		if which == "own" {
			g.act(rules.Action{Kind: rules.ActWriteBlank, Text: text})
		} else {
			g.act(rules.Action{Kind: rules.ActAnswer, Text: text})
		}
		g.setField("text-"+which, "")
		fl.Value = ""
		g.overlay, g.focus = "", ""
	}
	fl.Submit = send
	f.Field(c.Take(MinTouch*1.2), "text-"+which, fl, !g.p.DrawsFields())
	if g.focus == "" {
		g.focus = "text-" + which
		g.p.Focus(g.focus)
	}
	cells := c.ButtonRow([]string{t.S("write.cancel"), t.S("write.send")})
	f.Button(cells[0], "cancel", t.S("write.cancel"), Secondary, true, func() { g.overlay, g.focus = "", "" })
	f.Button(cells[1], "send", t.S("write.send"), Primary, strings.TrimSpace(fl.Value) != "", send)
	f.Announce(title)
}

// drawBanners shows the states everyone must notice: the connection lost, the
// host away, a pause.
// banner is what the banner over the screen says, if anything: the
// connection is being restored, the host is away, or the game is paused.
func (g *Game) banner() string {
	st := g.state()
	if st == nil {
		return ""
	}
	switch {
	case st.Status == session.Reconnecting && !(st.Paired && !st.HasView): // not on the way to a workshop's room
		return g.t.S("banner.reconnecting")
	case st.HasView && st.View.Phase == rules.Playing && st.View.HostAway() && st.View.Role != rules.Host:
		return g.t.S("banner.host-away")
	case st.HasView && st.View.Phase == rules.Playing && st.View.Paused:
		if by := st.View.PausedBy; by > 0 {
			return g.says(&st.View, by, "banner.paused-by")
		}
		return g.t.S("banner.paused")
	}
	return ""
}

// bannerRect is where the banner saying msg sits, at the top of the screen.
func (g *Game) bannerRect(f *Frame, msg string) Rect {
	x, w := g.page(800)
	return Rect{x, 8, w, f.TextHeight(msg, Style{Size: SizeBody, Bold: true}, w-32) + 20}
}

// bannerSpace is how far a scene's content starts below the banner, so that
// the banner covers nothing of it.
func (g *Game) bannerSpace(f *Frame) float64 {
	if msg := g.banner(); msg != "" {
		return g.bannerRect(f, msg).Bottom()
	}
	return 0
}

func (g *Game) drawBanners(f *Frame) {
	msg := g.banner()
	if msg == "" {
		return
	}
	r := g.bannerRect(f, msg)
	f.Box(r, g.th.Banner, g.th.Banner, 12, 0)
	f.Text(Rect{r.X + 16, r.Y + 10, r.W - 32, 0}, msg, Style{Size: SizeBody, Bold: true, Color: g.th.BannerInk, Center: true})
	f.announce = sentences(msg, f.announce)
}

func (g *Game) drawToasts(f *Frame) {
	now := g.now()
	y := g.h - 96*min(1.5, g.set.Text)
	x, w := g.page(640)
	var said []string
	for i := len(g.toasts) - 1; i >= 0; i-- {
		tt := g.toasts[i]
		if now.After(tt.until) {
			continue
		}
		said = append(said, tt.text)
		h := f.TextHeight(tt.text, Style{Size: SizeBody}, w-32) + 20
		y -= h + 8
		r := Rect{x, y, w, h}
		f.Box(r, g.th.Banner, g.th.Banner, 12, 0)
		f.Text(Rect{r.X + 16, r.Y + 10, r.W - 32, 0}, tt.text, Style{Size: SizeBody, Color: g.th.BannerInk, Center: true})
	}
	// A screen reader hears them too, first: a trainer's message, a refused
	// action.
	if len(said) > 0 {
		f.announce = sentences(append(said, f.announce)...)
	}
}
