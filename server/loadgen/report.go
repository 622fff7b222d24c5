//go:build linux

package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Targets are issue 6's, but for memory, which is issue 19's: the RSS a
// connection adds, measured after a collection that returned what it freed.
const (
	TargetMemPerConn  = 12_000 // bytes per idle connection
	TargetEverydayP99 = 2 * time.Millisecond
	TargetDeliveries  = 50_000 // a second, with p99 within TargetRampP99
	TargetRampP99     = 10 * time.Millisecond
	TargetStartup     = 50 * time.Millisecond
	// TargetCPUPerDelivery is issue 19's: this server's CPU per delivery
	// within this multiple of the plain Go server's, in the same rounds.
	TargetCPUPerDelivery = 1.3
)

// PlainName is how reports name the plain Go server (-against plain).
const PlainName = "the plain Go server"

// Slope fits RSS = a + b·conns by least squares and returns b, in bytes per
// connection, with the fit's r².
func Slope(points []MemPoint) (perConn, r2 float64) {
	n := float64(len(points))
	if n < 2 {
		return 0, 0
	}
	var sx, sy, sxx, sxy, syy float64
	for _, p := range points {
		x, y := float64(p.Conns), float64(p.GC.RSS)
		sx, sy, sxx, sxy, syy = sx+x, sy+y, sxx+x*x, sxy+x*y, syy+y*y
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0, 0
	}
	b := (n*sxy - sx*sy) / den
	num := n*sxy - sx*sy
	if d := den * (n*syy - sy*sy); d > 0 {
		r2 = num * num / d
	}
	return b, r2
}

// Report is everything one invocation measured.
type Report struct {
	Floor     Dist
	Startup   Startup
	Results   []*Result
	FileLimit uint64
	Sources   int
	// Against names the build this server was measured against, in
	// turns (-against); empty: none.
	Against string `json:",omitempty"`
}

// inTurns reports whether the servers were measured in rounds (-rounds,
// -against).
func (rep *Report) inTurns() bool {
	return rep.Against != "" || slices.ContainsFunc(rep.Results, func(r *Result) bool { return r.Round > 1 })
}

// name is how the report names a result's build.
func (rep *Report) name(build string) string {
	if build == "" {
		return "this server"
	}
	return build
}

