package room

import (
	"context"

	"github.com/pore/elamanipeli/server/store"
)

// Store keeps rooms so that they outlive their node (package store is the
// real one). A room is created with its first snapshot; from then on it
// appends what happens to its log, and writes a snapshot now and then;
// another node (or this one, after a restart) takes it over when its owner
// is gone, from its snapshot and the log after it.
type Store interface {
	// Create records a new room, owned by this node.
	Create(ctx context.Context, id string, snapshot []byte) (Claim, error)
	// TakeOver makes this node the owner of room id, whose owner is gone,
	// and returns what was kept. store.ErrOwned: a live node owns it;
	// store.ErrGone: it is not kept.
	TakeOver(ctx context.Context, id string) (Claim, store.Kept, error)
	// Orphans lists the rooms no live node owns.
	Orphans(ctx context.Context) ([]string, error)
}

// Claim is this node's ownership of one room; its writes fail with
// store.ErrFenced once another node owns the room.
type Claim interface {
	// Append writes a batch of the log, whose last entry is number last,
	// without waiting: done runs once with the outcome, from any
	// goroutine; its tries end with ctx.
	Append(ctx context.Context, batch []byte, last uint64, done func(error))
	Save(ctx context.Context, snapshot []byte, upTo uint64) error
	Release(ctx context.Context) error
	Erase(ctx context.Context) error
	// Epoch is the epoch of the node's lease the claim was taken under
	// (see Options.Holds): the room acts only while that lease holds.
	Epoch() string
}

// KeepIn keeps rooms in s.
func KeepIn(s *store.Store) Store { return natsStore{s} }

type natsStore struct{ s *store.Store }

func (n natsStore) Create(ctx context.Context, id string, snapshot []byte) (Claim, error) {
	c, err := n.s.Create(ctx, id, snapshot)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (n natsStore) TakeOver(ctx context.Context, id string) (Claim, store.Kept, error) {
	c, kept, err := n.s.TakeOver(ctx, id)
	if err != nil {
		return nil, store.Kept{}, err
	}
	return c, kept, nil
}

func (n natsStore) Orphans(ctx context.Context) ([]string, error) { return n.s.Orphans(ctx) }
