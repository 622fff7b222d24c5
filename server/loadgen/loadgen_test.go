//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want the smoke run's", len(rep.Results))
	}
	checkSmoke(t, rep.Floor, rep.Results[0])
}

// TestAgainstPlainSmokeRun: the plain server the game's server is measured
// against (./server/loadgen/plain) still speaks enough of the protocol for
// the same short run, and -against plain takes turns with it and sets the
// two side by side. One round: each run is load on both cores, beside the
// other packages' tests (TestTurnsAgainstPlain pairs several rounds).
func TestAgainstPlainSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plain server and the game's")
	}
	rep, printed := runReport(t, "-scenario", "smoke", "-against", "plain", "-duration", "2s")
	if rep.Against != PlainName {
		t.Errorf("measured against %q, want %q", rep.Against, PlainName)
	}
	var got []string
	for _, res := range rep.Results {
		got = append(got, fmt.Sprintf("%d %s", res.Round, rep.name(res.Build)))
		checkSmoke(t, rep.Floor, res)
	}
	want := []string{"1 " + PlainName, "1 this server"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %q, want %q", got, want)
	}
	for _, s := range []string{"this server against the plain Go server", "  round 1: CPU ", "median of 1 round: CPU per delivery ×"} {
		if !strings.Contains(printed, s) {
			t.Errorf("the report does not say %q:\n%s", s, printed)
		}
	}
}

// checkSmoke checks a smoke run's result: every room set up, every action
// delivered to every member, and the floor, the memory points and the
// server's CPU in it.
func checkSmoke(t *testing.T, floor Dist, res *Result) {
	t.Helper()
	if floor.N == 0 || floor.P50 <= 0 {
		t.Errorf("no floor measured: %+v", floor)
	}
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

// TestTurnsAgainstPlain: the figures of rounds taken in turn are set side
// by side within each round, their ratios' median is what the CPU target
// is checked against, and the plain server's own figures are not held to
// this server's targets.
func TestTurnsAgainstPlain(t *testing.T) {
	everyday := Scenarios["everyday"]
	mem := func(perConn int64) []MemPoint {
		return []MemPoint{{Conns: 0, GC: GCReport{RSS: 50e6}}, {Conns: 1000, GC: GCReport{RSS: 50e6 + 1000*perConn}}}
	}
	result := func(build string, round int, cpu float64, p99 time.Duration, perConn int64) *Result {
		return &Result{Scenario: everyday, Build: build, Round: round, Mem: mem(perConn),
			Steps: []Step{{PerSec: 3600, ServerCPU: cpu, Latency: Dist{P99: p99}}}}
	}
	rep := &Report{Against: PlainName, Results: []*Result{
		result(PlainName, 1, 0.40, 2*time.Millisecond, 24_000), result("", 1, 0.64, 3*time.Millisecond, 12_000),
		result(PlainName, 2, 0.40, 2*time.Millisecond, 24_000), result("", 2, 0.72, 2*time.Millisecond, 12_000),
		result(PlainName, 3, 0.50, 4*time.Millisecond, 24_000), result("", 3, 0.60, 2*time.Millisecond, 12_000),
	}}
	names, by := rep.turns()
	if !slices.Equal(names, []string{"everyday"}) || len(by["everyday"]) != 3 {
		t.Fatalf("turns %v %v, want everyday's three rounds", names, by)
	}
	cpu, p99, m := medianRatios(by["everyday"])
	near := func(x, want float64) bool { return x > want-1e-9 && x < want+1e-9 }
	if !near(cpu, 1.6) || !near(p99, 1.0) || !near(m, 0.5) {
		t.Errorf("median ratios CPU ×%v, p99 ×%v, memory ×%v; want ×1.6 (of 1.6, 1.8, 1.2), ×1.0 (of 1.5, 1, 0.5), ×0.5", cpu, p99, m)
	}
	var cpuChecks, memChecks []Check
	for _, c := range rep.Checks() {
		switch {
		case strings.HasPrefix(c.Name, "CPU per delivery"):
			cpuChecks = append(cpuChecks, c)
		case strings.HasPrefix(c.Name, "memory per idle connection"):
			memChecks = append(memChecks, c)
		}
	}
	if len(cpuChecks) != 1 || cpuChecks[0].OK || cpuChecks[0].Got != "×1.60 (median of 3 rounds)" {
		t.Errorf("CPU checks %+v, want one missed at ×1.60", cpuChecks)
	}
	if len(memChecks) != 3 {
		t.Errorf("memory checks %+v, want this server's three rounds only", memChecks)
	}
	var out strings.Builder
	rep.printTurns(&out)
	for _, s := range []string{"round 1: CPU 40% → 64% of a core, per delivery ×1.60; p99 2.00 ms → 3.00 ms (×1.50); memory per idle connection 24.0 → 12.0 KB (×0.50)",
		"median of 3 rounds: CPU per delivery ×1.60, p99 ×1.00, memory per idle connection ×0.50"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the side by side does not say %q:\n%s", s, out.String())
		}
	}

	// Within the target, it is met; a round with no plain run beside it
	// is left out.
	rep.Results = append(rep.Results[:2], result("", 2, 0.9, time.Millisecond, 12_000))
	rep.Results[1].Steps[0].ServerCPU = 0.50
	if _, by := rep.turns(); len(by["everyday"]) != 1 {
		t.Errorf("%d turns, want the one round with both", len(by["everyday"]))
	}
	for _, c := range rep.Checks() {
		if strings.HasPrefix(c.Name, "CPU per delivery") && (!c.OK || c.Got != "×1.25 (median of 1 round)") {
			t.Errorf("CPU check %+v, want met at ×1.25", c)
		}
	}
}
