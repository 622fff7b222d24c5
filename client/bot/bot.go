// Package bot plays a seat with no one at the screen: tests use it to play
// whole games, the load generator to fill rooms, and a trainer's demo mode to
// fill the player's seat. It sees only what its seat's view shows and acts
// through a session, like any client.
package bot

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/rules"
)

// Config says how a bot plays.
type Config struct {
	Decks       []string      // host: the decks to play
	Exclude     []string      // host: content tags to leave out
	WaitPlayers int           // host: start once this many players are at the table
	Close       bool          // host: close the room at the summary
	Pace        time.Duration // a pause before every move, so people can follow
	PassOneIn   int           // pass about one card in this many (0: never)
	MarkOneIn   int           // bookmark about one card in this many (0: never)
	Typed       string        // a typed answer; empty answers aloud
	Seed        uint64
}

// Bot plays one seat.
type Bot struct {
	cfg     Config
	s       *session.Session
	changed chan struct{}
	rng     *rand.Rand
}

// Start connects a bot's session with opts and returns the bot; Run plays.
func Start(opts session.Options, cfg Config) *Bot {
	b := &Bot{cfg: cfg, changed: make(chan struct{}, 1), rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed))}
	prev := opts.OnChange
	opts.OnChange = func() {
		if prev != nil {
			prev()
		}
		select {
		case b.changed <- struct{}{}:
		default:
		}
	}
	b.s = session.Start(opts)
	return b
}

// Session returns the bot's session.
func (b *Bot) Session() *session.Session { return b.s }