func ratio(d, floor time.Duration) string {
	if floor <= 0 {
		return ""
	}
	if r := float64(d) / float64(floor); r < 10 {
		return fmt.Sprintf(" (×%.1f)", r)
	}
	return fmt.Sprintf(" (×%.0f)", float64(d)/float64(floor))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func dist(d, floor Dist) string {
	return fmt.Sprintf("p50 %s%s, p99 %s%s, max %s%s", ms(d.P50), ratio(d.P50, floor.P50), ms(d.P99), ratio(d.P99, floor.P99),
		ms(d.Max), ratio(d.Max, floor.Max))
}

// Print writes the report for people.
func (rep *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\n== Elämäni peli load test: %d cores, %s, %s, loopback; open files %d; %d source addresses\n",
		runtime.NumCPU(), runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, rep.FileLimit, rep.Sources)
	f := rep.Floor
	if f.N > 0 {
		fmt.Fprintf(w, "floor: bare WebSocket echo round trip, %d in a row: p50 %.1f µs, p99 %.1f µs, max %.1f µs\n",
			f.N, us(f.P50), us(f.P99), us(f.Max))
	}
	if st := rep.Startup; len(st.Served) > 0 {
		fmt.Fprintf(w, "start-up: a connection is taken %s and /healthz answers %s after the process starts (medians of %d; slowest %s and %s)\n",
			ms(median(st.Accepted)), ms(median(st.Served)), len(st.Served), ms(slowest(st.Accepted)), ms(slowest(st.Served)))
	}
	for _, res := range rep.Results {
		sc := res.Scenario
		title := sc.Name
		if rep.inTurns() {
			title = fmt.Sprintf("%s, round %d, %s", sc.Name, res.Round, rep.name(res.Build))
		}
		fmt.Fprintf(w, "\n-- %s: rooms of %d (host, player, %d spectators), an action per room every %v\n",
			title, sc.Size, max(sc.Size-2, 0), sc.Every)
		if res.Servers > 1 {
			fmt.Fprintf(w, "%d servers as one service; a third of the members on a server that does not own their room: %.0f frames relayed\n",
				res.Servers, res.Relayed)
		} else if sc.Name == "cluster" {
			fmt.Fprintln(w, "one server, for comparison")
		}
		if len(res.Mem) >= 2 {
			b, r2 := Slope(res.Mem)
			first, last := res.Mem[0], res.Mem[len(res.Mem)-1]
			fmt.Fprintf(w, "memory per idle connection: %.1f KB (RSS after GC at %d points, r² %.3f): %.1f MB at %d → %.1f MB at %d connections; heap %.1f MB, stacks %.1f MB, %d goroutines\n",
				b/1000, len(res.Mem), r2, mb(first.GC.RSS), first.Conns, mb(last.GC.RSS), last.Conns,
				float64(last.GC.HeapInuse)/1e6, float64(last.GC.StackInuse)/1e6, last.GC.Goroutines)
		}
		for _, st := range res.Steps {
			fmt.Fprintf(w, "%d rooms, %d connections, %.0f s: %d actions, %.0f deliveries/s, %d missing\n",
				st.Rooms, st.Conns, st.Window.Seconds(), st.Actions, st.PerSec, st.Missing)
			fmt.Fprintf(w, "  latency per delivery:    %s\n", dist(st.Latency, rep.Floor))
			fmt.Fprintf(w, "  latency to last member:  %s\n", dist(st.Last, rep.Floor))
			fmt.Fprintf(w, "  server CPU %.0f%% of a core (all servers together); load generator %.0f%% (its send lag p50 %s, p99 %s)\n",
				100*st.ServerCPU, 100*st.LoadCPU, ms(st.SendLag.P50), ms(st.SendLag.P99))
			if n := st.Slow[0] + st.Slow[1] + st.Slow[2]; n > 0 {
				fmt.Fprintf(w, "  over 10 ms: %d deliveries (hosts %d, players %d, spectators %d) in %d rooms\n",
					n, st.Slow[0], st.Slow[1], st.Slow[2], st.SlowRooms)
			}
		}
		if len(res.ServerRSS) > 0 {
			fmt.Fprintf(w, "  servers' RSS after GC, every connection open: %s\n", rssOf(res.ServerRSS))
		}
		if one := rep.single(res); one != nil && len(one.Steps) > 0 && len(res.Steps) > 0 {
			compare(w, one, res, rep.Floor)
		}
		if res.Stopped != "" {
			fmt.Fprintf(w, "ramp stopped: %s\n", res.Stopped)
		}
		if e := res.Errors; e.Total() > 0 {
			fmt.Fprintf(w, "errors: %+v\n", e)
		} else {
			fmt.Fprintln(w, "errors: none")
		}
	}
	rep.printTurns(w)
	checks := rep.Checks()
	if len(checks) > 0 {
		fmt.Fprintln(w, "\ntargets:")
		for _, c := range checks {
			mark := "ok  "
			if !c.OK {
				mark = "MISS"
			}
			fmt.Fprintf(w, "  %s %-44s %s\n", mark, c.Name, c.Got)
		}
	}
}

// compare prints a service of several servers and one server under the same
// load in the same run side by side: the first measured window of each.
func compare(w io.Writer, one, many *Result, floor Dist) {
	a, b := one.Steps[0], many.Steps[0]
	fmt.Fprintln(w, "  against one server in this run:")
	row := func(name, x, y, r string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("    %-26s %-18s %-18s %s", name, x, y, r), " "))
	}
	times := func(x, y float64) string { return fmt.Sprintf("×%.2f", y/x) }
	lat := func(name string, x, y, f time.Duration) {
		row(name, ms(x)+ratio(x, f), ms(y)+ratio(y, f), times(float64(max(x, 1)), float64(y)))
	}
	row("", "one server", fmt.Sprintf("%d servers", many.Servers), fmt.Sprintf("%d / one", many.Servers))
	lat("latency p50 (× floor)", a.Latency.P50, b.Latency.P50, floor.P50)
	lat("latency p99 (× floor)", a.Latency.P99, b.Latency.P99, floor.P99)
	lat("latency max (× floor)", a.Latency.Max, b.Latency.Max, floor.Max)
	row("deliveries/s", fmt.Sprintf("%.0f", a.PerSec), fmt.Sprintf("%.0f", b.PerSec), times(max(a.PerSec, 1), b.PerSec))
	row("missing", fmt.Sprint(a.Missing), fmt.Sprint(b.Missing), "")
	row("servers' CPU, together", fmt.Sprintf("%.0f%% of a core", 100*a.ServerCPU), fmt.Sprintf("%.0f%% of a core", 100*b.ServerCPU),
		times(max(a.ServerCPU, 0.001), b.ServerCPU))
	if x, y := sum(one.ServerRSS), sum(many.ServerRSS); x > 0 && y > 0 {
		row("servers' RSS, together", fmt.Sprintf("%.1f MB", mb(x)), fmt.Sprintf("%.1f MB", mb(y)), times(float64(x), float64(y)))
	}
	row("frames relayed", "—", fmt.Sprintf("%.0f", many.Relayed), "")
}

