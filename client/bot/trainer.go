package bot

import (
	"context"
	"time"

	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// In a workshop a participant is an ordinary bot: Start it with a Hello
// that joins the workshop's code, and Run waits while it is not paired and
// then plays whichever seat it is given (Participant is a preset). A Trainer
// runs the workshop itself.

// Participant is how a bot practises in a workshop: it plays the worker's
// seat with decks, or the young person's, and sometimes passes.
func Participant(seed uint64, decks ...string) Config {
	return Config{Decks: decks, WaitPlayers: 1, Pace: 300 * time.Millisecond, PassOneIn: 5, Seed: seed}
}

// TrainerConfig says how a Trainer runs its workshop.
type TrainerConfig struct {
	Pairs int  // pair everyone once this many pairs are waiting
	Close bool // close the workshop once every room has reached its summary
}

// Trainer runs a workshop with no one at the screen, for tests and load:
// it waits for its participants, pairs them automatically and follows the
// dashboard until every room has played to its summary.
type Trainer struct {
	cfg     TrainerConfig
	s       *session.Session
	changed chan struct{}
}

// StartTrainer creates a workshop with opts (its Hello wants WantWorkshop
// unless it resumes one) and returns its trainer; Run runs it.
func StartTrainer(opts session.Options, cfg TrainerConfig) *Trainer {
	t := &Trainer{cfg: cfg, changed: make(chan struct{}, 1)}
	if opts.Hello.Want == 0 {
		opts.Hello.Want = protocol.WantWorkshop
	}
	prev := opts.OnChange
	opts.OnChange = func() {
		if prev != nil {
			prev()
		}
		select {
		case t.changed <- struct{}{}:
		default:
		}
	}
	t.s = session.Start(opts)
	return t
}

// Session returns the trainer's session.
func (t *Trainer) Session() *session.Session { return t.s }

// Close ends the trainer's session; the workshop waits for it for the
// server's window.
func (t *Trainer) Close() { t.s.Close() }

// Run pairs the participants and waits until every room is at its summary
// (or over), then closes the workshop if the config says so. It returns nil
// when that is done, or why not.
func (t *Trainer) Run(ctx context.Context) error {
	paired, closing := false, false
	for {
		st := t.s.State()
		if st.Status == session.Ended {
			if closing {
				return nil
			}
			return &EndedError{Code: st.Err}
		}
		if d := st.Dashboard; d != nil && st.Status == session.Online && st.Pending == 0 {
			switch {
			case !paired && Waiting(d) >= 2*t.cfg.Pairs:
				t.s.Train(protocol.Train{Kind: protocol.TrainPairAll})
				paired = true
			case paired && len(d.Rooms) > 0 && AllPlayed(d):
				if !t.cfg.Close {
					return nil
				}
				if !closing {
					t.s.Train(protocol.Train{Kind: protocol.TrainClose})
					closing = true
				}
			}
		}
		select {
		case <-t.changed:
		case <-t.s.Done():
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Waiting counts the participants who are connected and not yet paired.
func Waiting(d *protocol.Dashboard) int {
	n := 0
	for _, p := range d.People {
		if p.Room == 0 && p.Online {
			n++
		}
	}
	return n
}

// AllPlayed reports whether every room of the dashboard has reached its
// summary or is over.
func AllPlayed(d *protocol.Dashboard) bool {
	for _, r := range d.Rooms {
		if r.Phase < rules.Summary {
			return false
		}
	}
	return true
}
