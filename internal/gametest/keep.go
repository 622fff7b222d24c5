package gametest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/node"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/server/store"
)

// Keeper is a node alone, with the store of rooms in its data folder: what
// a server keeps its rooms in.
type Keeper struct {
	Node  *node.Node
	Store *store.Store
	Rooms room.Store // for Options.Store
}

// Keep starts a node alone in dir (its key file beside it) and opens its
// store. Close it, or the test's end does.
func Keep(t testing.TB, dir string) *Keeper {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	key, err := store.ReadKeyFile(store.DefaultKeyFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(ctx, node.Options{Dir: dir, Secret: key, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{Node: n, Key: key, Log: log})
	if err != nil {
		n.Close()
		t.Fatal(err)
	}
	k := &Keeper{Node: n, Store: st, Rooms: room.KeepIn(st)}
	t.Cleanup(k.Close)
	return k
}

// Close gives up the node's lease and stops its NATS.
func (k *Keeper) Close() { k.Node.Close() }
