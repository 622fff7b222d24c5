//go:build !linux

package conn

import (
	"bufio"
	"net"
	"syscall"
)

// Elsewhere a connection keeps its goroutine and waits in the read.
func newIdler(syscall.RawConn, *bufio.Reader) idler { return blockingIdle{} }

// Elsewhere every frame goes through the outbox's goroutine.
func socketOf(net.Conn) syscall.RawConn { return nil }

func writeNow(syscall.RawConn, []byte) (int, error) { return 0, nil }