// rssOf is servers' memory together, and each one's when there are several.
func rssOf(rss []int64) string {
	s := fmt.Sprintf("%.1f MB", mb(sum(rss)))
	if len(rss) > 1 {
		var each []string
		for _, r := range rss {
			each = append(each, fmt.Sprintf("%.1f", mb(r)))
		}
		s += fmt.Sprintf(" together (%s MB)", strings.Join(each, ", "))
	}
	return s
}

func sum(v []int64) int64 {
	var t int64
	for _, x := range v {
		t += x
	}
	return t
}

// single is, for a result over several servers, the same scenario's result
// on one server in this run.
func (rep *Report) single(res *Result) *Result {
	if res.Servers <= 1 {
		return nil
	}
	for _, r := range rep.Results {
		if r.Servers == 1 && r.Scenario.Name == res.Scenario.Name {
			return r
		}
	}
	return nil
}

// turn is one round of a scenario: the build measured against, then this
// server.
type turn struct{ base, this *Result }

// turns are each scenario's rounds on both builds (-against), by scenario
// in the order they ran.
func (rep *Report) turns() (names []string, by map[string][]turn) {
	if rep.Against == "" {
		return nil, nil
	}
	type round struct {
		scenario string
		n        int
	}
	by = map[string][]turn{}
	bases := map[round]*Result{}
	for _, res := range rep.Results {
		key := round{res.Scenario.Name, res.Round}
		switch {
		case res.Build == rep.Against:
			bases[key] = res
		case res.Build == "" && bases[key] != nil && len(res.Steps) > 0 && len(bases[key].Steps) > 0:
			name := res.Scenario.Name
			if by[name] == nil {
				names = append(names, name)
			}
			by[name] = append(by[name], turn{bases[key], res})
		}
	}
	return names, by
}

// ratios are this server's figures over the other build's in one round:
// CPU per delivery, p99 latency, memory per idle connection (0 when either
// was not measured).
func (t turn) ratios() (cpu, p99, mem float64) {
	a, b := t.base.Steps[0], t.this.Steps[0]
	if a.PerSec > 0 && b.PerSec > 0 && a.ServerCPU > 0 {
		cpu = (b.ServerCPU / b.PerSec) / (a.ServerCPU / a.PerSec)
	}
	if a.Latency.P99 > 0 {
		p99 = float64(b.Latency.P99) / float64(a.Latency.P99)
	}
	if x, y := memPerConn(t.base), memPerConn(t.this); x > 0 && y > 0 {
		mem = y / x
	}
	return cpu, p99, mem
}

// memPerConn is a result's memory per idle connection, in bytes; 0 when
// it was not measured.
func memPerConn(res *Result) float64 {
	if len(res.Mem) < 2 {
		return 0
	}
	b, _ := Slope(res.Mem)
	return b
}

// medianRatios are the medians of the rounds' ratios.
func medianRatios(ts []turn) (cpu, p99, mem float64) {
	var cs, ps, ms []float64
	for _, t := range ts {
		c, p, m := t.ratios()
		cs, ps, ms = append(cs, c), append(ps, p), append(ms, m)
	}
	return medianOf(cs), medianOf(ps), medianOf(ms)
}

