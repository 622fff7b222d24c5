package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestAppendWithoutAnAnswer: an append whose answer never came (a
// JetStream leader going, the connection lost) is tried again. If it had landed, the claim finds it at the log's end and
// carries on from there, instead of fencing itself or appending it twice;
// if it had not, it lands now. A message another node appended meanwhile
// fences the claim.
func TestAppendWithoutAnAnswer(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	c, err := s.Create(ctx, "ROOM", []byte("snapshot"))
	must(t, err)
	must(t, c.Log(ctx, []byte("entry 1"), 1))

	// unanswered appends batch as if its first try's answer had been lost:
	// sent already (landed) or not, it is tried again.
	unanswered := func(batch string, last uint64, landed bool) error {
		t.Helper()
		expect, err := c.end()
		must(t, err)
		msg := c.logMsg(seal(c.aead, c.name, "", []byte(batch)), last)
		if landed {
			if _, err := s.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequencePerSubject(expect)); err != nil {
				t.Fatal(err)
			}
		}
		return c.publish(ctx, msg, last, expect, 1)
	}
	must(t, unanswered("entry 2", 2, true))
	must(t, unanswered("entry 3", 3, false))
	must(t, c.Log(ctx, []byte("entry 4"), 4))

	// Another writer appends behind the claim's back; the claim's next
	// unanswered append finds a message not its own at the end.
	if _, err := s.js.Publish(ctx, s.logPrefix+c.name, nil); err != nil {
		t.Fatal(err)
	}
	if err := unanswered("entry 5", 5, false); !errors.Is(err, ErrFenced) {
		t.Fatalf("an append after someone else's: %v", err)
	}

	must(t, c.Release(ctx))
	_, k, err := s.TakeOver(ctx, "ROOM")
	must(t, err)
	var got []string
	for _, b := range k.Log {
		got = append(got, fmt.Sprintf("%d:%s", b.Last, b.Data))
	}
	if want := "[1:entry 1 2:entry 2 3:entry 3 4:entry 4]"; fmt.Sprint(got) != want {
		t.Fatalf("the log: %v, want %v", got, want)
	}
}
