package workshop_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/workshop"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// frames keeps every frame a session received, encoded again as it
// travelled, so a test can look for what must not be in them.
type frames struct {
	mu   sync.Mutex
	all  [][]byte
	dash []int // sizes of the dashboards
	seen map[protocol.NoticeKind]int
}

func (f *frames) add(m protocol.Message) {
	b, err := protocol.Encode(m)
	if err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all = append(f.all, b)
	switch m := m.(type) {
	case protocol.Dashboard:
		f.dash = append(f.dash, len(b))
	case protocol.Notice:
		if f.seen == nil {
			f.seen = map[protocol.NoticeKind]int{}
		}
		f.seen[m.Kind]++
	}
}

func (f *frames) notices(k protocol.NoticeKind) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[k]
}

// participant is one bot of the workshop.
type participant struct {
	nick   string
	typed  string
	bot    *gametest.Bot
	frames *frames
}

// TestWorkshopOfTenPairs: a trainer's workshop of twenty participants,
// paired into ten rooms (one pair by hand, the rest automatically) and
// played by bots to the end, while every dashboard the trainer gets is
// checked against the rooms' real state and searched for anything said in
// them.
func TestWorkshopOfTenPairs(t *testing.T) {
	began := time.Now()
	srv := gametest.Start(t, gametest.Options{Workshop: workshop.Config{Poll: 200 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	decks := []string{"tarina-opiskelu", "lammittely"}

	var tf frames
	trainer := srv.Session(protocol.Hello{Want: protocol.WantWorkshop, Nick: "Kouluttaja", Lang: "fi"}, gametest.SessionOptions{OnFrame: tf.add})
	defer trainer.Close()
	code := gametest.Wait(t, trainer, "the workshop", func(s *gametest.State) bool { return s.Workshop != "" && s.Trainer }).Workshop

	people := map[string]*participant{}
	var nicks []string
	for i := range 20 {
		p := &participant{nick: fmt.Sprintf("P%02d", i+1), typed: fmt.Sprintf("Salainen vastaus numero %02d", i+1), frames: &frames{}}
		cfg := gametest.Participant(uint64(i+1), decks...)
		cfg.Pace, cfg.Typed = 30*time.Millisecond, p.typed
		if i == 0 {
			cfg.Pace = 250 * time.Millisecond // room 1's worker, slow enough to be stopped three cards in
		}
		// Everyone joins with the workshop's code, as with a room's.
		p.bot = srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: code, Nick: p.nick, Lang: "fi"}, cfg, gametest.SessionOptions{OnFrame: p.frames.add})
		defer p.bot.Close()
		people[p.nick] = p
		nicks = append(nicks, p.nick)
	}
	d := waitDash(t, trainer, "twenty waiting", func(d *protocol.Dashboard) bool { return gametest.Waiting(d) == 20 })
	id := map[string]int{}
	for _, p := range d.People {
		id[p.Nick] = p.ID
	}

	// The bots play as soon as they are seated; P01, the worker of room 1,
	// only until three cards are played.
	type result struct {
		nick string
		err  error
	}
	errs := make(chan result, 20)
	held, release := context.WithCancel(ctx)
	for _, n := range nicks {
		if n == "P01" {
			go func() { people[n].bot.Run(held) }()
			continue
		}
		go func() { errs <- result{n, people[n].bot.Run(ctx)} }()
	}
	check := startChecking(t, srv, trainer, people)
	trainer.Train(protocol.Train{Kind: protocol.TrainPair, A: id["P01"], B: id["P02"]})
	waitDash(t, trainer, "room 1", func(d *protocol.Dashboard) bool { return len(d.Rooms) == 1 })
	trainer.Train(protocol.Train{Kind: protocol.TrainPairAll})
	waitDash(t, trainer, "ten rooms with everyone in them", func(d *protocol.Dashboard) bool {
		if len(d.Rooms) != 10 {
			return false
		}
		for _, p := range d.People {
			if p.Room == 0 || !p.Online {
				return false
			}
		}
		return true
	})

	// Room 1 stops and pauses: its dashboard line must come to show
	// exactly what the room holds.
	waitDash(t, trainer, "room 1 three cards in", func(d *protocol.Dashboard) bool { return d.Rooms[0].Played >= 3 })
	release()
	people["P01"].bot.Session().Act(rules.Action{Kind: rules.ActPause})
	check.settled(t, "room 1 paused", func(d *protocol.Dashboard) bool { return d.Rooms[0].Paused }, 1)

	trainer.Train(protocol.Train{Kind: protocol.TrainMessage, Text: "Muistakaa kysyä jatkokysymys!"})
	trainer.Train(protocol.Train{Kind: protocol.TrainTimeLeft, Minutes: 5})

	// The other nine rooms play to their summaries; P02 waits in room 1.
	for range 18 {
		if r := <-errs; r.err != nil || r.nick == "P02" {
			t.Fatalf("%s: %v", r.nick, r.err)
		}
	}
	check.settled(t, "nine rooms at their summaries", func(d *protocol.Dashboard) bool {
		n := 0
		for _, r := range d.Rooms {
			if r.Phase == rules.Summary {
				n++
			}
		}
		return n == 9
	})

	// The trainer ends every room: room 1 goes to its summary too.
	trainer.Train(protocol.Train{Kind: protocol.TrainEndAll})
	if r := <-errs; r.err != nil || r.nick != "P02" { // P02's bot sees the summary
		t.Fatalf("%s: %v", r.nick, r.err)
	}
	check.settled(t, "every room at its summary", gametest.AllPlayed)
	for _, n := range nicks {
		p := people[n]
		if p.frames.notices(protocol.NoticeEnding) != 1 || p.frames.notices(protocol.NoticeMessage) != 1 || p.frames.notices(protocol.NoticeTimeLeft) != 1 {
			t.Errorf("%s got notices %v, want each once", n, p.frames.seen)
		}
	}

	// Someone closes their laptop: the dashboard shows them away.
	people["P20"].bot.Close()
	check.settled(t, "P20 away", func(d *protocol.Dashboard) bool {
		for _, p := range d.People {
			if p.ID == id["P20"] {
				return !p.Online
			}
		}
		return false
	})
	check.stop()

	// Nothing said in any room reached the trainer.
	secrets := []string{"Mikä sinua ilahduttaa juuri nyt?"} // the bots' own question
	for _, p := range people {
		secrets = append(secrets, p.typed)
	}
	for _, id := range decks {
		for _, c := range srv.Lib.Deck(id).Cards {
			for _, txt := range []map[string]string{c.Text, c.Title, c.Prompt, c.Note} {
				for _, s := range txt {
					secrets = append(secrets, s)
				}
			}
			for _, ch := range c.Choices {
				for _, s := range ch.Text {
					secrets = append(secrets, s)
				}
			}
		}
	}
	tf.mu.Lock()
	all := slices.Clone(tf.all)
	sizes := slices.Clone(tf.dash)
	tf.mu.Unlock()
	searched := 0
	for _, s := range secrets {
		if utf8.RuneCountInString(s) < 8 { // "Kyllä" could be anyone's nickname
			continue
		}
		searched++
		for _, b := range all {
			if strings.Contains(string(b), s) {
				t.Fatalf("a frame to the trainer holds %q", s)
			}
		}
	}
	if searched < 50 {
		t.Fatalf("searched for only %d texts", searched)
	}

	// Closing the workshop closes its rooms and forgets everything.
	trainer.Train(protocol.Train{Kind: protocol.TrainClose})
	gametest.Wait(t, trainer, "the workshop closed", func(s *gametest.State) bool {
		return s.Status == gametest.Ended && s.Err == protocol.ErrWorkshopClosed
	})
	deadline := time.Now().Add(10 * time.Second)
	for srv.Hub.Rooms() > 0 || srv.Workshops.Workshops() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d rooms and %d workshops left", srv.Hub.Rooms(), srv.Workshops.Workshops())
		}
		time.Sleep(20 * time.Millisecond)
	}
	most, sum := 0, 0
	for _, n := range sizes {
		most, sum = max(most, n), sum+n
	}
	t.Logf("ten pairs played in %v; %d dashboards to the trainer, %d bytes on average, %d at most; %d checked against the rooms; %d texts searched in %d frames",
		time.Since(began).Round(time.Millisecond), len(sizes), sum/max(1, len(sizes)), most, check.checked, searched, len(all))
}

