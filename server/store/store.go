// Package store keeps the rooms in NATS JetStream (package node), so that a
// room outlives the process, and the machine, it runs on.
//
// A room's record is a snapshot, written now and then, and a log of what
// happened since, appended shortly after each thing happens: restoring a
// room is its snapshot and then its log, replayed. Exactly one node owns a
// room at a time, under that node's lease: the owners bucket says which
// node, and every write of the room is fenced, so that a node that lost its
// lease (a long pause, a split network) cannot write the room any more. A
// snapshot is replaced only if it is still the one this owner wrote last;
// a log message is appended only if the log still ends where this owner
// left it. Taking a room over moves both on, and from then on the old
// owner's writes fail.
//
// Forgetting is the hard part. A JetStream file store does not scrub the
// bytes of a message it drops: an old value replaced under a history of one,
// or a purged one, lingers in its block file until the block is compacted,
// and the block being written is never compacted. So nothing of a room is
// stored in the clear. Each room has its own random key, stored once under
// "k.<name>" sealed with the service's key (the key file, beside the data
// folder and never in it), and its snapshot under "s.<name>" and its log
// under "roomlog.<name>" are sealed with it (AES-256-GCM). Erasing a room
// securely deletes its key record, which overwrites the record's bytes on
// disk with random ones, then its snapshot likewise, and purges its log.
// Whatever copy lingers is ciphertext under a key that no longer exists
// anywhere, filed under a random name; the room's internal id travels only
// inside sealed records and in the owners bucket, which names no person.
//
// Secure deletes need a stream that allows deleting messages, which a bucket
// made by nats.go's CreateKeyValue does not; Open makes the bucket's stream
// itself, as a KV bucket in every other respect. On an external NATS that
// encrypts its store, or on replicas kept through a raft log, a secure
// delete does not overwrite in place, and an erased key lasts until NATS
// compacts.
package store

import (
	"cmp"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/node"
)

// DefaultBucket is the key-value bucket rooms are kept in.
const DefaultBucket = "rooms"

// Options say where the store keeps its data.
type Options struct {
	Node   *node.Node // the NATS the rooms are kept in
	Key    []byte     // the service's key (ReadKeyFile): it seals each room's key
	Bucket string     // empty: DefaultBucket
	Log    zerolog.Logger
}

// DefaultDir is the data folder unless -data says otherwise: elamanipeli/data
// under the user's cache folder, or ./data when the user has none.
func DefaultDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "data"
	}
	return filepath.Join(dir, "elamanipeli", "data")
}

// Store is the service's rooms. It is safe for concurrent use.
type Store struct {
	node      *node.Node
	js        jetstream.JetStream
	kv        jetstream.KeyValue // sealed keys and snapshots
	stream    jetstream.Stream   // kv's stream: secure deletes
	prefix    string             // the subject prefix of kv's keys
	owners    jetstream.KeyValue // room id → its owner
	log       jetstream.Stream   // the rooms' logs
	master    cipher.AEAD
	key       []byte // the service's key: keyed hashes of ids
	lg        zerolog.Logger
	stats     Stats
	logPrefix string

	// The log's appends are sent without waiting and answered on one
	// goroutine of the NATS client's (Claim.Append): appends made at
	// about the same time cross to JetStream and back together.
	appender  jetstream.JetStream
	appendMu  sync.Mutex
	appending map[*nats.Msg]*appending
}

// Stats are the store's running counts, for metrics.
type Stats struct {
	TakenOver atomic.Int64 // rooms this node took over from a node that went
	Appended  atomic.Int64 // log messages appended
	Fenced    atomic.Int64 // writes refused because another node owns the room now
}

// logStream is the stream of the rooms' logs.
const logStream = "ROOMLOG"

