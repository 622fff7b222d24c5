package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/dustin/go-humanize"
)

// -memory-limit: the memory the server may fill before its collector runs.
//
// By default Go collects whenever the heap has grown by as much again as
// it held after the last collection. A busy server holds much (about 12 KB
// per connection, 250 MB at 18,000) and its rooms make garbage all the
// time, so it collects every ten seconds or so, and each collection takes
// a processor for a quarter of a second: the slowest frames of a game fall
// inside those (BENCHMARKS.md, "Idle workers end sooner, and a memory
// limit"). Given a limit, the collector runs only when the heap nears it:
// on a machine or a container that is the server's own, set about half of
// its memory.

// minMemoryLimit is the least -memory-limit takes: below it the collector
// would run all the time.
const minMemoryLimit = 64 << 20

// parseMemoryLimit reads -memory-limit: a size such as 1GiB, 800MB or
// 2G, or off (or empty) for Go's default collector.
func parseMemoryLimit(s string) (int64, error) {
	if s == "" || strings.EqualFold(s, "off") {
		return 0, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("-memory-limit %q: want a size such as 1GiB or 800MB, or off", s)
	}
	if n < minMemoryLimit {
		return 0, fmt.Errorf("-memory-limit %q: want at least %s", s, humanize.IBytes(minMemoryLimit))
	}
	if n > 1<<62 {
		return 0, fmt.Errorf("-memory-limit %q: too large", s)
	}
	return int64(n), nil
}

// limitMemory lets the heap grow to limit before the collector runs, and
// returns what puts Go's collector back as it was.
func limitMemory(limit int64) (undo func()) {
	oldLimit := debug.SetMemoryLimit(limit)
	oldPercent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
