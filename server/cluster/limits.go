package cluster

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/node"
)

// The limits per address are the service's: an address that guessed ten
// wrong codes on one server has no more guesses on another. They live in
// the "limits" bucket, in NATS's memory only: an address is a keyed hash,
// with a salt the servers share there (made by the first, forgotten when
// the whole service stops), and a count is forgotten some minutes after
// the address was last seen.

// limitsIdle is how long a count is kept after the address was last
// counted.
const limitsIdle = 10 * time.Minute

func newLimits(ctx context.Context, n *node.Node) (jetstream.KeyValue, error) {
	return n.ConsistentBucket(ctx, jetstream.KeyValueConfig{
		Bucket: "limits", Description: "Elämäni peli: what each address (a keyed hash) did lately, for the limits per address",
		History: 1, Storage: jetstream.MemoryStorage, TTL: limitsIdle,
	})
}

// Salt is the salt the service's servers key addresses with: the one in
// NATS, or a new one put there.
func (c *Cluster) Salt(ctx context.Context) ([16]byte, error) {
	var salt [16]byte
	err := c.n.Retry(ctx, func(ctx context.Context) error {
		e, err := c.reg.limits.Get(ctx, "salt")
		if err == nil && len(e.Value()) == len(salt) {
			copy(salt[:], e.Value())
			return nil
		}
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return err
		}
		var fresh [16]byte
		rand.Read(fresh[:]) // never fails
		if _, err := c.reg.limits.Create(ctx, "salt", fresh[:]); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return err
		}
		return errors.New("cluster: salt made; read it again") // whoever made it first
	})
	return salt, err
}

// counter is a token bucket per address in the limits bucket.
type counter struct {
	kv     jetstream.KeyValue
	kind   string
	burst  float64
	refill time.Duration
}

// bucket is a counter's state for one address.
type bucket struct {
	Tokens float64 `msgpack:"t"`
	At     int64   `msgpack:"a"` // unix nanoseconds
}

// Counter counts kind per address across the service (place.Registry).
func (r *registry) Counter(kind string, burst int, refill time.Duration) clientaddr.Counter {
	return &counter{kv: r.limits, kind: kind, burst: float64(burst), refill: refill}
}

func (c *counter) key(addr string) string { return c.kind + "." + addr }

// read returns addr's tokens now, and the revision to update (0: none yet).
func (c *counter) read(ctx context.Context, addr string) (float64, uint64, error) {
	e, err := c.kv.Get(ctx, c.key(addr))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return c.burst, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	var b bucket
	if msgpack.Unmarshal(e.Value(), &b) != nil {
		return c.burst, e.Revision(), nil
	}
	t := b.Tokens + float64(time.Since(time.Unix(0, b.At)))/float64(c.refill)
	return min(t, c.burst), e.Revision(), nil
}

// Has reports whether addr has any allowance left. When NATS cannot be
// asked, it has: the limits never stop honest use.
func (c *counter) Has(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	t, _, err := c.read(ctx, addr)
	return err != nil || t >= 1
}

// Spend takes one, whether there was one or not.
func (c *counter) Spend(addr string) { c.Take(addr) }

// Take takes one from addr's allowance, and reports whether there was one.
func (c *counter) Take(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for range 5 {
		t, rev, err := c.read(ctx, addr)
		if err != nil {
			return true
		}
		if t < 1 {
			return false
		}
		b, _ := msgpack.Marshal(bucket{Tokens: t - 1, At: time.Now().UnixNano()})
		if rev == 0 {
			_, err = c.kv.Create(ctx, c.key(addr), b)
		} else {
			_, err = c.kv.Update(ctx, c.key(addr), b, rev)
		}
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return true
		}
		// Another server counted the address meanwhile: count again.
	}
	return true
}

// Relate notes, in the background, that a member of place id came from
// addr.
func (r *registry) Relate(id, addr string) {
	k := "near." + r.st.Hash([]byte(id)) + "." + addr
	r.soon(func(ctx context.Context) { r.limits.Put(ctx, k, nil) })
}

// Near reports whether a member of place id came from addr.
func (r *registry) Near(ctx context.Context, id, addr string) bool {
	_, err := r.limits.Get(ctx, "near."+r.st.Hash([]byte(id))+"."+addr)
	return err == nil
}
