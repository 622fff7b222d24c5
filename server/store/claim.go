package store

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/server/node"
)

// Errors a room's owner meets.
var (
	// ErrFenced: another node owns the room now. Its owner here must stop
	// at once, writing nothing more.
	ErrFenced = errors.New("store: another node owns the room now")
	// ErrOwned: a live node owns the room; its clients are relayed there.
	ErrOwned = errors.New("store: a live node owns the room")
	// ErrGone: no such room is kept (it ended, or never was).
	ErrGone = errors.New("store: no such room")

	errNoLease    = errors.New("store: this node's lease has lapsed; it takes no room until it has one again")
	errNotThrough = errors.New("store: a write whose answer was lost did not go through")
	errErased     = errors.New("store: the room's key is erased: it was being erased")
)

// owner is what the owners bucket holds for a room: the node that owns it
// and that node's epoch (empty when the room was handed over), and the
// name its records go under.
type owner struct {
	Node  string `msgpack:"n,omitempty"`
	Epoch string `msgpack:"e,omitempty"`
	Name  string `msgpack:"s"`
	ID    []byte `msgpack:"i"` // the room's id, sealed with the service's key
}

// ownerKey is the owners bucket's key for room id: a keyed hash, so that the
// room's id is nowhere on disk in the clear, not even in what NATS keeps of
// an erased key.
func (s *Store) ownerKey(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("owner:" + id))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// owner encodes the owners entry of room id, whose records go under name:
// this node's, under the epoch of its lease now (returned), when mine is
// set; nobody's otherwise.
func (s *Store) owner(id, name string, mine bool) ([]byte, string) {
	o := owner{Name: name, ID: seal(s.master, "owner", "", []byte(id))}
	if mine {
		o.Node, o.Epoch = s.node.Name(), s.node.Epoch()
	}
	b, _ := msgpack.Marshal(o)
	return b, o.Epoch
}

// Claim is this node's ownership of one room. Every write of the room goes
// through it, fenced: once another node has taken the room over, a write
// fails with ErrFenced. An Append may be in flight while Save runs on another
// goroutine; neither twice at once.
type Claim struct {
	s     *Store
	id    string
	name  string
	aead  cipher.AEAD
	owner uint64 // the revision of the owners entry this claim holds
	epoch string // of the node's lease the entry names

	mu     sync.Mutex
	snap   uint64    // the revision of the snapshot written last (0: none)
	last   uint64    // the stream sequence of the log's last message (0: none)
	marks  []logMark // appended messages, oldest first
	fenced bool
}

// logMark is one appended log message: its stream sequence and the number
// of the last entry it holds.
type logMark struct {
	seq  uint64
	last uint64
}

// lastEntryHeader carries a log message's last entry number, so that a
// snapshot that holds it lets the message go.
const lastEntryHeader = "Elm-Last-Entry"

// Batch is one log message of a room: Last is the number of the last entry
// it holds, Data what the room wrote.
type Batch struct {
	Last uint64
	Data []byte
}

// Kept is what the store kept of a room: its snapshot, and the log written
// since (in order; some of it may be older than the snapshot: a Batch whose
// Last the snapshot holds already is to be skipped).
type Kept struct {
	Snapshot []byte
	Log      []Batch
}

// Create records a new room this node owns, with its first snapshot.
func (s *Store) Create(ctx context.Context, id string, snapshot []byte) (*Claim, error) {
	if len(id) == 0 || len(id) > 255 {
		return nil, errors.New("store: a room id of 1 to 255 bytes")
	}
	var b [16 + 32]byte
	rand.Read(b[:]) // never fails
	name, raw := hex.EncodeToString(b[:16]), b[16:]
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	if _, err := s.kv.Create(ctx, keyKey(name), seal(s.master, name, "", raw)); err != nil {
		s.undo(ctx, func(ctx context.Context) { s.forget(ctx, name) })
		return nil, fmt.Errorf("store: key: %w", err)
	}
	o, epoch := s.owner(id, name, true)
	rev, err := s.owners.Create(ctx, s.ownerKey(id), o)
	if err != nil {
		lost := !errors.Is(err, jetstream.ErrKeyExists) // and may have gone through
		s.undo(ctx, func(ctx context.Context) {
			if lost {
				if rev, err := s.wentThrough(ctx, s.owners, s.ownerKey(id), o); err == nil {
					(&Claim{s: s, id: id, name: name, owner: rev}).Erase(ctx)
					return
				}
			}
			s.forget(ctx, name)
		})
		return nil, fmt.Errorf("store: owner: %w", err)
	}
	c := &Claim{s: s, id: id, name: name, aead: aead, owner: rev, epoch: epoch}
	if err := c.Save(ctx, snapshot, 0); err != nil {
		s.undo(ctx, func(ctx context.Context) { c.Erase(ctx) })
		return nil, err
	}
	return c, nil
}

