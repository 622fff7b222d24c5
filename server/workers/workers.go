// Package workers runs the server's short tasks on goroutines kept between
// them: a place's turn (a room applying an action and writing its update
// to its members), a quiet connection's read once its client speaks, a
// place's work off its goroutine. A goroutine started for each such task
// grew its stack afresh every time, to the depth the task needs, copying
// it at each doubling: 5 % of the server's CPU under the everyday load
// (BENCHMARKS.md, "A frame written by whoever sends it"). A kept goroutine
// has its stack grown already.
//
// The pool is panjf2000/ants's, without bound: a task never waits for a
// worker, and goroutines idle for a second end.
package workers

import (
	"fmt"
	"runtime/debug"

	"github.com/panjf2000/ants/v2"
)

var pool = newPool()

func newPool() *ants.Pool {
	p, err := ants.NewPool(-1, ants.WithPanicHandler(crash))
	if err != nil {
		panic(err) // only bad options fail
	}
	return p
}

// crash ends the process as a panic on a goroutine of its own would, with
// the panic's stack: a task's panic is a bug, and a place or a connection
// left half-way must not go on quietly.
func crash(v any) {
	panic(fmt.Sprintf("%v\n\n%s", v, debug.Stack()))
}

// Go runs f on a kept goroutine, or on a new one if none is idle.
func Go(f func()) {
	if pool.Submit(f) != nil {
		go f() // the pool refuses only once released, which it never is
	}
}
