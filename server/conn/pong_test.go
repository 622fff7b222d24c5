package conn_test

import (
	"testing"
	"time"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/shared/protocol"
)

// answerEveryPing has the server answer every Ping: for the tests whose
// probe of a connection is a Pong.
const answerEveryPing = -1

// TestPongOnlyWhenNothingElseCame: a Ping that comes just after the server
// sent its client something goes unanswered (a client takes any frame as a
// sign of life); one that comes after PongAfter of quiet is answered.
func TestPongOnlyWhenNothingElseCame(t *testing.T) {
	const after = 2 * time.Second
	srv := gametest.Start(t, gametest.Options{Conn: conn.Config{PongAfter: after}})
	ctx := testCtx(t, 20*time.Second)
	r, _ := host(t, ctx, srv)
	r.Until(ctx, "a snapshot", func(m protocol.Message) bool { return m.Type() == protocol.TypeSnapshot })
	if err := r.Send(ctx, protocol.Ping{N: 1}); err != nil { // the snapshot came a moment ago
		t.Fatal(err)
	}
	time.Sleep(after + after/4)
	if err := r.Send(ctx, protocol.Ping{N: 2}); err != nil {
		t.Fatal(err)
	}
	pong := r.Until(ctx, "a pong", func(m protocol.Message) bool { return m.Type() == protocol.TypePong }).(protocol.Pong)
	if pong.N != 2 {
		t.Fatalf("the first pong answered ping %d; want ping 2 only: ping 1 came right after the snapshot", pong.N)
	}
}
