//go:build !js

package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestDemoBotPlaysToTheSummary: a trainer's demo, with the demo bot in the
// young person's seat (paced faster than in a real demo).
func TestDemoBotPlaysToTheSummary(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	host := srv.Bot(protocol.Hello{Want: protocol.WantCreate, Nick: "Kouluttaja", Lang: "fi"},
		bot.Config{Decks: []string{"tarina-arki-ja-tyo", "lammittely"}, WaitPlayers: 1, Seed: 1}, session.Options{})
	defer host.Close()
	st := gametest.Wait(t, host.Session(), "the room", func(s *session.State) bool { return s.Code != "" })

	cfg := bot.Demo(2)
	if cfg.Pace < 2*time.Second || cfg.PassOneIn == 0 {
		t.Fatalf("the demo preset is not paced for a trainer: %+v", cfg)
	}
	cfg.Pace = 5 * time.Millisecond
	demo := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: st.Code, Nick: "Demobotti", Lang: "fi"}, cfg, session.Options{})
	defer demo.Close()

	errs := make(chan error, 2)
	go func() { errs <- host.Run(ctx) }()
	go func() { errs <- demo.Run(ctx) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	v := demo.Session().State().View
	if v.Phase != rules.Summary || len(v.Summary.Steps) < 10 {
		t.Fatalf("ended in %v with %d steps", v.Phase, len(v.Summary.Steps))
	}
	chose := 0
	for _, s := range v.Summary.Steps {
		if s.Choice != "" {
			chose++
		}
	}
	if chose == 0 {
		t.Fatal("the demo bot never chose in the story")
	}
}

// TestTrainerRunsAWorkshop: a trainer bot pairs four participant bots once
// they wait, follows the dashboard until both rooms reach their summaries,
// and closes the workshop.
func TestTrainerRunsAWorkshop(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tr := bot.StartTrainer(session.Options{URL: srv.WS, Hello: protocol.Hello{Nick: "Kouluttaja", Lang: "fi"}}, bot.TrainerConfig{Pairs: 2, Close: true})
	defer tr.Close()
	code := gametest.Wait(t, tr.Session(), "the workshop", func(s *session.State) bool { return s.Workshop != "" }).Workshop
	errs := make(chan error, 5)
	go func() { errs <- tr.Run(ctx) }()
	for i := range 4 {
		cfg := bot.Participant(uint64(i), "lammittely")
		cfg.Pace = 5 * time.Millisecond
		p := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: code, Lang: "fi"}, cfg, session.Options{})
		defer p.Close()
		go func() { errs <- p.Run(ctx) }()
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The trainer is told before the workshop has closed its rooms and
	// gone: it goes a moment after.
	for deadline := time.Now().Add(5 * time.Second); srv.Workshops.Workshops() != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if st := tr.Session().State(); st.Err != protocol.ErrWorkshopClosed || srv.Workshops.Workshops() != 0 {
		t.Fatalf("the workshop did not close: %q, %d open", st.Err, srv.Workshops.Workshops())
	}
}
