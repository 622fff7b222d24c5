package metrics_test

import (
	"bufio"
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/metrics"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// scrape reads the handler's text exposition into name → value, for the
// samples without labels and the histograms' _count and _sum.
func scrape(t *testing.T, srv *gametest.Server) map[string]float64 {
	t.Helper()
	return scrapeNode(t, srv, nil)
}

// scrapeNode is scrape with the node's counts.
func scrapeNode(t *testing.T, srv *gametest.Server, node func() metrics.Node) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(srv.Hub, node).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		got[name] = v
	}
	return got
}

// TestMetricsFollowTheRooms: a room, its connection, the frames it reads and
// writes and the actions it times show up in /metrics, and the room and its
// connection are gone from it once the host ends the game.
func TestMetricsFollowTheRooms(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	before := scrape(t, srv)
	for _, name := range []string{"elamanipeli_rooms", "elamanipeli_connections", "elamanipeli_frames_in_total",
		"elamanipeli_frames_out_total", "elamanipeli_actions_total", "elamanipeli_slow_clients_dropped_total",
		"elamanipeli_action_seconds_count", "elamanipeli_store_save_seconds_count", "go_goroutines"} {
		if _, ok := before[name]; !ok {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if before["elamanipeli_rooms"] != 0 || before["elamanipeli_connections"] != 0 {
		t.Fatalf("an empty server shows %v rooms, %v connections", before["elamanipeli_rooms"], before["elamanipeli_connections"])
	}

	h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	if _, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}); code != "" {
		t.Fatalf("create: %s", code)
	}
	const acts = 3
	for i := uint64(1); i <= acts; i++ {
		if ack := h.Act(ctx, i, rules.Action{Kind: rules.ActLock, On: i%2 == 1}); ack.Code != "" {
			t.Fatalf("lock: %s", ack.Code)
		}
	}
	// The room times an action once it has handled it, after its answer
	// is on its way: the last one may be timed a moment after its ack.
	during := scrape(t, srv)
	for deadline := time.Now().Add(5 * time.Second); during["elamanipeli_action_seconds_count"] < acts && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		during = scrape(t, srv)
	}
	if during["elamanipeli_rooms"] != 1 || during["elamanipeli_connections"] != 1 {
		t.Errorf("with one room and its host: %v rooms, %v connections", during["elamanipeli_rooms"], during["elamanipeli_connections"])
	}
	if n := during["elamanipeli_actions_total"]; n < acts {
		t.Errorf("%v actions counted, want at least %d", n, acts)
	}
	if n := during["elamanipeli_action_seconds_count"]; n < acts {
		t.Errorf("%v actions timed, want at least %d", n, acts)
	}
	// A hello and the actions in; a welcome, a snapshot and an update and an
	// ack per action out.
	if n := during["elamanipeli_frames_in_total"]; n < 1+acts {
		t.Errorf("%v frames in, want at least %d", n, 1+acts)
	}
	if n := during["elamanipeli_frames_out_total"]; n < 2+2*acts {
		t.Errorf("%v frames out, want at least %d", n, 2+2*acts)
	}

	if ack := h.Act(ctx, acts+1, rules.Action{Kind: rules.ActEnd}); ack.Code != "" {
		t.Fatalf("end: %s", ack.Code)
	}
	h.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		after := scrape(t, srv)
		if after["elamanipeli_connections"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the host's connection still counted after it closed: %v", after["elamanipeli_connections"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetricsCountTheNode: a server that keeps its rooms counts its log's
// writes and how long they waited, its lease's renewals, and the rooms it
// took over when it started again.
func TestMetricsCountTheNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	k := gametest.Keep(t, dir)
	srv := gametest.Start(t, gametest.Options{Store: k.Rooms})
	node := func(k *gametest.Keeper) func() metrics.Node {
		return func() metrics.Node { return metrics.Node{Node: k.Node.Stats(), Store: k.Store.Stats()} }
	}
	// until scrapes srv until cond holds.
	until := func(srv *gametest.Server, k *gametest.Keeper, what string, cond func(map[string]float64) bool) map[string]float64 {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			m := scrapeNode(t, srv, node(k))
			if cond(m) {
				return m
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v", what, m)
			}
		}
	}
	before := until(srv, k, "a new server's metrics", func(m map[string]float64) bool { return m["elamanipeli_lease_renewals_total"] >= 0 })
	for _, name := range []string{"elamanipeli_log_lag_seconds_count", "elamanipeli_log_unwritten_entries", "elamanipeli_rooms_let_go_total",
		"elamanipeli_rooms_taken_over_total", "elamanipeli_lease_renewals_total", "elamanipeli_lease_losses_total"} {
		if _, ok := before[name]; !ok {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if _, ok := before["elamanipeli_relays"]; ok {
		t.Error("a server alone counts relays")
	}

	h := gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
	if _, code := h.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}); code != "" {
		t.Fatalf("create: %s", code)
	}
	for i := uint64(1); i <= 3; i++ {
		if ack := h.Act(ctx, i, rules.Action{Kind: rules.ActLock, On: i%2 == 1}); ack.Code != "" {
			t.Fatalf("lock: %s", ack.Code)
		}
	}
	// The actions are written within moments, and the lease renewed.
	m := until(srv, k, "the log written", func(m map[string]float64) bool {
		return m["elamanipeli_log_lag_seconds_count"] > before["elamanipeli_log_lag_seconds_count"] &&
			m["elamanipeli_log_unwritten_entries"] == 0 && m["elamanipeli_lease_renewals_total"] > before["elamanipeli_lease_renewals_total"]
	})
	if lag := m["elamanipeli_log_lag_seconds_sum"] / m["elamanipeli_log_lag_seconds_count"]; lag <= 0 || lag > 5 {
		t.Errorf("a log write waited %.3f s on average", lag)
	}
	if m["elamanipeli_rooms_taken_over_total"] != 0 || m["elamanipeli_lease_losses_total"] != 0 || m["elamanipeli_rooms_let_go_total"] != 0 {
		t.Errorf("a first run took over, lost or let go of something: %v", m)
	}

	// Started again (a crash: the room is not handed over), the server
	// takes the room over from its earlier run.
	h.Close()
	k.Close()
	srv.Stop()
	k = gametest.Keep(t, dir)
	srv = gametest.Start(t, gametest.Options{Store: k.Rooms})
	until(srv, k, "the room taken over", func(m map[string]float64) bool {
		return m["elamanipeli_rooms_taken_over_total"] == 1 && m["elamanipeli_rooms"] == 1
	})
}
