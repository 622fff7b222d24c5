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
// worker. A burst (a stall of the process, then the events that came
// meanwhile all at once) starts hundreds of workers; those left idle end
// after Idle, so that quiet connections do not keep their grown stacks
// (with a second, 5 MB at 18,000 connections, a quarter of a kilobyte of
// each one's memory; BENCHMARKS.md, "Idle workers end sooner").
package workers

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/panjf2000/ants/v2"
)

// Idle is how long a worker waits for a next task before it ends. Under
// play a few workers run task after task and never wait that long.
const Idle = 200 * time.Millisecond

var pool = newPool()

func newPool() *ants.Pool {
	p, err := ants.NewPool(-1, ants.WithPanicHandler(crash), ants.WithExpiryDuration(Idle))
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
