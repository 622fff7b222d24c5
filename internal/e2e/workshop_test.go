//go:build !js

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// TestWorkshopInTheBrowser: a trainer runs a workshop from a laptop on a
// projector (1920×1080): participants join with its code, one of them from
// a phone's browser, and are paired; the dashboard follows the rooms. Then
// a demonstration room is shown on the projector, without and with
// training mode. Screenshots: the dashboard and the projector view at
// 1920×1080, and a participant's waiting screen at every size.
func TestWorkshopInTheBrowser(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A demonstration room for the projector, waiting in its lobby; every
	// page is opened first, while nothing else runs.
	host := srv.Session(protocol.Hello{Want: protocol.WantCreate, Nick: "Kouluttaja", Lang: "fi"}, session.Options{})
	defer host.Close()
	hs := gametest.Wait(t, host, "the demo room", func(s *session.State) bool { return s.Watch != "" })
	youth := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Demobotti", Lang: "fi"}, session.Options{})
	defer youth.Close()
	gametest.Wait(t, host, "the knock", func(s *session.State) bool { return s.HasView && s.Legal.Has(rules.ActAdmit) })
	host.Act(rules.Action{Kind: rules.ActAdmit, Seat: 1})
	projector := open(t, b, "projector", srv.URL+"/#watch="+hs.Watch, 1920, 1080, false)
	trainer := open(t, b, "trainer", srv.URL+"/", 1920, 1080, false)
	trainer.typeIn("nick", "Kouluttaja")
	trainer.tap("workshop")
	trainer.waitFor("the dashboard", `!!document.getElementById("act-close-workshop")`)
	code := codePattern.FindString(trainer.live())
	if code == "" {
		t.Fatalf("no workshop code in the dashboard's announcement %q", trainer.live())
	}
	trainer.shot("dashboard-empty-1920")

	phone := open(t, b, "participant", srv.URL+"/#join="+strings.ReplaceAll(code, "-", ""), 390, 844, true)

	// Twelve participants: two whose room the test plays by hand (they
	// join first, so they are participants 1 and 2), nine bots, and one
	// from a phone's browser, by the link.
	var manual []*session.Session
	for _, n := range []string{"Marjatta", "Leo"} {
		s := srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: code, Nick: n, Lang: "fi"}, session.Options{})
		t.Cleanup(s.Close)
		gametest.Wait(t, s, "the workshop", func(s *session.State) bool { return s.Workshop != "" })
		manual = append(manual, s)
	}
	decks := []string{"tarina-arki-ja-tyo", "lammittely"}
	bots := map[string]*bot.Bot{}
	for i, n := range []string{"Aino", "Veli", "Kaisa", "Jussi", "Sanni", "Tuomas", "Elina", "Oskari", "Hanna"} {
		cfg := bot.Participant(uint64(i+1), decks...)
		cfg.Pace = time.Duration(300+97*i) * time.Millisecond
		p := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: code, Nick: n, Lang: "fi"}, cfg, session.Options{})
		t.Cleanup(p.Close)
		go p.Run(ctx)
		bots[n] = p
	}
	phone.knockAtDoor("Pihla")
	phone.waitFor("the workshop", `document.getElementById("sr").textContent.includes("Kouluttaja muodostaa")`)
	phone.photograph("workshop-waiting")
	trainer.waitFor("twelve waiting", `document.getElementById("sr").textContent.includes("odottaa 12")`)
	trainer.shot("dashboard-waiting-1920")

	// Marjatta and Leo are paired by hand, everyone else automatically.
	trainer.tap("person-1")
	trainer.tap("person-2")
	trainer.shot("dashboard-picked-1920")
	trainer.tap("pair")
	trainer.waitFor("the first room", `document.getElementById("sr").textContent.includes("huoneita 1")`)
	trainer.tap("pair-all")
	trainer.waitFor("six rooms", `document.getElementById("sr").textContent.includes("huoneita 6")`)
	// The phone's participant is taken to their room by itself.
	phone.waitFor("the room", `!document.getElementById("sr").textContent.includes("Kouluttaja muodostaa") && (!!document.getElementById("act-start") || !!document.getElementById("act-leave"))`)
	phone.shot("workshop-seated")

	// Marjatta's room plays two cards and pauses; Hanna's laptop sleeps.
	worker := manual[0]
	gametest.Wait(t, worker, "Marjatta's room", func(s *session.State) bool { return s.HasView && s.Role == rules.Host && s.View.Seat(1) != nil })
	worker.Act(rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}})
	worker.Act(rules.Action{Kind: rules.ActStart})
	worker.Act(rules.Action{Kind: rules.ActNext})
	worker.Act(rules.Action{Kind: rules.ActPause})
	gametest.Wait(t, bots["Hanna"].Session(), "Hanna's room", func(s *session.State) bool { return s.HasView })
	bots["Hanna"].Close()

	// Under ELM_MEASURE, let the rooms play a while and photograph the
	// dashboard.
	if measuring() {
		time.Sleep(6 * time.Second)
		trainer.shot("dashboard-1920")
	}
	trainer.typeIn("dash-message", "Vielä kymmenen minuuttia, sitten puretaan yhdessä.")
	trainer.tap("send")
	// The phone's room has not started: its participants hear the trainer
	// all the same.
	phone.waitFor("the trainer's message", `document.getElementById("sr").textContent.includes("Kouluttaja: Vielä kymmenen minuuttia")`)
	trainer.tap("time-left")
	phone.waitFor("the time left", `document.getElementById("sr").textContent.includes("Aikaa on jäljellä 5 minuuttia")`)
	if measuring() {
		trainer.resize(768, 1024, true)
		time.Sleep(300 * time.Millisecond)
		trainer.shot("dashboard-tablet")
		trainer.resize(1920, 1080, false)
		time.Sleep(300 * time.Millisecond)
	}

	// Ending all rooms asks first, then every room goes to its summary.
	trainer.tap("end-all")
	trainer.shot("dashboard-ending-1920")
	trainer.tap("end-all-yes")
	trainer.waitFor("every room ended", `document.getElementById("sr").textContent.includes("Valmiina 6/6")`)
	trainer.shot("dashboard-ended-1920")

	// The demonstration room on the projector: a spectator's page at
	// 1920×1080, big type and no controls.
	host.Act(rules.Action{Kind: rules.ActDecks, Decks: []string{"tarina-opiskelu"}})
	host.Act(rules.Action{Kind: rules.ActStart})
	projector.waitFor("the card", `document.getElementById("sr").textContent.includes("Tarina")`)
	if acts := projector.actions(); len(acts) != 0 {
		t.Errorf("the projector has controls: %v", acts)
	}
	if measuring() {
		time.Sleep(700 * time.Millisecond) // the card's reveal
		projector.shot("projector-1920")
	}
	host.Act(rules.Action{Kind: rules.ActTraining, On: true})
	gametest.Wait(t, host, "training mode", func(s *session.State) bool { return s.View.Training })
	if measuring() {
		time.Sleep(time.Second)
		projector.shot("projector-training-1920")
	}
	t.Logf("screenshots in %s", shotDir(t))
}
