package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/store"
)

// registry names the service's places in the "names" bucket: a room's code
// and spectator code, a workshop's code, the keys of seats' and
// participants' tokens, each to the id of its place. Codes are claimed, so
// that no two places of the service ever share one; tokens are too long to
// clash, and are set in the background. Neither a code nor an id is stored
// in the clear: a name's key is a keyed hash of it, and the id is sealed,
// both under the service's key.
type registry struct {
	kv     jetstream.KeyValue
	limits jetstream.KeyValue // limits.go
	n      *node.Node
	st     *store.Store
	log    zerolog.Logger
	later  chan func(ctx context.Context)
}

// entry is what the names bucket holds for a name.
type entry struct {
	Place []byte     `msgpack:"p"` // the place's id, sealed
	Home  place.Home `msgpack:"h,omitempty"`
}

func newRegistry(ctx context.Context, n *node.Node, st *store.Store, log zerolog.Logger) (*registry, error) {
	kv, err := n.ConsistentBucket(ctx, jetstream.KeyValueConfig{
		Bucket: "names", Description: "Elämäni peli: which place each code and token finds, across the service",
		History: 1, Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, err
	}
	limits, err := newLimits(ctx, n)
	if err != nil {
		return nil, err
	}
	r := &registry{kv: kv, limits: limits, n: n, st: st, log: log, later: make(chan func(context.Context), 4096)}
	go r.background()
	return r, nil
}

// background does what Set and Release asked for, in order.
func (r *registry) background() {
	for fn := range r.later {
		ctx, cancel := context.WithTimeout(context.Background(), laterWithin)
		fn(ctx)
		cancel()
	}
}

// laterWithin bounds what Set and Release do: they try again while the
// store does not answer, for as long as a JetStream leader may take to be
// elected (a node paused past its lease, say). A token not registered is a
// seat its client cannot find from any other node.
const laterWithin = 30 * time.Second

// soon queues fn; when the queue is full it runs on a goroutine of its own
// rather than hold up the place that asked.
func (r *registry) soon(fn func(ctx context.Context)) {
	select {
	case r.later <- fn:
	default:
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), laterWithin)
			defer cancel()
			fn(ctx)
		}()
	}
}

func (r *registry) key(n place.Name) string {
	return r.st.Hash(append([]byte{'n', byte(n.NS)}, n.S...))
}

func (r *registry) value(id string, home place.Home) []byte {
	b, _ := msgpack.Marshal(entry{Place: r.st.Seal("place", []byte(id)), Home: home})
	return b
}

func (r *registry) read(b []byte) (string, place.Home, bool) {
	var e entry
	if msgpack.Unmarshal(b, &e) != nil {
		return "", place.Home{}, false
	}
	id, err := r.st.Open("place", e.Place)
	if err != nil {
		return "", place.Home{}, false
	}
	return string(id), e.Home, true
}

// Claim gives n to place id, unless another place has it.
func (r *registry) Claim(ctx context.Context, n place.Name, id string, home place.Home) error {
	var err error
	for try := 0; try < 3; try++ {
		if err = r.claim(ctx, n, id, home); err == nil || errors.Is(err, place.ErrTaken) || ctx.Err() != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond) // a leader being elected
	}
	return err
}

func (r *registry) claim(ctx context.Context, n place.Name, id string, home place.Home) error {
	k := r.key(n)
	_, err := r.kv.Create(ctx, k, r.value(id, home))
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("cluster: claim a name: %w", err)
	}
	e, err := r.kv.Get(ctx, k)
	if err != nil {
		return fmt.Errorf("cluster: claim a name: %w", err)
	}
	if held, _, ok := r.read(e.Value()); ok && held == id {
		return nil // the place has it already (taken over, say)
	}
	return place.ErrTaken
}

// Set gives n to place id, in the background.
func (r *registry) Set(n place.Name, id string, home place.Home) {
	k, v := r.key(n), r.value(id, home)
	r.soon(func(ctx context.Context) {
		err := r.n.Retry(ctx, func(ctx context.Context) error {
			_, err := r.kv.Put(ctx, k, v)
			return err
		})
		if err != nil {
			r.log.Warn().Err(err).Msg("a token not registered")
		}
	})
}

// Release takes n from place id, in the background, if id still has it.
func (r *registry) Release(n place.Name, id string) {
	k := r.key(n)
	r.soon(func(ctx context.Context) {
		r.n.Retry(ctx, func(ctx context.Context) error {
			e, err := r.kv.Get(ctx, k)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if held, _, ok := r.read(e.Value()); ok && held != id {
				return nil
			}
			return r.kv.Delete(ctx, k, jetstream.LastRevision(e.Revision()))
		})
	})
}

// Resolve finds the place n names.
func (r *registry) Resolve(ctx context.Context, n place.Name) (string, place.Home, bool, error) {
	e, err := r.kv.Get(ctx, r.key(n))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", place.Home{}, false, nil
	}
	if err != nil {
		return "", place.Home{}, false, fmt.Errorf("cluster: resolve a name: %w", err)
	}
	id, home, ok := r.read(e.Value())
	return id, home, ok, nil
}