// TakeOver makes this node the owner of room id, whose owner has gone (it
// crashed, lost its lease, or handed the room over), and returns what was
// kept of it. It fails with ErrOwned while a live node owns the room, and
// with ErrGone when no room id is kept.
func (s *Store) TakeOver(ctx context.Context, id string) (*Claim, Kept, error) {
	e, err := s.owners.Get(ctx, s.ownerKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, Kept{}, ErrGone
	}
	if err != nil {
		return nil, Kept{}, fmt.Errorf("store: owner: %w", err)
	}
	var o owner
	if err := msgpack.Unmarshal(e.Value(), &o); err != nil || o.Name == "" {
		return nil, Kept{}, fmt.Errorf("store: owner of a room unreadable: %v", err)
	}
	if o.Node != "" && s.node.Alive(ctx, o.Node, o.Epoch) {
		return nil, Kept{}, ErrOwned
	}
	if !s.node.LeaseValid() {
		// A room taken under a lapsed lease could not act (see
		// Claim.Epoch), and would look orphaned to every other node.
		return nil, Kept{}, errNoLease
	}
	mine, epoch := s.owner(id, o.Name, true)
	rev, err := s.owners.Update(ctx, s.ownerKey(id), mine, e.Revision())
	if err != nil {
		if !isWrongSequence(err) {
			// No answer: the update may have gone through all the same.
			s.undo(ctx, func(ctx context.Context) {
				if rev, err := s.wentThrough(ctx, s.owners, s.ownerKey(id), mine); err == nil {
					(&Claim{s: s, id: id, name: o.Name, owner: rev}).Release(ctx)
				}
			})
		}
		return nil, Kept{}, ErrOwned // another node was quicker, or the answer was lost
	}
	c := &Claim{s: s, id: id, name: o.Name, owner: rev, epoch: epoch}
	kept, err := c.load(ctx)
	if errors.Is(err, errErased) {
		// Its owner was erasing it when the store failed, or the owner
		// went: what is left goes now.
		s.undo(ctx, func(ctx context.Context) { c.Erase(ctx) })
		return nil, Kept{}, ErrGone
	}
	if err != nil {
		// What cannot be read is given back: the next start tries again.
		s.undo(ctx, func(ctx context.Context) { c.Release(ctx) })
		return nil, Kept{}, err
	}
	s.stats.TakenOver.Add(1)
	return c, kept, nil
}

// wentThrough reads key of bucket again after a write of value to it went
// unanswered, and returns the entry's revision if the write went through
// (a sealed value is unlike any other), or errNotThrough. It tries again
// while the store does not answer, until ctx ends.
func (s *Store) wentThrough(ctx context.Context, bucket jetstream.KeyValue, key string, value []byte) (uint64, error) {
	var rev uint64
	err := s.node.Retry(ctx, func(ctx context.Context) error {
		e, err := bucket.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return node.Permanent(errNotThrough)
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(e.Value(), value) {
			return node.Permanent(errNotThrough)
		}
		rev = e.Revision()
		return nil
	})
	return rev, err
}

// undo cleans up after a write that failed, or whose answer was lost (ctx
// ran out, a JetStream leader being elected) and which may have gone
// through all the same: fn runs in the background, with a context of its
// own, while the caller goes on. Left, what the write made would outlive
// the room, or leave the room owned by this node, alive, and running
// nowhere: every client of it told the room is busy for as long as the
// node lives. Not within ctx, which may be what ran out, nor holding up
// the caller (a client) while the store does not answer.
func (s *Store) undo(ctx context.Context, fn func(ctx context.Context)) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		fn(ctx)
	}()
}

