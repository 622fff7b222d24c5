package metrics

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// Debug serves pprof's profiles under /debug/pprof/ and, under /debug/gc, a
// collection followed by the process's memory figures as JSON (see GCReport).
// It is meant for a listener on loopback that only a developer or a load
// generator reaches: never mount it on the public port.
func Debug() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("POST /debug/gc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(collect())
	})
	return mux
}

// GCReport is what /debug/gc answers, after a full collection that returned
// what it freed to the operating system.
type GCReport struct {
	RSS        int64  `json:"rss"`         // resident set, bytes (from /proc/self/status; 0 where there is none)
	HeapInuse  uint64 `json:"heap_inuse"`  // bytes in heap spans in use
	HeapAlloc  uint64 `json:"heap_alloc"`  // bytes of live objects
	StackInuse uint64 `json:"stack_inuse"` // bytes of goroutine stacks
	Sys        uint64 `json:"sys"`         // bytes the runtime got from the system
	Goroutines int    `json:"goroutines"`
	StackStart uint64 `json:"stack_start"` // bytes a new goroutine's stack starts with
}

func collect() GCReport {
	debug.FreeOSMemory() // runs a collection first
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return GCReport{
		RSS: rss(), HeapInuse: ms.HeapInuse, HeapAlloc: ms.HeapAlloc, StackInuse: ms.StackInuse,
		Sys: ms.Sys, Goroutines: runtime.NumGoroutine(), StackStart: stackStart(),
	}
}

// stackStart is the size the runtime gives new goroutines' stacks, which it
// adapts to the average stack in use.
func stackStart() uint64 {
	s := []metrics.Sample{{Name: "/gc/stack/starting-size:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// rss reads VmRSS from /proc/self/status.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
