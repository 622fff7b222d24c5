//go:build !linux

package conn

import (
	"bufio"
	"net"
)

// Elsewhere a connection keeps its goroutine and waits in the read.
func newIdler(net.Conn, *bufio.Reader) idler { return blockingIdle{} }