// load reads the room's key, snapshot and log for a takeover, and fences
// both against the owner before: the log is cut where this claim read it,
// and the snapshot written again.
func (c *Claim) load(ctx context.Context) (Kept, error) {
	s := c.s
	ke, err := s.kv.Get(ctx, keyKey(c.name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		// A replica behind may say so of a key its leader has.
		if n, lerr := s.left(ctx, keyKey(c.name)); lerr == nil && n == 0 {
			return Kept{}, errErased
		}
	}
	if err != nil {
		return Kept{}, fmt.Errorf("store: key: %w", err)
	}
	_, raw, err := open(s.master, c.name, ke.Value())
	if err != nil {
		return Kept{}, fmt.Errorf("%w (a room sealed under another key file)", err)
	}
	if c.aead, err = newAEAD(raw); err != nil {
		return Kept{}, err
	}

	var batches []Batch
	for try := 0; ; try++ {
		if batches, err = c.readLog(ctx); err != nil {
			return Kept{}, err
		}
		// The log ends here for the owner before: a message it appends
		// after this one fails, and so does any it appended meanwhile,
		// which makes this claim read the log again.
		err = c.append(ctx, nil, lastEntry(batches))
		if err == nil {
			break
		}
		if !errors.Is(err, ErrFenced) || try == 5 {
			return Kept{}, err
		}
		c.mu.Lock()
		c.fenced = false
		c.mu.Unlock()
	}
	// The snapshot too: a save of the owner before fails from now on. A
	// read may come from a replica that lags a moment behind: the write
	// tells, and the snapshot is read again.
	var snapshot []byte
	for try := 0; ; try++ {
		se, err := s.kv.Get(ctx, snapKey(c.name))
		if err != nil {
			return Kept{}, fmt.Errorf("store: snapshot: %w", err)
		}
		if _, snapshot, err = open(c.aead, c.name, se.Value()); err != nil {
			return Kept{}, err
		}
		rev, err := s.kv.Update(ctx, snapKey(c.name), se.Value(), se.Revision())
		if err == nil {
			c.snap = rev
			break
		}
		if !isWrongSequence(err) || try == 5 {
			return Kept{}, fmt.Errorf("store: fence the snapshot: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return Kept{Snapshot: snapshot, Log: batches}, nil
}

// lastEntry is the number of the last entry of a room's log.
func lastEntry(batches []Batch) uint64 {
	if len(batches) == 0 {
		return 0
	}
	return batches[len(batches)-1].Last
}

// readLog reads every message of the room's log, opened, and notes where
// the log ends.
func (c *Claim) readLog(ctx context.Context) ([]Batch, error) {
	subj := c.s.logPrefix + c.name
	var out []Batch
	var last uint64
	c.marks = c.marks[:0]
	for seq := uint64(1); ; {
		m, err := c.s.log.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("store: read log: %w", err)
		}
		n, _ := strconv.ParseUint(m.Header.Get(lastEntryHeader), 10, 64)
		c.marks = append(c.marks, logMark{seq: m.Sequence, last: n})
		last, seq = m.Sequence, m.Sequence+1
		if len(m.Data) == 0 {
			continue // a takeover's mark
		}
		_, data, err := open(c.aead, c.name, m.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, Batch{Last: n, Data: data})
	}
	c.mu.Lock()
	c.last = last
	c.mu.Unlock()
	return out, nil
}

// ID is the room's id.
func (c *Claim) ID() string { return c.id }

// Epoch is the epoch of this node's lease the claim was taken under: the
// one other nodes ask after to tell whether the room's owner is alive. A
// room may act under the claim only while the node holds that lease, not
// a later one: a node that lost its lease and took a new one between the
// claim and the room's start must not act on a room others see as
// orphaned.
func (c *Claim) Epoch() string { return c.epoch }

// Append puts a batch of the room's log, whose last entry is number last,
// at the log's end without waiting: done runs once with the outcome, on a
// goroutine of the store's, and must not block. The outcome is ErrFenced
// once another node owns the room. A claim has one append at a time. The
// tries after a first one that had no answer go on until ctx ends, for at
// most appendRetries.
func (c *Claim) Append(ctx context.Context, batch []byte, last uint64, done func(error)) {
	expect, err := c.end()
	if err != nil {
		done(err)
		return
	}
	a := &appending{c: c, msg: c.logMsg(seal(c.aead, c.name, "", batch), last), last: last, expect: expect, ctx: ctx, done: done}
	s := c.s
	s.appendMu.Lock()
	s.appending[a.msg] = a
	s.appendMu.Unlock()
	if _, err := s.appender.PublishMsgAsync(a.msg, jetstream.WithExpectLastSequencePerSubject(expect)); err != nil && s.take(a.msg) != nil {
		go a.again(0) // not sent
	}
}

// appending is an append waiting for its answer.
type appending struct {
	c      *Claim
	msg    *nats.Msg
	last   uint64 // the batch's last entry
	expect uint64 // the log's last message before it
	ctx    context.Context
	done   func(error)
}

func (s *Store) take(m *nats.Msg) *appending {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	a := s.appending[m]
	delete(s.appending, m)
	return a
}

// appended takes JetStream's answer to an append.
func (s *Store) appended(_ jetstream.JetStream, m *nats.Msg, ack *jetstream.PubAck) {
	if a := s.take(m); a != nil {
		a.c.appendedAt(ack.Sequence, a.last)
		a.done(nil)
	}
}

// notAppended takes an append's failure: the log no longer ends where the
// claim left it (another node took the room over), or no answer came (it
// runs with the JetStream client's lock held: nothing here may wait).
func (s *Store) notAppended(_ jetstream.JetStream, m *nats.Msg, err error) {
	a := s.take(m)
	switch {
	case a == nil:
	case isWrongSequence(err):
		a.done(a.c.fence())
	default:
		go a.again(1) // it may have landed: see publish
	}
}

// again tries an append again, waiting for each answer, from try number
// try (0: it was never sent). Its bound is made only here: a timer for
// each append cost a sixtieth of the server's CPU under the everyday load.
func (a *appending) again(try int) {
	ctx, cancel := context.WithTimeout(a.ctx, appendRetries)
	defer cancel()
	a.done(a.c.publish(ctx, a.msg, a.last, a.expect, try))
}

// appendRetries bounds the tries of an append that had no answer: a
// JetStream leader going takes a few seconds to replace, and the log
// waits for it (nothing else of the room does).
const appendRetries = 20 * time.Second

// appendTimeout bounds the wait for one try's answer.
const appendTimeout = 3 * time.Second

// logMsg is a log message of sealed data whose last entry is number last.
func (c *Claim) logMsg(data []byte, last uint64) *nats.Msg {
	return &nats.Msg{Subject: c.s.logPrefix + c.name, Data: data, Header: nats.Header{lastEntryHeader: {strconv.FormatUint(last, 10)}}}
}

// end is the sequence the log ends at as this claim left it, or ErrFenced.
func (c *Claim) end() (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fenced {
		return 0, ErrFenced
	}
	return c.last, nil
}

// append puts one message at the end of the log, if the log still ends
// where this claim left it, and waits for the answer.
func (c *Claim) append(ctx context.Context, data []byte, last uint64) error {
	expect, err := c.end()
	if err != nil {
		return err
	}
	return c.publish(ctx, c.logMsg(data, last), last, expect, 0)
}

// publish sends msg, whose last entry is number last, to the log, expecting
// it to end at sequence expect, until an answer comes, from try number try,
// and notes where it landed.
func (c *Claim) publish(ctx context.Context, msg *nats.Msg, last, expect uint64, try int) error {
	var seq uint64
	var err error
	for ; ; try++ {
		tctx, cancel := context.WithTimeout(ctx, appendTimeout)
		var ack *jetstream.PubAck
		ack, err = c.s.js.PublishMsg(tctx, msg, jetstream.WithExpectLastSequencePerSubject(expect))
		cancel()
		if err == nil {
			seq = ack.Sequence
			break
		}
		if isWrongSequence(err) && try > 0 {
			// A try whose answer was lost (a JetStream leader going, say)
			// may have been appended: then the log ends with this very
			// message (its seal's nonce makes it unlike any other; a
			// takeover's empty mark is not told apart, and reads the log
			// again). Trying again with the same expected sequence is what
			// makes that safe without a message id for JetStream to keep.
			lctx, cancel := context.WithTimeout(ctx, appendTimeout)
			m, gerr := c.s.log.GetLastMsgForSubject(lctx, msg.Subject)
			cancel()
			if gerr == nil && len(msg.Data) > 0 && m.Sequence > expect && bytes.Equal(m.Data, msg.Data) {
				seq, err = m.Sequence, nil
			}
		}
		if err == nil || isWrongSequence(err) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		if isWrongSequence(err) {
			return c.fence()
		}
		return fmt.Errorf("store: log: %w", err)
	}
	c.appendedAt(seq, last)
	return nil
}

// appendedAt notes a message appended at sequence seq, whose last entry is
// number last.
func (c *Claim) appendedAt(seq, last uint64) {
	c.mu.Lock()
	c.last = seq
	c.marks = append(c.marks, logMark{seq: seq, last: last})
	c.mu.Unlock()
	c.s.stats.Appended.Add(1)
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence)
}

func (c *Claim) fence() error {
	c.mu.Lock()
	c.fenced = true
	c.mu.Unlock()
	c.s.stats.Fenced.Add(1)
	return ErrFenced
}

// Save replaces the room's snapshot, if it is still the one this claim
// wrote last, and lets go of the log messages whose every entry it holds
// (the entries up to number upTo).
func (c *Claim) Save(ctx context.Context, snapshot []byte, upTo uint64) error {
	c.mu.Lock()
	if c.fenced {
		c.mu.Unlock()
		return ErrFenced
	}
	rev := c.snap
	c.mu.Unlock()
	sealed := seal(c.aead, c.name, c.id, snapshot)
	var err error
	if rev == 0 {
		rev, err = c.s.kv.Create(ctx, snapKey(c.name), sealed)
	} else {
		rev, err = c.s.kv.Update(ctx, snapKey(c.name), sealed, rev)
	}
	if err != nil && !isWrongSequence(err) && !errors.Is(err, jetstream.ErrKeyExists) {
		// No answer: if the snapshot was written all the same, the next
		// save would find itself fenced.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendTimeout)
		if wrote, werr := c.s.wentThrough(rctx, c.s.kv, snapKey(c.name), sealed); werr == nil {
			rev, err = wrote, nil
		}
		cancel()
	}
	if err != nil {
		if isWrongSequence(err) || errors.Is(err, jetstream.ErrKeyExists) {
			return c.fence()
		}
		return fmt.Errorf("store: save: %w", err)
	}
	c.mu.Lock()
	c.snap = rev
	// The log's messages the snapshot covers go in bulk, once there are
	// trimAfter of them: a purge of one room's messages walks the stream's
	// messages of every room since that room's first, which at every save
	// took a twentieth of the server's CPU under a workshop's load. Until
	// then a restore reads them and skips them. The log's last message
	// always stays: the next one is appended after it.
	covers := func(m logMark) bool { return m.last <= upTo && m.seq < c.last }
	covered, upToSeq := 0, uint64(0)
	for _, m := range c.marks {
		if covers(m) {
			covered, upToSeq = covered+1, m.seq
		}
	}
	if covered < trimAfter {
		c.mu.Unlock()
		return nil
	}
	c.marks = slices.DeleteFunc(c.marks, covers)
	c.mu.Unlock()
	if err := c.s.log.Purge(ctx, jetstream.WithPurgeSubject(c.s.logPrefix+c.name), jetstream.WithPurgeSequence(upToSeq+1)); err != nil {
		return fmt.Errorf("store: trim the log: %w", err)
	}
	return nil
}

// trimAfter is how many of a log's messages a snapshot must cover before
// Save trims them off.
const trimAfter = 64

// Release hands the room over: it stays kept, owned by nobody, until a node
// takes it over. Write its last snapshot or log first. It tries again
// while JetStream does not answer (a leader being elected), until ctx ends,
// and fails with ErrFenced once another node owns the room.
func (c *Claim) Release(ctx context.Context) error {
	c.mu.Lock()
	c.fenced = true // nothing more from here
	c.mu.Unlock()
	nobody, _ := c.s.owner(c.id, c.name, false)
	err := c.s.node.Retry(ctx, func(ctx context.Context) error {
		_, err := c.s.owners.Update(ctx, c.s.ownerKey(c.id), nobody, c.owner)
		if isWrongSequence(err) {
			// Another node took the room, or a try whose answer was
			// lost went through.
			return node.Permanent(ErrFenced)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: hand over: %w", err)
	}
	return nil
}

// Erase forgets the room: its key (overwritten), its snapshot
// (overwritten) and its log, and then its owner entry. The owner entry
// goes last: should the store fail on the way, the room stays listed as
// this node's, the cluster's sweep hands it back since it runs nowhere,
// and the takeover that follows finds its key gone and erases the rest
// (ErrGone), instead of what is left of the room staying in the store for
// good. A claim another node has taken since erases nothing (ErrFenced):
// the room lives on there (a node paused past its lease may find, once it
// runs again, that a room of its own has ended, which elsewhere has not).
func (c *Claim) Erase(ctx context.Context) error {
	c.mu.Lock()
	c.fenced = true
	c.mu.Unlock()
	e, err := c.s.owners.Get(ctx, c.s.ownerKey(c.id))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return c.s.forget(ctx, c.name) // erased already, but perhaps not all
	case err != nil:
		return fmt.Errorf("store: erase: %w", err)
	case e.Revision() != c.owner:
		return ErrFenced
	}
	if err := c.s.forget(ctx, c.name); err != nil {
		return err
	}
	if err := c.s.owners.Delete(ctx, c.s.ownerKey(c.id), jetstream.LastRevision(c.owner)); err != nil {
		return fmt.Errorf("store: erase the owner: %w", err)
	}
	return nil
}

// Orphans lists the rooms no live node owns: those a node that went
// owned, and those handed over that nobody has taken yet.
func (s *Store) Orphans(ctx context.Context) ([]string, error) {
	orphans, _, err := s.Owners(ctx)
	return orphans, err
}

// Owned is a room the owners bucket gives to this node under its lease
// now, as it was listed.
type Owned struct {
	ID   string
	Name string // what its records go under
	Rev  uint64 // the owner entry's revision
}

// Owners lists, in one pass over the owners bucket, the rooms no live node
// owns (Orphans) and those it gives to this node under its lease now.
func (s *Store) Owners(ctx context.Context) (orphans []string, mine []Owned, err error) {
	err = s.node.Retry(ctx, func(ctx context.Context) error {
		var err error
		orphans, mine, err = s.listOwners(ctx)
		return err
	})
	return orphans, mine, err
}

func (s *Store) listOwners(ctx context.Context) ([]string, []Owned, error) {
	w, err := s.owners.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, nil, fmt.Errorf("store: owners: %w", err)
	}
	defer w.Stop()
	alive := map[string]bool{} // node/epoch
	var orphans []string
	var mine []Owned
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("store: owners: %w", ctx.Err())
		}
		if e == nil {
			break
		}
		var o owner
		if msgpack.Unmarshal(e.Value(), &o) != nil {
			continue
		}
		_, id, err := open(s.master, "owner", o.ID)
		if err != nil {
			continue
		}
		if o.Node != "" {
			if o.Node == s.node.Name() && o.Epoch == s.node.Epoch() {
				mine = append(mine, Owned{ID: string(id), Name: o.Name, Rev: e.Revision()})
				continue
			}
			k := o.Node + "/" + o.Epoch
			ok, seen := alive[k]
			if !seen {
				ok = s.node.Alive(ctx, o.Node, o.Epoch)
				alive[k] = ok
			}
			if ok {
				continue
			}
		}
		orphans = append(orphans, string(id))
	}
	return orphans, mine, nil
}

