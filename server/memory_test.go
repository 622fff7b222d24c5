package main

import (
	"runtime/debug"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "off": 0, "OFF": 0,
		"1GiB": 1 << 30, "1 GiB": 1 << 30, "800MB": 800e6, "512MiB": 512 << 20, "2G": 2e9,
	} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"lots", "-1GiB", "1MiB", "63MiB", "1GiBs", "99999999999EiB"} {
		if got, err := parseMemoryLimit(in); err == nil {
			t.Errorf("parseMemoryLimit(%q) = %d, want an error", in, got)
		}
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
	c, err := parseFlags([]string{"-memory-limit", "1GiB"}, func(string) string { return "" }, nil)
	if err != nil || c.memoryLimit != 1<<30 {
		t.Fatalf("-memory-limit 1GiB: %d, %v", c.memoryLimit, err)
	}
	if _, err := parseFlags([]string{"-memory-limit", "1MB"}, func(string) string { return "" }, nil); err == nil {
		t.Fatal("-memory-limit 1MB: no error")
	}
}