// waitDash waits until the trainer's dashboard satisfies ok.
func waitDash(t *testing.T, tr *gametest.Session, what string, ok func(*protocol.Dashboard) bool) *protocol.Dashboard {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if d := tr.State().Dashboard; d != nil && ok(d) {
			return d
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for a dashboard with %s: %+v", what, tr.State().Dashboard)
	return nil
}

// checker compares every dashboard the trainer gets with the rooms' real
// state, in the background.
type checker struct {
	srv     *gametest.Server
	trainer *gametest.Session
	people  map[string]*participant
	quit    chan struct{}
	done    chan struct{}
	checked int
}

func startChecking(t *testing.T, srv *gametest.Server, trainer *gametest.Session, people map[string]*participant) *checker {
	c := &checker{srv: srv, trainer: trainer, people: people, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		var last *protocol.Dashboard
		for {
			select {
			case <-c.quit:
				return
			case <-time.After(5 * time.Millisecond):
			}
			d := trainer.State().Dashboard
			if d == nil || d == last {
				continue
			}
			last = d
			c.checked++
			for _, msg := range c.compare(d, false, nil) {
				t.Errorf("dashboard: %s", msg)
			}
		}
	}()
	return c
}

func (c *checker) stop() {
	close(c.quit)
	<-c.done
}

// compare checks d against the rooms. A dashboard is a little behind the
// rooms, which only move forward: it may show less than they hold, never
// more. With exact set it must show what the rooms in only hold (all, when
// only is empty), who is connected included.
func (c *checker) compare(d *protocol.Dashboard, exact bool, only []int) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	byID := map[int]protocol.Person{}
	for _, p := range d.People {
		byID[p.ID] = p
	}
	var out []string
	for _, r := range d.Rooms {
		host, player := byID[r.Host], byID[r.Player]
		if host.Room != r.N || player.Room != r.N {
			out = append(out, fmt.Sprintf("room %d: %+v and %+v are not in it", r.N, host, player))
			continue
		}
		hs, ps := c.people[host.Nick].bot.Session().State(), c.people[player.Nick].bot.Session().State()
		if hs.Code == "" || ps.Code == "" {
			continue // not seated yet
		}
		if hs.Code != ps.Code || hs.Seat != 0 || ps.Seat != 1 {
			out = append(out, fmt.Sprintf("room %d: %s is seat %d of %s and %s seat %d of %s", r.N, host.Nick, hs.Seat, hs.Code, player.Nick, ps.Seat, ps.Code))
			continue
		}
		real, ok := c.srv.Hub.Progress(ctx, hs.Code)
		if !ok {
			continue // closed
		}
		if r.Played > real.Played || r.Passes > real.Passes || r.Phase > real.Phase {
			out = append(out, fmt.Sprintf("room %d shows %+v, ahead of the room's %+v", r.N, r, real))
		}
		if !exact || (len(only) > 0 && !slices.Contains(only, r.N)) {
			continue
		}
		if r.Played != real.Played || r.Passes != real.Passes || r.Phase != real.Phase || r.Paused != real.Paused ||
			host.Online != slices.Contains(real.Online, 0) || player.Online != slices.Contains(real.Online, 1) {
			out = append(out, fmt.Sprintf("room %d shows %+v (%v, %v online), the room holds %+v", r.N, r, host.Online, player.Online, real))
		}
	}
	return out
}

