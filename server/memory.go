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
// its memory, or let auto take half of what its container or service may
// use.

// minMemoryLimit is the least -memory-limit takes: below it the collector
// would run all the time.
const minMemoryLimit = 64 << 20

// memorySetting is -memory-limit: a size, auto, or off.
type memorySetting struct {
	size int64 // bytes; 0: none given
	auto bool  // half the memory.max of the server's container or service
}

// parseMemoryLimit reads -memory-limit: a size such as 1GiB, 800MB or
// 2G; auto for half the memory its container or systemd service may use
// (its cgroup's limit), if it has a limit; off (or empty) for Go's default
// collector.
func parseMemoryLimit(s string) (memorySetting, error) {
	switch {
	case s == "" || strings.EqualFold(s, "off"):
		return memorySetting{}, nil
	case strings.EqualFold(s, "auto"):
		return memorySetting{auto: true}, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return memorySetting{}, fmt.Errorf("-memory-limit %q: want a size such as 1GiB or 800MB, auto, or off", s)
	}
	if n < minMemoryLimit {
		return memorySetting{}, fmt.Errorf("-memory-limit %q: want at least %s", s, humanize.IBytes(minMemoryLimit))
	}
	if n > 1<<62 {
		return memorySetting{}, fmt.Errorf("-memory-limit %q: too large", s)
	}
	return memorySetting{size: int64(n)}, nil
}

// limit is the memory limit to set, in bytes (0: none), given what the
// server's cgroup may use (memlimit.FromCgroup). An error says why auto
// found none.
func (m memorySetting) limit(cgroup func() (uint64, error)) (int64, error) {
	if !m.auto {
		return m.size, nil
	}
	may, err := cgroup()
	if err != nil {
		return 0, err
	}
	if may/2 < minMemoryLimit {
		return 0, fmt.Errorf("the container or service may use %s: too little to leave half to the heap", humanize.IBytes(may))
	}
	return int64(min(may/2, 1<<62)), nil
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