// printTurns sets this server beside the build it was measured against,
// round by round: on a shared machine one run's figures move more than
// two builds differ, and a ratio within a round does not.
func (rep *Report) printTurns(w io.Writer) {
	names, by := rep.turns()
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== this server against %s, the same load in turn (%s first in each round)\n", rep.Against, rep.Against)
	for _, name := range names {
		fmt.Fprintf(w, "-- %s\n", name)
		for _, t := range by[name] {
			a, b := t.base.Steps[0], t.this.Steps[0]
			cpu, p99, mem := t.ratios()
			line := fmt.Sprintf("  round %d: CPU %.0f%% → %.0f%% of a core, per delivery ×%.2f; p99 %s → %s (×%.2f)",
				t.this.Round, 100*a.ServerCPU, 100*b.ServerCPU, cpu, ms(a.Latency.P99), ms(b.Latency.P99), p99)
			if mem > 0 {
				line += fmt.Sprintf("; memory per idle connection %.1f → %.1f KB (×%.2f)", memPerConn(t.base)/1000, memPerConn(t.this)/1000, mem)
			}
			if a.Missing+b.Missing > 0 {
				line += fmt.Sprintf("; missing %d → %d", a.Missing, b.Missing)
			}
			fmt.Fprintln(w, line)
		}
		cpu, p99, mem := medianRatios(by[name])
		line := fmt.Sprintf("  median of %s: CPU per delivery ×%.2f, p99 ×%.2f", roundsOf(len(by[name])), cpu, p99)
		if mem > 0 {
			line += fmt.Sprintf(", memory per idle connection ×%.2f", mem)
		}
		fmt.Fprintln(w, line)
	}
}

func roundsOf(n int) string {
	if n == 1 {
		return "1 round"
	}
	return fmt.Sprintf("%d rounds", n)
}

// Check is one target and how the run did against it.
type Check struct {
	Name string
	Got  string
	OK   bool
}

// Checks compares what was measured with the targets.
func (rep *Report) Checks() []Check {
	var out []Check
	if st := rep.Startup; len(st.Served) > 0 {
		a, s := slowest(st.Accepted), slowest(st.Served)
		out = append(out, Check{"connections taken ≤ 50 ms after start", ms(a), a <= TargetStartup})
		out = append(out, Check{"/healthz answered ≤ 50 ms after start", ms(s), s <= TargetStartup})
	}
	for _, res := range rep.Results {
		if res.Build != "" {
			continue // the targets are this server's
		}
		if len(res.Mem) >= 2 && res.Scenario.Name == "everyday" {
			b, _ := Slope(res.Mem)
			out = append(out, Check{"memory per idle connection ≤ 12 KB", fmt.Sprintf("%.1f KB", b/1000), b <= TargetMemPerConn})
		}
		if res.Scenario.Name == "everyday" && len(res.Steps) > 0 {
			st := res.Steps[0]
			ok := st.Latency.P99 <= TargetEverydayP99 && st.Missing == 0
			out = append(out, Check{"everyday p99 ≤ 2 ms", ms(st.Latency.P99), ok})
		}
		if res.Scenario.StepRooms > 0 {
			best := Step{}
			for _, st := range res.Steps {
				if st.Latency.P99 <= TargetRampP99 && st.PerSec > best.PerSec {
					best = st
				}
			}
			out = append(out, Check{"≥ 50,000 deliveries/s with p99 ≤ 10 ms",
				fmt.Sprintf("%.0f/s at p99 %s (%d connections)", best.PerSec, ms(best.Latency.P99), best.Conns), best.PerSec >= TargetDeliveries})
		}
	}
	if _, by := rep.turns(); rep.Against == PlainName && len(by["everyday"]) > 0 {
		cpu, _, _ := medianRatios(by["everyday"])
		out = append(out, Check{fmt.Sprintf("CPU per delivery ≤ %.1f× the plain Go server", TargetCPUPerDelivery),
			fmt.Sprintf("×%.2f (median of %s)", cpu, roundsOf(len(by["everyday"]))), cpu <= TargetCPUPerDelivery})
	}
	return out
}

// medianOf is the middle of v (the mean of the two middle ones when v has
// an even count); 0 for none.
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Sorted(slices.Values(v))
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }
func mb(b int64) float64         { return float64(b) / 1e6 }

func median(ds []time.Duration) time.Duration {
	v := make([]int64, len(ds))
	for i, d := range ds {
		v[i] = int64(d)
	}
	return distOf(v).P50
}

func slowest(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s = max(s, d)
	}
	return s
}