// settled waits until the dashboard satisfies cond and shows exactly what
// the rooms in only (or all rooms) hold.
func (c *checker) settled(t *testing.T, what string, cond func(*protocol.Dashboard) bool, only ...int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var diff []string
	for time.Now().Before(deadline) {
		d := c.trainer.State().Dashboard
		if d != nil && cond(d) {
			if diff = c.compare(d, true, only); len(diff) == 0 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the dashboard never settled on %s: %v\n%+v", what, diff, c.trainer.State().Dashboard)
}

// TestClassroomOfSixtyBehindOneAddress: a training day at a school whose
// every device shares one address: the trainer makes a workshop, sixty
// participants join it and are paired into thirty rooms, and every pair
// plays to its summary, none held back by the limits per address.
func TestClassroomOfSixtyBehindOneAddress(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Workshop: workshop.Config{Poll: 200 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	trainer := srv.Session(protocol.Hello{Want: protocol.WantWorkshop, Nick: "Kouluttaja", Lang: "fi"}, gametest.SessionOptions{})
	defer trainer.Close()
	code := gametest.Wait(t, trainer, "the workshop", func(s *gametest.State) bool { return s.Workshop != "" && s.Trainer }).Workshop
	const devices = 60
	errs := make(chan error, devices)
	for i := range devices {
		cfg := gametest.Participant(uint64(i+1), "lammittely")
		cfg.Pace = 5 * time.Millisecond
		b := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: code, Nick: fmt.Sprintf("O%02d", i+1), Lang: "fi"}, cfg, gametest.SessionOptions{})
		defer b.Close()
		go func() { errs <- b.Run(ctx) }()
	}
	waitDash(t, trainer, "sixty waiting", func(d *protocol.Dashboard) bool { return gametest.Waiting(d) == devices })
	trainer.Train(protocol.Train{Kind: protocol.TrainPairAll})
	for range devices {
		if err := <-errs; err != nil {
			t.Fatalf("a participant: %v", err)
		}
	}
	d := waitDash(t, trainer, "thirty rooms at their summaries", gametest.AllPlayed)
	if len(d.Rooms) != devices/2 {
		t.Fatalf("%d rooms", len(d.Rooms))
	}
}

// TestTimeLeftReachesARoomStillInItsLobby: the trainer's "5 minutes left"
// reaches a pair whose room has not started, and someone still waiting to
// be paired.
func TestTimeLeftReachesARoomStillInItsLobby(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{Workshop: workshop.Config{Poll: 100 * time.Millisecond}})
	trainer := srv.Session(protocol.Hello{Want: protocol.WantWorkshop, Nick: "Kouluttaja", Lang: "fi"}, gametest.SessionOptions{})
	defer trainer.Close()
	code := gametest.Wait(t, trainer, "the workshop", func(s *gametest.State) bool { return s.Workshop != "" && s.Trainer }).Workshop
	var fs [3]frames
	var ss [3]*gametest.Session
	for i := range ss {
		ss[i] = srv.Session(protocol.Hello{Want: protocol.WantJoin, Code: code, Nick: fmt.Sprintf("P%d", i+1), Lang: "fi"}, gametest.SessionOptions{OnFrame: fs[i].add})
		defer ss[i].Close()
	}
	d := waitDash(t, trainer, "three waiting", func(d *protocol.Dashboard) bool { return gametest.Waiting(d) == 3 })
	id := map[string]int{}
	for _, p := range d.People {
		id[p.Nick] = p.ID
	}
	trainer.Train(protocol.Train{Kind: protocol.TrainPair, A: id["P1"], B: id["P2"]})
	for i := range 2 {
		gametest.Wait(t, ss[i], "the pair's room", func(s *gametest.State) bool { return s.HasView && s.View.Phase == rules.Lobby })
	}
	trainer.Train(protocol.Train{Kind: protocol.TrainTimeLeft, Minutes: 5})
	deadline := time.Now().Add(10 * time.Second)
	for i := range fs {
		for fs[i].notices(protocol.NoticeTimeLeft) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if fs[i].notices(protocol.NoticeTimeLeft) != 1 {
			t.Errorf("P%d got %d time-left notices, want 1", i+1, fs[i].notices(protocol.NoticeTimeLeft))
		}
	}
}
