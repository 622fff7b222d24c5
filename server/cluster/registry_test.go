package cluster

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/store"
)

// unanswering is a bucket whose first puts get no answer, as while a
// JetStream leader is being elected.
type unanswering struct {
	jetstream.KeyValue
	silent atomic.Int32 // puts left to go unanswered
}

func (u *unanswering) Put(ctx context.Context, key string, value []byte) (uint64, error) {
	if u.silent.Add(-1) >= 0 {
		return 0, context.DeadlineExceeded
	}
	return u.KeyValue.Put(ctx, key, value)
}

// A token set while the store does not answer is registered once it does:
// unregistered, its seat could not be found from any other node.
func TestATokenIsRegisteredOnceTheStoreAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	dir := t.TempDir()
	key, err := store.ReadKeyFile(store.DefaultKeyFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	n, err := node.Start(ctx, node.Options{Dir: dir, Secret: key, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	st, err := store.Open(ctx, store.Options{Node: n, Key: key, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRegistry(ctx, n, st, log)
	if err != nil {
		t.Fatal(err)
	}
	kv := &unanswering{KeyValue: r.kv}
	kv.silent.Store(3)
	r.kv = kv

	token := place.TokenName(place.Key{1, 2, 3})
	r.Set(token, "ROOM", place.Home{})
	for {
		id, _, ok, err := r.Resolve(ctx, token)
		if err == nil && ok && id == "ROOM" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the token was not registered: %q %v %v", id, ok, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.Release(token, "ROOM")
	for {
		_, _, ok, err := r.Resolve(ctx, token)
		if err == nil && !ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the token was not released")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
