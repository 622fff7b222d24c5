package room

import "context"

// Store keeps room snapshots so rooms outlive a restart. Save replaces a
// room's snapshot; Delete erases it with no history left behind. Load hands
// every stored snapshot to each at start-up, and erases those each does not
// keep.
type Store interface {
	Save(ctx context.Context, id string, snapshot []byte) error
	Delete(ctx context.Context, id string) error
	Load(ctx context.Context, each func(snapshot []byte) (keep bool)) error
}

type nopStore struct{}

func (nopStore) Save(context.Context, string, []byte) error           { return nil }
func (nopStore) Delete(context.Context, string) error                 { return nil }
func (nopStore) Load(context.Context, func([]byte) (keep bool)) error { return nil }
