// Package store keeps room snapshots in a NATS JetStream key-value bucket so
// that rooms outlive a restart of the server.
//
// By default the store runs a NATS server inside the process: JetStream on,
// no listening port, files in a data folder. Given a URL it talks to an
// external NATS instead; the bucket and everything below are the same.
//
// Forgetting is the hard part. A JetStream file store does not scrub the
// bytes of a message it drops: an old value replaced under a history of one,
// or a purged one, lingers in its block file until the block is compacted,
// and the block being written is never compacted. So no snapshot is stored
// in the clear. Each room has its own random key, stored once under
// "k.<name>", and every snapshot under "s.<name>" is sealed with it
// (AES-256-GCM). Erasing a room securely deletes its key record, which
// overwrites the record's bytes on disk with random ones, and then its newest
// snapshot likewise. Any older snapshot that lingers is ciphertext under a
// key that no longer exists anywhere, filed under a random name that nothing
// else refers to; the room's internal id travels only inside the sealed
// record.
//
// The rooms' keys are not stored in the clear either: each is sealed under
// the server's key (a key file, by default beside the data folder and never
// in it), so that a copy of the data folder taken while rooms live opens
// nothing without the key file.
//
// Secure deletes need a stream that allows deleting messages, which a bucket
// made by nats.go's CreateKeyValue does not; Open makes the bucket's stream
// itself, as a KV bucket in every other respect. On an external NATS that
// encrypts its store, or replicates it through a raft log, a secure delete
// does not overwrite in place, and an erased key lasts until NATS compacts.
package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// DefaultBucket is the key-value bucket rooms are kept in.
const DefaultBucket = "rooms"

// Options say where the store keeps its data.
type Options struct {
	Dir    string // the embedded NATS server's data folder; ignored with URL
	URL    string // an external NATS server; empty runs one in-process
	Bucket string // empty: DefaultBucket
	// KeyFile holds the key that seals every room's key; it is made on
	// the first start. Empty: DefaultKeyFile(Dir). Every server of a
	// service needs the same one.
	KeyFile string
	Log     zerolog.Logger
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

// DefaultKeyFile is the key file unless -key-file says otherwise: beside
// the data folder dir (its name with .key after it), never inside it.
func DefaultKeyFile(dir string) string {
	if dir == "" {
		dir = DefaultDir()
	}
	return filepath.Clean(dir) + ".key"
}

// serverKey reads the key in path, or makes one there when there is none.
func serverKey(path string) (cipher.AEAD, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		var raw [32]byte
		rand.Read(raw[:]) // never fails
		b = []byte(hex.EncodeToString(raw[:]) + "\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) { // another server made it meanwhile
			return serverKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("store: key file: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("store: key file: %w", err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("store: key file %s: not a key (64 hexadecimal digits)", path)
	}
	return newAEAD(raw)
}

// Store is a bucket of room snapshots. It is safe for concurrent use.
type Store struct {
	ns     *server.Server // nil with an external NATS
	nc     *nats.Conn
	stream jetstream.Stream
	kv     jetstream.KeyValue
	prefix string // the subject prefix of the bucket's keys
	master cipher.AEAD
	log    zerolog.Logger

	closeOnce sync.Once

	mu    sync.Mutex
	rooms map[string]*room // by room id
}

// Open starts the embedded NATS server (or connects to o.URL) and makes the
// bucket when it is not there yet.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	s := &Store{log: o.Log, rooms: map[string]*room{}}
	if o.KeyFile == "" {
		o.KeyFile = DefaultKeyFile(o.Dir)
	}
	var err error
	if s.master, err = serverKey(o.KeyFile); err != nil {
		return nil, err
	}
	if o.URL == "" {
		if s.ns, err = startServer(o.Dir, o.Log); err != nil {
			return nil, err
		}
		s.nc, err = nats.Connect("", nats.InProcessServer(s.ns), nats.Name("elamanipeli"))
	} else {
		s.nc, err = nats.Connect(o.URL, nats.Name("elamanipeli"), nats.MaxReconnects(-1))
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := s.bind(ctx, o.Bucket); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// maxPayload lets a snapshot carry the decks a host brought (four files of
// up to 256 KiB each) with room to spare.
const maxPayload = 8 << 20

func startServer(dir string, log zerolog.Logger) (*server.Server, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data folder: %w", err)
	}
	ns, err := server.NewServer(&server.Options{
		ServerName: "elamanipeli",
		DontListen: true,
		JetStream:  true,
		StoreDir:   dir,
		MaxPayload: maxPayload,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("store: nats server: %w", err)
	}
	ns.SetLoggerV2(natsLog{log.With().Str("part", "nats").Logger()}, false, false, false)
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("store: nats server did not start")
	}
	return ns, nil
}

// bind finds the bucket, or makes it.
func (s *Store) bind(ctx context.Context, bucket string) error {
	js, err := jetstream.New(s.nc)
	if err != nil {
		return fmt.Errorf("store: jetstream: %w", err)
	}
	name := "KV_" + bucket
	st, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		// A KV bucket as nats.go makes one, except that messages may be
		// deleted: that is how a room's records are erased in place.
		st, err = js.CreateStream(ctx, jetstream.StreamConfig{
			Name:              name,
			Description:       "Elämäni peli rooms: sealed snapshots, erased when a room ends",
			Subjects:          []string{"$KV." + bucket + ".>"},
			MaxMsgsPerSubject: 1, // history 1
			MaxBytes:          -1,
			MaxMsgSize:        -1,
			Storage:           jetstream.FileStorage,
			Replicas:          1,
			Discard:           jetstream.DiscardNew,
			Duplicates:        2 * time.Minute,
			AllowRollup:       true,
			AllowDirect:       true,
		})
	}
	if err != nil {
		return fmt.Errorf("store: bucket %s: %w", bucket, err)
	}
	cfg := st.CachedInfo().Config
	if cfg.DenyDelete || cfg.MaxMsgsPerSubject != 1 {
		return fmt.Errorf("store: bucket %s keeps history or refuses deletes, so rooms could not be erased; remove it and let the server make it", bucket)
	}
	if s.kv, err = js.KeyValue(ctx, bucket); err != nil {
		return fmt.Errorf("store: bucket %s: %w", bucket, err)
	}
	s.stream, s.prefix = st, "$KV."+bucket+"."
	return nil
}

// Close disconnects and stops the embedded server, which writes its state.
// Closing again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.nc != nil {
			s.nc.Close()
		}
		if s.ns != nil {
			s.ns.Shutdown()
			s.ns.WaitForShutdown()
		}
	})
	return nil
}

