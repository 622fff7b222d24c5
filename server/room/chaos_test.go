package room_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// actLog is the server's record of every action it evaluated, by room code
// and seat, across restarts.
type actLog struct {
	mu sync.Mutex
	by map[string][]uint64
}

func (l *actLog) add(code string, seat rules.SeatID, id uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[string][]uint64{}
	}
	k := fmt.Sprintf("%s/%d", code, seat)
	l.by[k] = append(l.by[k], id)
}

func (l *actLog) get(code string, seat rules.SeatID) []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.by[fmt.Sprintf("%s/%d", code, seat)])
}

// player is one bot and the ids its session gave its actions.
type player struct {
	name    string
	b       *gametest.Bot
	sent    gametest.Sent
	restart atomic.Bool // told that the server restarts
}

func (p *player) onFrame(m protocol.Message) {
	if n, ok := m.(protocol.Notice); ok && n.Kind == protocol.NoticeRestarting {
		p.restart.Store(true)
	}
}

func viewHash(t testing.TB, v rules.View) [32]byte {
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestChaos plays many rooms with bots through a proxy that keeps cutting
// their connections, and restarts the server in the middle: every game
// reaches its summary, every client ends with exactly the server's view of
// its seat, and every action a client sent was evaluated once, in order.
func TestChaos(t *testing.T) {
	const games = 20
	began := time.Now()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	acts := &actLog{}
	start := func() (*gametest.Keeper, *gametest.Server) {
		st := gametest.Keep(t, dir)
		srv := gametest.Start(t, gametest.Options{
			Room: room.Config{Tick: 100 * time.Millisecond}, Store: st.Rooms, Acted: acts.add, Log: &log,
		})
		return st, srv
	}
	st, srv := start()

	var chaos atomic.Bool
	var rngMu sync.Mutex
	rng := rand.New(rand.NewPCG(9, 2))
	proxy := gametest.NewProxy(t, srv.HTTP.Listener.Addr().String(), func() time.Duration {
		if !chaos.Load() {
			return 0
		}
		rngMu.Lock()
		defer rngMu.Unlock()
		return 30*time.Millisecond + time.Duration(rng.Int64N(int64(1200*time.Millisecond)))
	})
	url := "ws://" + proxy.Addr() + "/ws"

	type game struct {
		code  string
		seats [3]*player // host, player, spectator
	}
	var all []*game
	var everyone []*player
	newPlayer := func(name string, hello protocol.Hello, cfg gametest.BotConfig) *player {
		p := &player{name: name}
		cfg.Pace = 25 * time.Millisecond
		p.b = gametest.StartBot(gametest.SessionOptions{URL: url, Hello: hello, OnSend: p.sent.Record, OnFrame: p.onFrame}, cfg)
		t.Cleanup(p.b.Close)
		everyone = append(everyone, p)
		return p
	}
	for i := range games {
		g := &game{}
		seed := uint64(100 * i)
		g.seats[0] = newPlayer(fmt.Sprintf("host %d", i),
			protocol.Hello{Want: protocol.WantCreate, Nick: fmt.Sprintf("Ohjaaja%d", i), Lang: "fi"},
			gametest.BotConfig{Decks: []string{"lammittely", "tarina-opiskelu"}, WaitPlayers: 1, MarkOneIn: 4, Seed: seed})
		hs := gametest.Wait(t, g.seats[0].b.Session(), "a room", func(s *gametest.State) bool { return s.Watch != "" })
		g.code = hs.Code
		g.seats[1] = newPlayer(fmt.Sprintf("player %d", i),
			protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: fmt.Sprintf("Nuori%d", i), Lang: "en"},
			gametest.BotConfig{PassOneIn: 5, MarkOneIn: 5, Typed: "en tiedä", Seed: seed + 1})
		g.seats[2] = newPlayer(fmt.Sprintf("spectator %d", i),
			protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Lang: "sv"}, gametest.BotConfig{Seed: seed + 2})
		all = append(all, g)
	}
	errs := make([]error, len(everyone))
	var wg sync.WaitGroup
	for i, p := range everyone {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.b.Run(ctx)
		}()
	}
	for _, p := range everyone {
		gametest.Wait(t, p.b.Session(), p.name+" seated", func(s *gametest.State) bool { return s.HasView })
	}

	// Everyone has a seat: from now on the network is bad.
	chaos.Store(true)
	proxy.CutAll()

	// Restart once the games are well under way.
	for played := 0; played < games/2; {
		select {
		case <-ctx.Done():
			t.Fatal("the games did not get going")
		case <-time.After(20 * time.Millisecond):
		}
		played = 0
		for _, g := range all {
			if v := g.seats[0].b.Session().State().View; v.Played >= 4 {
				played++
			}
		}
	}
	restartAt := time.Now()
	srv.Stop()
	st.Close()
	st, srv = start()
	proxy.SetTarget(srv.HTTP.Listener.Addr().String())
	t.Logf("restarted after %v in %v", restartAt.Sub(began).Round(time.Millisecond), time.Since(restartAt).Round(time.Millisecond))

	wg.Wait()
	for i, err := range errs {
		if err != nil {
			st := everyone[i].b.Session().State()
			t.Fatalf("%s: %v (status %v, err %q, phase %v)", everyone[i].name, err, st.Status, st.Err, st.View.Phase)
		}
	}
	playedAt := time.Now()

	// The network heals; every client catches up.
	chaos.Store(false)
	proxy.CutAll()
	var mismatch string
	deadline := time.Now().Add(15 * time.Second)
	for {
		mismatch = ""
		for _, g := range all {
			views, ok := srv.Hub.Views(ctx, g.code)
			if !ok {
				t.Fatalf("room of %s is gone", g.seats[0].name)
			}
			for _, p := range g.seats {
				cs := p.b.Session().State()
				if cs.Status != gametest.Online || cs.Pending > 0 {
					mismatch = fmt.Sprintf("%s: status %v (%q), %d pending", p.name, cs.Status, cs.Err, cs.Pending)
				} else if viewHash(t, cs.View) != viewHash(t, views[cs.Seat]) {
					mismatch = fmt.Sprintf("%s: view %+v, server's %+v", p.name, cs.View, views[cs.Seat])
				}
			}
		}
		if mismatch == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if mismatch != "" {
		t.Fatalf("a client's view differs from the server's: %s", mismatch)
	}

	actions := 0
	for _, g := range all {
		for _, p := range g.seats {
			v := p.b.Session().State().View
			if v.Phase != rules.Summary || v.Summary == nil {
				t.Fatalf("%s ended in %v", p.name, v.Phase)
			}
			sent, evaluated := p.sent.IDs(), acts.get(g.code, p.b.Session().State().Seat)
			if !slices.Equal(sent, evaluated) {
				t.Fatalf("%s sent actions %v; the server evaluated %v", p.name, sent, evaluated)
			}
			actions += len(sent)
		}
	}
	if proxy.Cuts() < games {
		t.Fatalf("only %d connections were cut", proxy.Cuts())
	}
	told := 0
	for _, p := range everyone {
		if p.restart.Load() {
			told++
		}
	}
	if told == 0 {
		t.Fatal("no client was told that the server restarts")
	}
	t.Logf("%d games, %d actions, %d connections cut, %d clients told of the restart; played in %v, caught up in %v, %v in all",
		games, actions, proxy.Cuts(), told, playedAt.Sub(began).Round(time.Millisecond),
		time.Since(playedAt).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