// Run plays until the game reaches its summary (or the room closes), ctx
// ends, or the session ends. It returns nil when the game was played out.
func (b *Bot) Run(ctx context.Context) error {
	var lastMove time.Time
	for {
		st := b.s.State()
		if st.Status == session.Ended {
			if st.HasView && st.View.Phase >= rules.Summary {
				return nil
			}
			return &EndedError{Code: st.Err}
		}
		// Played out: the game is over and the server has kept every
		// action this seat sent (an unanswered one is sent again wherever
		// the room comes back).
		if st.HasView && st.View.Phase >= rules.Summary && st.Pending == 0 && (!b.cfg.Close || st.Role != rules.Host || st.View.Phase == rules.Closed) {
			return nil
		}
		if st.Status == session.Online && st.HasView && st.Pending == 0 {
			if a, ok := b.decide(st); ok {
				if wait := b.cfg.Pace - time.Since(lastMove); wait > 0 {
					if err := sleep(ctx, wait+time.Duration(b.rng.Int64N(int64(b.cfg.Pace)/2+1))); err != nil {
						return err
					}
					continue // the table may have moved on meanwhile
				}
				b.s.Act(a)
				lastMove = time.Now()
			}
		}
		select {
		case <-b.changed:
		case <-b.s.Done():
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close ends the bot's session.
func (b *Bot) Close() { b.s.Close() }

// EndedError says the session ended before the game did.
type EndedError struct{ Code rules.Code }

func (e *EndedError) Error() string { return "bot: session ended early: " + string(e.Code) }

// decide picks the seat's next move, if it has one.
func (b *Bot) decide(st *session.State) (rules.Action, bool) {
	v := &st.View
	legal := st.Legal
	if v.Role == rules.Host {
		if a, ok := b.host(v, legal); ok {
			return a, true
		}
	}
	if v.Phase != rules.Playing || v.Step == nil {
		return rules.Action{}, false
	}
	return b.answer(v, legal)
}

func (b *Bot) host(v *rules.View, legal rules.Legal) (rules.Action, bool) {
	switch v.Phase {
	case rules.Lobby:
		for _, s := range v.Seats {
			if s.Status == rules.Knocking && legal.Has(rules.ActAdmit) {
				return rules.Action{Kind: rules.ActAdmit, Seat: s.ID}, true
			}
		}
		if !slices.Equal(v.Chosen, b.cfg.Decks) || !slices.Equal(v.Excluded, b.cfg.Exclude) {
			return rules.Action{Kind: rules.ActDecks, Decks: b.cfg.Decks, Tags: b.cfg.Exclude}, true
		}
		players := 0 // at the table and connected: a seat whose client went away does not play
		for _, s := range v.Seats {
			if s.Role == rules.Player && s.Status == rules.In && s.Online {
				players++
			}
		}
		if players >= b.cfg.WaitPlayers && legal.Has(rules.ActStart) {
			return rules.Action{Kind: rules.ActStart}, true
		}
	case rules.Playing:
		if v.Paused && legal.Has(rules.ActResume) {
			return rules.Action{Kind: rules.ActResume}, true
		}
		if a, ok := b.answer(v, legal); ok {
			return a, true
		}
		if v.Step != nil && everyoneDone(v) && legal.Has(rules.ActNext) {
			return rules.Action{Kind: rules.ActNext}, true
		}
	case rules.Summary:
		if b.cfg.Close && legal.Has(rules.ActClose) {
			return rules.Action{Kind: rules.ActClose}, true
		}
	}
	return rules.Action{}, false
}

// answer plays the card on the table when it is the bot's to answer.
func (b *Bot) answer(v *rules.View, legal rules.Legal) (rules.Action, bool) {
	st := v.Step
	if st == nil || !slices.Contains(v.Answerers(), v.Me) || done(st, v.Me) {
		return rules.Action{}, false
	}
	if b.cfg.MarkOneIn > 0 && !st.Bookmarked && b.rng.IntN(b.cfg.MarkOneIn) == 0 && legal.Has(rules.ActBookmark) {
		return rules.Action{Kind: rules.ActBookmark, On: true}, true
	}
	if b.cfg.PassOneIn > 0 && b.rng.IntN(b.cfg.PassOneIn) == 0 && legal.Has(rules.ActPass) {
		return rules.Action{Kind: rules.ActPass}, true
	}
	c := st.Card
	switch {
	case c.Open && legal.Has(rules.ActWriteBlank):
		return rules.Action{Kind: rules.ActWriteBlank, Text: "Mikä sinua ilahduttaa juuri nyt?"}, true
	case c.IsScene() && legal.Has(rules.ActChoose):
		return rules.Action{Kind: rules.ActChoose, Choice: b.rng.IntN(len(c.Choices))}, true
	case c.Kind.Rated() && legal.Has(rules.ActRate):
		return rules.Action{Kind: rules.ActRate, Value: c.Min + b.rng.IntN(c.Max-c.Min+1)}, true
	case legal.Has(rules.ActAnswer):
		return rules.Action{Kind: rules.ActAnswer, Text: b.cfg.Typed}, true
	case legal.Has(rules.ActPass):
		return rules.Action{Kind: rules.ActPass}, true
	}
	return rules.Action{}, false
}

// done reports whether seat has played the step: answered, passed, or, on
// a story scene, made the choice.
func done(st *rules.StepView, seat rules.SeatID) bool {
	if st.Card.IsScene() && st.Choice >= 0 {
		return true
	}
	return slices.ContainsFunc(st.Answers, func(a rules.Answer) bool { return a.Seat == seat })
}

// everyoneDone reports whether every seat expected to answer has, or is away.
func everyoneDone(v *rules.View) bool {
	for _, id := range v.Answerers() {
		s := v.Seat(id)
		if s != nil && s.Online && !done(v.Step, id) {
			return false
		}
	}
	return true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Demo is how the bot plays a young person's seat in a trainer's demo: it
// answers, chooses and sometimes passes or bookmarks, slowly enough for the
// trainer to talk over it.
func Demo(seed uint64) Config {
	return Config{Pace: 4 * time.Second, PassOneIn: 6, MarkOneIn: 7, Seed: seed}
}