// room is what the store knows of a room it keeps: the random name its
// records go under and its sealing key.
type room struct {
	name string
	aead cipher.AEAD
}

func keyKey(name string) string  { return "k." + name }
func snapKey(name string) string { return "s." + name }

// Save seals the room's snapshot with the room's key and replaces the one
// stored before.
func (s *Store) Save(ctx context.Context, id string, snapshot []byte) error {
	if len(id) == 0 || len(id) > 255 {
		return errors.New("store: save: a room id of 1 to 255 bytes")
	}
	rm, err := s.room(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.kv.Put(ctx, snapKey(rm.name), seal(rm.aead, rm.name, id, snapshot)); err != nil {
		return fmt.Errorf("store: save: %w", err)
	}
	return nil
}

// room returns what the store keeps of a room, making its name and key on
// its first save.
func (s *Store) room(ctx context.Context, id string) (*room, error) {
	s.mu.Lock()
	rm := s.rooms[id]
	s.mu.Unlock()
	if rm != nil {
		return rm, nil
	}
	var b [16 + 32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("store: key: %w", err)
	}
	name, raw := hex.EncodeToString(b[:16]), b[16:]
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if _, err := s.kv.Create(ctx, keyKey(name), seal(s.master, name, "", raw)); err != nil {
		return nil, fmt.Errorf("store: key: %w", err)
	}
	rm = &room{name: name, aead: aead}
	s.mu.Lock()
	s.rooms[id] = rm
	s.mu.Unlock()
	return rm, nil
}

// Delete erases a room this store saved or loaded: its key first, so that whatever copy of a snapshot
// the file store may still hold can never be opened, then its snapshot. Both
// records are overwritten on disk; neither leaves a marker behind.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	rm := s.rooms[id]
	delete(s.rooms, id)
	s.mu.Unlock()
	if rm == nil {
		return nil // never saved
	}
	return s.forget(ctx, rm.name)
}

func (s *Store) forget(ctx context.Context, name string) error {
	return errors.Join(s.erase(ctx, keyKey(name)), s.erase(ctx, snapKey(name)))
}

// erase securely deletes every message stored under key.
func (s *Store) erase(ctx context.Context, key string) error {
	for range 8 { // one message per key, unless a save raced an erase
		m, err := s.stream.GetLastMsgForSubject(ctx, s.prefix+key)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: erase: %w", err)
		}
		if err := s.stream.SecureDeleteMsg(ctx, m.Sequence); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("store: erase: %w", err)
		}
	}
	return errors.New("store: erase: the record keeps coming back")
}

