package workers

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"
)

// goroutineID is the number runtime.Stack gives the calling goroutine.
func goroutineID() string {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	id, _, _ := bytes.Cut(bytes.TrimPrefix(b, []byte("goroutine ")), []byte(" "))
	return string(id)
}

// TestTasksOneAfterAnotherShareAGoroutine: a task that comes after the last
// has finished runs on the goroutine that ran it, not a new one.
func TestTasksOneAfterAnotherShareAGoroutine(t *testing.T) {
	seen := map[string]int{}
	for range 200 {
		done := make(chan string)
		Go(func() { done <- goroutineID() })
		seen[<-done]++
		time.Sleep(100 * time.Microsecond) // the worker goes back to the pool
	}
	if len(seen) > 5 {
		t.Fatalf("200 tasks one after another ran on %d goroutines, want the same few", len(seen))
	}
}

// TestGoNeverWaits: tasks that block do not hold up the next; every one
// starts at once, however many are blocked.
func TestGoNeverWaits(t *testing.T) {
	const n = 2000
	release := make(chan struct{})
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	for range n {
		Go(func() {
			started.Done()
			<-release
			finished.Done()
		})
	}
	ok := make(chan struct{})
	go func() { started.Wait(); close(ok) }()
	select {
	case <-ok:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d blocked tasks: not all of them started", n)
	}
	close(release)
	finished.Wait()
}

// TestIdleWorkersEnd: the workers a burst started end once idle, and the
// process's goroutines come back to what they were.
func TestIdleWorkersEnd(t *testing.T) {
	time.Sleep(3 * Idle) // the workers of the tests before end
	before := runtime.NumGoroutine()
	const n = 500
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	for range n {
		Go(func() {
			started.Done()
			<-release
		})
	}
	started.Wait()
	if g := runtime.NumGoroutine(); g < n {
		t.Fatalf("%d goroutines with %d tasks blocked, want at least %d", g, n, n)
	}
	close(release)
	deadline := time.Now().Add(10 * Idle)
	for runtime.NumGoroutine() > before+10 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines %v after a burst of %d ended, want about %d again", runtime.NumGoroutine(), 10*Idle, n, before)
		}
		time.Sleep(Idle / 10)
	}
}
