//go:build unix

package gametest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// OneClusterAtATime holds, until the test ends, a lock that every test
// starting a service of several server processes takes: `go test ./...`
// runs packages side by side, and two three-server services forming at
// once on two shared cores have taken longer than a minute to elect their
// JetStream leaders. The lock is a file in the temporary folder, so it
// holds across the test processes of one machine.
func OneClusterAtATime(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "elamanipeli-cluster.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
