//go:build !linux

// Command loadgen measures the game server under load. It reads the
// server's memory and CPU from /proc and spreads its connections over
// loopback addresses 127.0.0.2 and up, so it runs on Linux only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "loadgen: runs on Linux only")
	os.Exit(2)
}