// Open finds the rooms' buckets and log in the node's NATS, or makes them.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if len(o.Key) != 32 {
		return nil, errors.New("store: the service's key is 32 bytes (ReadKeyFile)")
	}
	s := &Store{node: o.Node, js: o.Node.JetStream(), lg: o.Log, logPrefix: "roomlog.", key: o.Key,
		appending: map[*nats.Msg]*appending{}}
	var err error
	s.appender, err = jetstream.New(o.Node.Conn(),
		jetstream.WithPublishAsyncAckHandler(s.appended),
		jetstream.WithPublishAsyncErrHandler(s.notAppended),
		jetstream.WithPublishAsyncTimeout(appendTimeout),
		jetstream.WithPublishAsyncMaxPending(1<<20)) // a room has one append in flight: never a stall
	if err != nil {
		return nil, err
	}
	if s.master, err = newAEAD(o.Key); err != nil {
		return nil, err
	}
	if err := o.Node.Retry(ctx, func(ctx context.Context) error { return s.bind(ctx, o.Bucket) }); err != nil {
		return nil, err
	}
	if s.owners, err = o.Node.ConsistentBucket(ctx, jetstream.KeyValueConfig{
		Bucket: "owners", Description: "Elämäni peli: which node owns each room, under the node's lease",
		History: 1, Storage: jetstream.FileStorage,
	}); err != nil {
		return nil, err
	}
	err = o.Node.Retry(ctx, func(ctx context.Context) error {
		var err error
		s.log, err = s.js.Stream(ctx, logStream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			s.log, err = s.js.CreateStream(ctx, jetstream.StreamConfig{
				Name:        logStream,
				Description: "Elämäni peli: what happened in each room since its snapshot, sealed; purged when the room ends",
				Subjects:    []string{s.logPrefix + ">"},
				Storage:     jetstream.FileStorage,
				Replicas:    o.Node.Replicas(),
				MaxMsgSize:  -1,
				AllowDirect: true,
			})
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				s.log, err = s.js.Stream(ctx, logStream)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: log: %w", err)
	}
	return s, nil
}

// bind finds the bucket, or makes it.
func (s *Store) bind(ctx context.Context, bucket string) error {
	name := "KV_" + bucket
	st, err := s.js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		// A KV bucket as nats.go makes one, except that messages may be
		// deleted: that is how a room's records are erased in place.
		st, err = s.js.CreateStream(ctx, jetstream.StreamConfig{
			Name:              name,
			Description:       "Elämäni peli rooms: sealed keys and snapshots, erased when a room ends",
			Subjects:          []string{"$KV." + bucket + ".>"},
			MaxMsgsPerSubject: 1, // history 1
			MaxBytes:          -1,
			MaxMsgSize:        -1,
			Storage:           jetstream.FileStorage,
			Replicas:          s.node.Replicas(),
			Discard:           jetstream.DiscardNew,
			Duplicates:        2 * time.Minute,
			AllowRollup:       true,
			AllowDirect:       true,
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			st, err = s.js.Stream(ctx, name)
		}
	}
	if err != nil {
		return fmt.Errorf("store: bucket %s: %w", bucket, err)
	}
	cfg := st.CachedInfo().Config
	if cfg.DenyDelete || cfg.MaxMsgsPerSubject != 1 {
		return node.Permanent(fmt.Errorf("store: bucket %s keeps history or refuses deletes, so rooms could not be erased; remove it and let the server make it", bucket))
	}
	if s.kv, err = s.js.KeyValue(ctx, bucket); err != nil {
		return fmt.Errorf("store: bucket %s: %w", bucket, err)
	}
	s.stream, s.prefix = st, "$KV."+bucket+"."
	return nil
}

// Stats are the store's running counts.
func (s *Store) Stats() *Stats { return &s.stats }

// Rooms returns how many rooms the store holds.
func (s *Store) Rooms(ctx context.Context) (int, error) {
	keys, err := s.owners.ListKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: rooms: %w", err)
	}
	n := 0
	for range keys.Keys() {
		n++
	}
	return n, nil
}

func keyKey(name string) string  { return "k." + name }
func snapKey(name string) string { return "s." + name }

// erase securely deletes every message stored under key in the bucket.
// The bucket's reads may be answered by a replica a moment behind its
// leader (direct gets): the message such a read names may have been
// replaced already (a save, a takeover's fence), and the key's message may
// not have reached it yet. So a delete that fails reads again, and only
// the stream's leader is believed when it says nothing is left.
func (s *Store) erase(ctx context.Context, key string) error {
	var err error
	for range 10 { // one message per key, unless a save raced an erase
		if err != nil {
			select {
			case <-ctx.Done():
				return fmt.Errorf("store: erase: %w", err)
			case <-time.After(50 * time.Millisecond):
			}
		}
		var m *jetstream.RawStreamMsg
		m, err = s.stream.GetLastMsgForSubject(ctx, s.prefix+key)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			var n uint64
			if n, err = s.left(ctx, key); err == nil {
				if n == 0 {
					return nil
				}
				err = errors.New("a replica behind said the record was gone")
			}
			continue
		}
		if err == nil {
			err = s.stream.SecureDeleteMsg(ctx, m.Sequence)
		}
	}
	return fmt.Errorf("store: erase: %w", cmp.Or(err, errors.New("the record keeps coming back")))
}

// left is how many messages the bucket's stream holds under key, as its
// leader says.
func (s *Store) left(ctx context.Context, key string) (uint64, error) {
	subj := s.prefix + key
	info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return 0, err
	}
	return info.State.Subjects[subj], nil
}

// forget erases everything stored under a room's name: its key first, so
// that whatever copy of its records the file store may still hold can never
// be opened, then its snapshot and its log.
func (s *Store) forget(ctx context.Context, name string) error {
	err := errors.Join(s.erase(ctx, keyKey(name)), s.erase(ctx, snapKey(name)))
	if perr := s.log.Purge(ctx, jetstream.WithPurgeSubject(s.logPrefix+name)); perr != nil {
		err = errors.Join(err, fmt.Errorf("store: purge log: %w", perr))
	}
	return err
}
