package room

import (
	"context"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/shared/rules"
)

// record is what a room's snapshot holds: enough to carry on after a restart.
// Tokens are kept only as hashes.
type record struct {
	ID    string       `msgpack:"id"`
	Code  string       `msgpack:"c"`
	Watch string       `msgpack:"w"`
	Seq   uint64       `msgpack:"q"`
	State rules.State  `msgpack:"s"`
	Seats []seatRecord `msgpack:"se"`
}

type seatRecord struct {
	ID      rules.SeatID `msgpack:"id"`
	Key     []byte       `msgpack:"k"`
	LastAct uint64       `msgpack:"a"`
}

func (r *Room) record() record {
	rec := record{ID: r.id, Code: r.code, Watch: r.watch, Seq: r.seq, State: r.state}
	for _, s := range r.seats {
		if s != nil {
			rec.Seats = append(rec.Seats, seatRecord{ID: s.id, Key: s.key[:], LastAct: s.lastAct})
		}
	}
	return rec
}

// save writes the room's snapshot when it changed since the last one, or
// always when force is set.
func (r *Room) save(force bool) {
	if !r.dirty && !force {
		return
	}
	b, err := msgpack.Marshal(r.record())
	if err != nil {
		r.log.Error().Err(err).Msg("snapshot not encoded")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.hub.store.Save(ctx, r.id, b); err != nil {
		r.log.Warn().Err(err).Msg("snapshot not saved")
		return
	}
	r.dirty = false
}
