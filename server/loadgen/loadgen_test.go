//go:build linux

package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
)

// runReport runs the load generator as a developer does, with args and a
// JSON report, within three minutes, and returns the report and what it
// printed.
func runReport(t *testing.T, args ...string) (Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr strings.Builder
	if err := run(ctx, append(args, "-json", out), &stdout, &stderr); err != nil {
		t.Fatalf("loadgen: %v\n%s\n%s", err, stderr.String(), stdout.String())
	}
	t.Logf("%s", stdout.String())
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep, stdout.String()
}

// TestSmokeRun runs the load generator's short scenario the way a developer
// does, against a server it builds and starts itself, so that the tool
// cannot rot: every room is set up, every action reaches every member, and
// the report carries the floor, the memory points and the server's CPU.
// It asserts no speed: that is for BENCHMARKS.md.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	rep, _ := runReport(t, "-scenario", "smoke")
	checkSmoke(t, rep)
}

// TestPlainServerSmokeRun: the plain server the game's server is measured
// against (./server/loadgen/plain) still speaks enough of the protocol for
// the same short run.
func TestPlainServerSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plain server")
	}
	bin := filepath.Join(t.TempDir(), "plain")
	if out, err := exec.Command("go", "build", "-o", bin, "./plain").CombinedOutput(); err != nil {
		t.Fatalf("build the plain server: %v\n%s", err, out)
	}
	rep, _ := runReport(t, "-scenario", "smoke", "-server-bin", bin)
	checkSmoke(t, rep)
}

// checkSmoke checks a smoke run's report: every room set up, every action
// delivered to every member, and the floor, the memory points and the
// server's CPU in it.
func checkSmoke(t *testing.T, rep Report) {
	t.Helper()
	if rep.Floor.N == 0 || rep.Floor.P50 <= 0 {
		t.Errorf("no floor measured: %+v", rep.Floor)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want the smoke run's", len(rep.Results))
	}
	res := rep.Results[0]
	sc := Scenarios["smoke"]
	if e := res.Errors; e.Total() != 0 {
		t.Errorf("errors: %+v", e)
	}
	if len(res.Mem) < 2 || res.Mem[len(res.Mem)-1].Conns != sc.Rooms*sc.Size {
		t.Errorf("memory points %+v, want the last at %d connections", res.Mem, sc.Rooms*sc.Size)
	}
	for _, p := range res.Mem {
		if p.GC.RSS <= 0 || p.GC.HeapInuse == 0 {
			t.Errorf("a memory point without figures: %+v", p)
		}
	}
	if len(res.Steps) != 1 {
		t.Fatalf("%d measured windows, want 1", len(res.Steps))
	}
	st := res.Steps[0]
	if st.Rooms != sc.Rooms || st.Conns != sc.Rooms*sc.Size {
		t.Errorf("measured %d rooms, %d connections; want %d, %d", st.Rooms, st.Conns, sc.Rooms, sc.Rooms*sc.Size)
	}
	// Each action is an update for every member of its room.
	if st.Actions == 0 || st.Deliveries != st.Actions*sc.Size || st.Missing != 0 {
		t.Errorf("%d actions made %d deliveries, %d missing; want %d deliveries",
			st.Actions, st.Deliveries, st.Missing, st.Actions*sc.Size)
	}
	if st.Latency.N != st.Deliveries || st.Latency.P50 <= 0 || st.Latency.Max < st.Latency.P99 {
		t.Errorf("latency %+v for %d deliveries", st.Latency, st.Deliveries)
	}
	if st.ServerCPU <= 0 {
		t.Errorf("no server CPU measured")
	}
}

// TestClusterSmokeRun runs a small cluster scenario: the same load on one
// server and then on a service of three, a third of the members on a
// server that does not own their room. Every action reaches every member
// on both, and the three servers relay frames between them.
func TestClusterSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts four servers")
	}
	gametest.OneClusterAtATime(t)
	rep, printed := runReport(t, "-scenario", "cluster", "-rooms", "9", "-size", "6", "-every", "300ms", "-warmup", "1s", "-duration", "3s")
	if len(rep.Results) != 2 || rep.Results[0].Servers != 1 || rep.Results[1].Servers != 3 {
		t.Fatalf("results %+v, want one server's and then three's", rep.Results)
	}
	for _, res := range rep.Results {
		if e := res.Errors; e.Total() != 0 {
			t.Errorf("%d servers: errors %+v", res.Servers, e)
		}
		if len(res.Steps) != 1 {
			t.Fatalf("%d servers: %d measured windows, want 1", res.Servers, len(res.Steps))
		}
		st := res.Steps[0]
		if st.Conns != 9*6 || st.Actions == 0 || st.Deliveries != st.Actions*6 || st.Missing != 0 {
			t.Errorf("%d servers: %d connections, %d actions made %d deliveries, %d missing",
				res.Servers, st.Conns, st.Actions, st.Deliveries, st.Missing)
		}
		if len(res.ServerRSS) != res.Servers || slices.Contains(res.ServerRSS, 0) {
			t.Errorf("%d servers: RSS %v, want each server's", res.Servers, res.ServerRSS)
		}
	}
	if r := rep.Results[1].Relayed; r <= 0 {
		t.Errorf("three servers relayed %v frames: no member landed on another server than its room's", r)
	}
	if !strings.Contains(printed, "against one server in this run") {
		t.Errorf("the report does not compare with one server:\n%s", printed)
	}
}