// GiveBack hands room o over, as Claim.Release does, if the owners bucket
// still has it as it was listed (ErrFenced otherwise: another node took
// it): a room this node owns and does not run (see cluster's sweep).
func (s *Store) GiveBack(ctx context.Context, o Owned) error {
	return (&Claim{s: s, id: o.ID, name: o.Name, owner: o.Rev}).Release(ctx)
}

// Gone reports whether no room id is kept any more.
func (s *Store) Gone(ctx context.Context, id string) bool {
	_, err := s.owners.Get(ctx, s.ownerKey(id))
	return errors.Is(err, jetstream.ErrKeyNotFound)
}

// Owner returns the node that owns room id and that node's epoch (empty
// when nobody does: the room was handed over), or ErrGone.
func (s *Store) Owner(ctx context.Context, id string) (node, epoch string, err error) {
	e, err := s.owners.Get(ctx, s.ownerKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", "", ErrGone
	}
	if err != nil {
		return "", "", fmt.Errorf("store: owner: %w", err)
	}
	var o owner
	if err := msgpack.Unmarshal(e.Value(), &o); err != nil {
		return "", "", fmt.Errorf("store: owner: %w", err)
	}
	return o.Node, o.Epoch, nil
}

// Seal seals b with the service's key under name: what the service's
// registry keeps of a place's id (package cluster).
func (s *Store) Seal(name string, b []byte) []byte { return seal(s.master, name, "", b) }

// Open opens what Seal sealed under name.
func (s *Store) Open(name string, sealed []byte) ([]byte, error) {
	_, b, err := open(s.master, name, sealed)
	return b, err
}

// Hash is a keyed hash of b under the service's key: a name for b that
// says nothing of it to anyone without the key.
func (s *Store) Hash(b []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil)[:20])
}