// Rooms returns how many rooms the bucket holds.
func (s *Store) Rooms(ctx context.Context) (int, error) {
	keys, err := s.kv.ListKeysFiltered(ctx, "s.*")
	if err != nil {
		return 0, fmt.Errorf("store: rooms: %w", err)
	}
	n := 0
	for range keys.Keys() {
		n++
	}
	return n, nil
}

// Load hands each snapshot in the bucket to each, opened. A snapshot each
// does not keep (it returns false), or one that cannot be opened, is erased,
// and so is a key without a snapshot or a snapshot without a key: what an
// erase or a first save cut short leaves.
func (s *Store) Load(ctx context.Context, each func(snapshot []byte) (keep bool)) error {
	w, err := s.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("store: load: %w", err)
	}
	keys, snaps := map[string][]byte{}, map[string][]byte{}
	for e := range w.Updates() {
		if e == nil { // everything stored has arrived
			break
		}
		k := e.Key()
		if len(k) < 3 {
			continue
		}
		switch k[:2] {
		case "k.":
			keys[k[2:]] = e.Value()
		case "s.":
			snaps[k[2:]] = e.Value()
		}
	}
	if err := w.Stop(); err != nil {
		return fmt.Errorf("store: load: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: load: %w", err)
	}
	var errs []error
	forget := func(name string) { errs = append(errs, s.forget(ctx, name)) }
	for name, sealed := range snaps {
		wrapped, ok := keys[name]
		delete(keys, name)
		if !ok {
			forget(name)
			continue
		}
		_, raw, err := open(s.master, name, wrapped)
		var aead cipher.AEAD
		if err != nil {
			err = fmt.Errorf("%w (a room sealed under another key file)", err)
		} else {
			aead, err = newAEAD(raw)
		}
		var id string
		var snapshot []byte
		if err == nil {
			id, snapshot, err = open(aead, name, sealed)
		}
		if err != nil {
			s.log.Warn().Err(err).Msg("a room snapshot could not be opened; erasing it")
			forget(name)
			continue
		}
		s.mu.Lock()
		known := s.rooms[id]
		dup := known != nil && known.name != name // cannot happen, short of a bug
		if known == nil {
			s.rooms[id] = &room{name: name, aead: aead}
		}
		s.mu.Unlock()
		if dup || !each(snapshot) {
			if !dup {
				s.mu.Lock()
				delete(s.rooms, id)
				s.mu.Unlock()
			}
			forget(name)
		}
	}
	for name := range keys {
		forget(name)
	}
	return errors.Join(errs...)
}

// A sealed record is a version byte, a nonce and the AES-GCM ciphertext of
// the room's id (a length byte first) and its snapshot. The record's name is
// authenticated with them, so one room's record cannot pass for another's.
const sealV1 = 1

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: key: %w", err)
	}
	return cipher.NewGCM(b)
}

func seal(aead cipher.AEAD, name, id string, snapshot []byte) []byte {
	plain := make([]byte, 0, 1+len(id)+len(snapshot))
	plain = append(append(append(plain, byte(len(id))), id...), snapshot...)
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealV1
	rand.Read(out[1:]) // never fails
	return aead.Seal(out, out[1:], plain, []byte(name))
}

func open(aead cipher.AEAD, name string, sealed []byte) (id string, snapshot []byte, err error) {
	n := aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealV1 {
		return "", nil, errors.New("store: not a sealed snapshot")
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(name))
	if err != nil {
		return "", nil, fmt.Errorf("store: open: %w", err)
	}
	if len(plain) < 1 || len(plain) < 1+int(plain[0]) {
		return "", nil, errors.New("store: a sealed snapshot without its room")
	}
	return string(plain[1 : 1+plain[0]]), plain[1+plain[0]:], nil
}

// natsLog passes the embedded server's warnings and errors on; its notices
// are chatter.
type natsLog struct{ log zerolog.Logger }

func (l natsLog) Noticef(string, ...any) {}
func (l natsLog) Debugf(string, ...any)  {}
func (l natsLog) Tracef(string, ...any)  {}
func (l natsLog) Warnf(format string, v ...any) {
	l.log.Warn().Msg(fmt.Sprintf(format, v...))
}
func (l natsLog) Errorf(format string, v ...any) {
	l.log.Error().Msg(fmt.Sprintf(format, v...))
}
func (l natsLog) Fatalf(format string, v ...any) {
	l.log.Error().Msg(fmt.Sprintf(format, v...))
}
