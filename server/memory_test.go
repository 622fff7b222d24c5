package main

import (
	"errors"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]memorySetting{
		"": {}, "off": {}, "OFF": {}, "auto": {auto: true}, "Auto": {auto: true},
		"1GiB": {size: 1 << 30}, "1 GiB": {size: 1 << 30}, "800MB": {size: 800e6},
		"512MiB": {size: 512 << 20}, "2G": {size: 2e9},
	} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("parseMemoryLimit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"lots", "-1GiB", "1MiB", "63MiB", "1GiBs", "99999999999EiB", "automatic"} {
		if got, err := parseMemoryLimit(in); err == nil {
			t.Errorf("parseMemoryLimit(%q) = %+v, want an error", in, got)
		}
	}
}

// TestMemoryLimitAuto: auto takes half of what the cgroup may use, and
// none when it has no limit or too little.
func TestMemoryLimitAuto(t *testing.T) {
	cgroup := func(n uint64, err error) func() (uint64, error) {
		return func() (uint64, error) { return n, err }
	}
	auto := memorySetting{auto: true}
	if n, err := auto.limit(cgroup(2<<30, nil)); err != nil || n != 1<<30 {
		t.Errorf("auto in a cgroup of 2 GiB: %d, %v; want 1 GiB", n, err)
	}
	if n, err := auto.limit(cgroup(0, memlimit.ErrNoLimit)); !errors.Is(err, memlimit.ErrNoLimit) || n != 0 {
		t.Errorf("auto in a cgroup without a limit: %d, %v; want none, and why", n, err)
	}
	if n, err := auto.limit(cgroup(100<<20, nil)); err == nil || n != 0 {
		t.Errorf("auto in a cgroup of 100 MiB: %d, %v; want none, and why", n, err)
	}
	if n, err := (memorySetting{size: 3 << 30}).limit(cgroup(2<<30, nil)); err != nil || n != 3<<30 {
		t.Errorf("a size given: %d, %v; want it, whatever the cgroup", n, err)
	}
	if n, err := (memorySetting{}).limit(cgroup(2<<30, nil)); err != nil || n != 0 {
		t.Errorf("off: %d, %v; want none", n, err)
	}
}

// TestLimitMemory: the collector waits for the limit, and undo puts it
// back as it was.
func TestLimitMemory(t *testing.T) {
	oldLimit := debug.SetMemoryLimit(-1)
	oldPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(oldPercent)

	undo := limitMemory(1 << 30)
	limit := debug.SetMemoryLimit(-1)
	percent := debug.SetGCPercent(-1)
	undo()
	if limit != 1<<30 || percent != -1 {
		t.Fatalf("with -memory-limit 1GiB: limit %d, GOGC %d; want %d, off", limit, percent, 1<<30)
	}
	if l, p := debug.SetMemoryLimit(-1), debug.SetGCPercent(oldPercent); l != oldLimit || p != oldPercent {
		t.Fatalf("after undo: limit %d, GOGC %d; want %d, %d", l, p, oldLimit, oldPercent)
	}
}

func TestMemoryLimitFlag(t *testing.T) {
	noEnv := func(string) string { return "" }
	for args, want := range map[string]memorySetting{
		"":     {},
		"1GiB": {size: 1 << 30},
		"auto": {auto: true},
	} {
		flags := []string{}
		if args != "" {
			flags = []string{"-memory-limit", args}
		}
		if c, err := parseFlags(flags, noEnv, nil); err != nil || c.memory != want {
			t.Errorf("-memory-limit %q: %+v, %v; want %+v", args, c.memory, err, want)
		}
	}
	if _, err := parseFlags([]string{"-memory-limit", "1MB"}, noEnv, nil); err == nil {
		t.Error("-memory-limit 1MB: no error")
	}
}
