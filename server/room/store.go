package room

import "context"

// Store keeps room snapshots so rooms outlive a restart. Save replaces a
// room's snapshot; Delete erases it with no history left behind.
type Store interface {
	Save(ctx context.Context, id string, snapshot []byte) error
	Delete(ctx context.Context, id string) error
}

type nopStore struct{}

func (nopStore) Save(context.Context, string, []byte) error { return nil }
func (nopStore) Delete(context.Context, string) error       { return nil }
