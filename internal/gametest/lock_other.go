//go:build !unix

package gametest

import "testing"

// OneClusterAtATime does nothing where there is no flock: the cluster tests
// run side by side there.
func OneClusterAtATime(t testing.TB) {}
