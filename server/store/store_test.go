package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/server/node"
)

// kept is a node and its store.
type kept struct {
	*Store
	n *node.Node
}

func (k kept) Close() { k.n.Close() }

// openStore starts a node alone in dir (its key file beside it) and opens
// its store.
func openStore(t testing.TB, dir string) kept {
	t.Helper()
	return openWith(t, node.Options{Dir: dir}, DefaultKeyFile(dir))
}

func openWith(t testing.TB, o node.Options, keyFile string) kept {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	key, err := ReadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	o.Secret, o.Log = key, log
	n, err := node.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Options{Node: n, Key: key, Log: log})
	if err != nil {
		n.Close()
		t.Fatal(err)
	}
	k := kept{s, n}
	t.Cleanup(k.Close)
	return k
}

// takeAll takes over every orphan and returns what was kept, by room id.
func takeAll(t testing.TB, s kept) (map[string]Kept, map[string]*Claim) {
	t.Helper()
	ctx := context.Background()
	ids, err := s.Orphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, claims := map[string]Kept{}, map[string]*Claim{}
	for _, id := range ids {
		c, k, err := s.TakeOver(ctx, id)
		if err != nil {
			t.Fatalf("take over %s: %v", id, err)
		}
		out[id], claims[id] = k, c
	}
	return out, claims
}

// logged counts the messages in c's room's log.
func logged(t testing.TB, c *Claim) uint64 {
	t.Helper()
	subject := c.s.logPrefix + c.name
	info, err := c.s.log.Info(context.Background(), jetstream.WithSubjectFilter(subject))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// Log is Append that waits for the outcome: the tests' way to append.
func (c *Claim) Log(ctx context.Context, batch []byte, last uint64) error {
	out := make(chan error, 1)
	c.Append(ctx, batch, last, func(err error) { out <- err })
	return <-out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRoomsOutliveTheNode: rooms written, logged and handed over (or left
// by a node that went) come back on the next node, their snapshot and the
// log after it, in order; a snapshot lets go of the log it holds.
func TestRoomsOutliveTheNode(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openStore(t, dir)
	rooms := map[string]*Claim{}
	for _, id := range []string{"AAAA", "BBBB", "CCCC"} {
		c, err := s.Create(ctx, id, []byte(id+" snapshot 0"))
		must(t, err)
		rooms[id] = c
	}
	// AAAA saves twice: once with a few messages behind its snapshot,
	// which stay until there are more, and once with trimAfter of them,
	// which go.
	const early, saved, last = 3, trimAfter + 1, trimAfter + 4
	for i := uint64(1); i <= last; i++ {
		for id, c := range rooms {
			must(t, c.Log(ctx, fmt.Appendf(nil, "%s entry %d", id, i), i))
		}
		if i == early || i == saved {
			must(t, rooms["AAAA"].Save(ctx, fmt.Appendf(nil, "AAAA snapshot %d", i), i))
		}
		if i == early {
			if n := logged(t, rooms["AAAA"]); n != early {
				t.Fatalf("%d messages in AAAA's log after its first snapshot, want all %d", n, early)
			}
		}
	}
	must(t, rooms["BBBB"].Erase(ctx))
	must(t, rooms["AAAA"].Release(ctx)) // handed over; CCCC's node simply goes
	s.Close()

	s = openStore(t, dir)
	got, claims := takeAll(t, s)
	if len(got) != 2 {
		t.Fatalf("rooms back: %v", got)
	}
	a := got["AAAA"]
	if want := fmt.Sprintf("AAAA snapshot %d", saved); string(a.Snapshot) != want {
		t.Fatalf("AAAA's snapshot %q, want %q", a.Snapshot, want)
	}
	var after []string
	for _, b := range a.Log {
		if b.Last > saved {
			after = append(after, string(b.Data))
		}
	}
	if want := []string{fmt.Sprintf("AAAA entry %d", saved+1), fmt.Sprintf("AAAA entry %d", saved+2), fmt.Sprintf("AAAA entry %d", saved+3)}; !slices.Equal(after, want) {
		t.Fatalf("AAAA's log after its snapshot: %q", after)
	}
	if len(a.Log) > 4 {
		t.Fatalf("the snapshot did not let go of the log before it: %d messages", len(a.Log))
	}
	if c := got["CCCC"]; string(c.Snapshot) != "CCCC snapshot 0" || len(c.Log) != last || string(c.Log[last-1].Data) != fmt.Sprintf("CCCC entry %d", last) {
		t.Fatalf("CCCC came back as %q with %d log messages", c.Snapshot, len(c.Log))
	}
	// A room taken over carries on with the key it had.
	must(t, claims["AAAA"].Log(ctx, []byte("AAAA entry next"), last+1))
	must(t, claims["AAAA"].Save(ctx, []byte("AAAA snapshot next"), last+1))
	if n, err := s.Rooms(ctx); err != nil || n != 2 {
		t.Fatalf("%d rooms (%v)", n, err)
	}
}

// unanswered is an owners bucket whose Update goes through but whose
// answer is lost (a leader elected meanwhile), and then runs ranOut, as
// the caller's context running out as it waited would.
type unanswered struct {
	jetstream.KeyValue
	ranOut func()
}

func (u unanswered) Update(_ context.Context, key string, value []byte, last uint64) (uint64, error) {
	if _, err := u.KeyValue.Update(context.Background(), key, value, last); err != nil {
		return 0, err
	}
	u.ranOut()
	return 0, context.DeadlineExceeded
}

func (u unanswered) Create(_ context.Context, key string, value []byte, _ ...jetstream.KVCreateOpt) (uint64, error) {
	if _, err := u.KeyValue.Create(context.Background(), key, value); err != nil {
		return 0, err
	}
	u.ranOut()
	return 0, context.DeadlineExceeded
}

// TestATakeOverWhoseAnswerWasLostGivesTheRoomBack: a takeover whose owner
// update went through unanswered (and whose caller's time ran out) hands
// the room back, rather than leave it owned by this node, alive, and
// running nowhere.
func TestATakeOverWhoseAnswerWasLostGivesTheRoomBack(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	c, err := s.Create(ctx, "ROOM", []byte("snapshot"))
	must(t, err)
	must(t, c.Log(ctx, []byte("entry 1"), 1))
	must(t, c.Release(ctx))

	owners := s.owners
	cctx, cancel := context.WithCancel(ctx)
	s.owners = unanswered{owners, cancel}
	if _, _, err := s.TakeOver(cctx, "ROOM"); err == nil {
		t.Fatal("a takeover went on without its answer")
	}
	s.owners = owners
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, _, err := s.Owner(ctx, "ROOM")
		must(t, err)
		if n == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the room stayed %s's after a takeover without its answer", n)
		}
	}
	c, k, err := s.TakeOver(ctx, "ROOM")
	must(t, err)
	if string(k.Snapshot) != "snapshot" || len(k.Log) != 1 || string(k.Log[0].Data) != "entry 1" {
		t.Fatalf("the room came back as %q with %d log messages", k.Snapshot, len(k.Log))
	}
	must(t, c.Erase(ctx))
}

// TestACreateWhoseAnswerWasLostLeavesNothing: a new room whose owner entry
// was written unanswered is not made, and nothing of it stays: no owner
// entry, no key, no snapshot.
func TestACreateWhoseAnswerWasLostLeavesNothing(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	owners := s.owners
	cctx, cancel := context.WithCancel(ctx)
	s.owners = unanswered{owners, cancel}
	if _, err := s.Create(cctx, "ROOM", []byte("snapshot")); err == nil {
		t.Fatal("a room was made without its answer")
	}
	s.owners = owners
	left := func() []string {
		var out []string
		if !s.Gone(ctx, "ROOM") {
			out = append(out, "its owner entry")
		}
		info, err := s.stream.Info(ctx) // the bucket of keys and snapshots
		must(t, err)
		if n := info.State.Msgs; n > 0 {
			out = append(out, fmt.Sprintf("%d records (its key, its snapshot)", n))
		}
		return out
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		l := left()
		if len(l) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v stayed of a room not made", l)
		}
	}
}

// TestOwnersListsThisNodesRooms: the owners bucket's pass lists the rooms
// this node owns under its lease; one given back as listed is an orphan,
// and a listing grown stale is not given back.
func TestOwnersListsThisNodesRooms(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	if _, err := s.Create(ctx, "ROOM", []byte("snapshot")); err != nil {
		t.Fatal(err)
	}
	orphans, mine, err := s.Owners(ctx)
	must(t, err)
	if len(orphans) != 0 || len(mine) != 1 || mine[0].ID != "ROOM" {
		t.Fatalf("orphans %v, mine %+v", orphans, mine)
	}
	must(t, s.GiveBack(ctx, mine[0]))
	if orphans, mine, err = s.Owners(ctx); err != nil || len(mine) != 0 || !slices.Equal(orphans, []string{"ROOM"}) {
		t.Fatalf("after the room was given back: orphans %v, mine %+v (%v)", orphans, mine, err)
	}
	c2, _, err := s.TakeOver(ctx, "ROOM")
	must(t, err)
	_, mine, err = s.Owners(ctx)
	must(t, err)
	stale := mine[0]
	stale.Rev--
	if err := s.GiveBack(ctx, stale); !errors.Is(err, ErrFenced) {
		t.Fatalf("a stale listing given back: %v", err)
	}
	must(t, c2.Erase(ctx))
}

// TestASaveWhoseAnswerWasLostIsKept: a snapshot written unanswered is
// the claim's all the same, and the room's next save goes on from it
// instead of finding itself fenced.
func TestASaveWhoseAnswerWasLostIsKept(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	c, err := s.Create(ctx, "ROOM", []byte("snapshot 0"))
	must(t, err)
	kv := s.kv
	s.kv = unanswered{kv, func() {}}
	must(t, c.Save(ctx, []byte("snapshot 1"), 0))
	s.kv = kv
	must(t, c.Save(ctx, []byte("snapshot 2"), 0))
	must(t, c.Release(ctx))
	c, k, err := s.TakeOver(ctx, "ROOM")
	must(t, err)
	if string(k.Snapshot) != "snapshot 2" {
		t.Fatalf("the room came back as %q", k.Snapshot)
	}
	must(t, c.Erase(ctx))
}

// external starts a NATS server on a loopback port, as an existing NATS a
// service points at.
func external(t testing.TB) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats did not start")
	}
	return ns
}

// TestOneOwnerAtATime: two nodes of one service (both on one NATS): a room
// a live node owns is not taken from it; once that node's lease is gone,
// the other takes the room over, and from then on the first node's writes
// of it fail, whatever it had in flight.
func TestOneOwnerAtATime(t *testing.T) {
	ns := external(t)
	keyFile := filepath.Join(t.TempDir(), "service.key")
	lease := 600 * time.Millisecond
	a := openWith(t, node.Options{Name: "a", URL: ns.ClientURL(), Lease: lease}, keyFile)
	b := openWith(t, node.Options{Name: "b", URL: ns.ClientURL(), Lease: lease}, keyFile)
	ctx := context.Background()
	ca, err := a.Create(ctx, "ROOM", []byte("snapshot by a"))
	must(t, err)
	must(t, ca.Log(ctx, []byte("a 1"), 1))
	if _, _, err := b.TakeOver(ctx, "ROOM"); !errors.Is(err, ErrOwned) {
		t.Fatalf("taking a live node's room: %v", err)
	}
	if ids, _ := b.Orphans(ctx); len(ids) != 0 {
		t.Fatalf("orphans while a lives: %v", ids)
	}
	if _, _, err := b.TakeOver(ctx, "NONE"); !errors.Is(err, ErrGone) {
		t.Fatalf("a room that is not kept: %v", err)
	}

	// a's lease lapses (as a paused or cut-off process's would), while a
	// still has its connection and its claim.
	nodes, err := b.n.JetStream().KeyValue(ctx, "nodes")
	must(t, err)
	must(t, nodes.Delete(ctx, "a"))
	var cb *Claim
	var k Kept
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if cb, k, err = b.TakeOver(ctx, "ROOM"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b never took the room over: %v", err)
		}
	}
	if string(k.Snapshot) != "snapshot by a" || len(k.Log) != 1 || string(k.Log[0].Data) != "a 1" {
		t.Fatalf("b found %q and %d log messages", k.Snapshot, len(k.Log))
	}
	if cb.Epoch() == "" || cb.Epoch() != b.n.Epoch() {
		t.Fatalf("b's claim is under epoch %q, its lease's is %q", cb.Epoch(), b.n.Epoch())
	}
	// a's claim is fenced: nothing it writes lands.
	if err := ca.Log(ctx, []byte("a 2"), 2); !errors.Is(err, ErrFenced) {
		t.Fatalf("a's log after the takeover: %v", err)
	}
	if err := ca.Save(ctx, []byte("snapshot by a, late"), 2); !errors.Is(err, ErrFenced) {
		t.Fatalf("a's save after the takeover: %v", err)
	}
	// Nor does a's hand-over (a room a lets go of): the room stays b's.
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	err = ca.Release(rctx)
	rcancel()
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("a's hand-over after the takeover: %v", err)
	}
	if ids, _ := b.Orphans(ctx); len(ids) != 0 {
		t.Fatalf("a handed b's room over: orphans %v", ids)
	}
	// Nor does a's erasure (the room ended, as a saw it): b's room stays
	// whole (its snapshot is read below).
	if err := ca.Erase(ctx); !errors.Is(err, ErrFenced) {
		t.Fatalf("a's erasure after the takeover: %v", err)
	}
	must(t, cb.Log(ctx, []byte("b 2"), 2))
	must(t, cb.Release(ctx))
	c2, k2, err := b.TakeOver(ctx, "ROOM")
	must(t, err)
	var data []string
	for _, batch := range k2.Log {
		data = append(data, string(batch.Data))
	}
	if string(k2.Snapshot) != "snapshot by a" || !slices.Equal(data, []string{"a 1", "b 2"}) {
		t.Fatalf("after the takeovers: %q, log %q", k2.Snapshot, data)
	}
	must(t, c2.Erase(ctx))
}

// TestAnErasureCutShortIsFinishedByTheNextTakeOver: a room whose erasure
// stopped after its key (the store failing on the way, or the node going)
// stays listed, since Erase drops the owner entry last; the node that takes
// it over next finds the key gone, erases the rest and reports the room
// gone, rather than bring it back or leave its snapshot and log for good.
func TestAnErasureCutShortIsFinishedByTheNextTakeOver(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	c, err := s.Create(ctx, "ROOM", []byte("snapshot"))
	must(t, err)
	must(t, c.Log(ctx, []byte("entry 1"), 1))
	must(t, s.erase(ctx, keyKey(c.name))) // and no further
	must(t, c.Release(ctx))               // as the sweep gives back a room running nowhere
	if _, _, err := s.TakeOver(ctx, "ROOM"); !errors.Is(err, ErrGone) {
		t.Fatalf("taking over a room whose key is erased: %v, want ErrGone", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left := remains(t, c)
		if len(left) == 0 && s.Gone(ctx, "ROOM") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the takeover the store keeps %v, the room gone: %v", left, s.Gone(ctx, "ROOM"))
		}
	}
}

// TestErasedRoomLeavesNothingOnDisk writes one room many times, among other
// rooms that stay, erases it, and searches every byte of the data folder for
// its text, its id, its storage name and its key.
func TestErasedRoomLeavesNothingOnDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openStore(t, dir)

	secret := func(rev int) []byte {
		// Large enough that the revisions fill more than one 4 MiB block.
		return append(fmt.Appendf(nil, "Nuori-Salanimi typed: minun salaisuuteni %d ", rev), bytes.Repeat([]byte("x"), 64<<10)...)
	}
	const gone = "GONEROOM1234"
	c, err := s.Create(ctx, gone, secret(0))
	must(t, err)
	stays := map[string]*Claim{}
	for i := range 3 {
		id := fmt.Sprintf("STAYS%d", i)
		if stays[id], err = s.Create(ctx, id, []byte("still playing")); err != nil {
			t.Fatal(err)
		}
	}
	for rev := 1; rev < 120; rev++ {
		must(t, c.Log(ctx, fmt.Appendf(nil, "Nuori-Salanimi: log entry %d", rev), uint64(rev)))
		if rev%4 == 0 {
			must(t, c.Save(ctx, secret(rev), uint64(rev)))
		}
		if rev%10 == 0 {
			for _, sc := range stays {
				must(t, sc.Log(ctx, fmt.Appendf(nil, "still playing %d", rev), uint64(rev/10)))
			}
		}
	}
	e, err := s.kv.Get(ctx, keyKey(c.name))
	must(t, err)
	key := bytes.Clone(e.Value())
	name := c.name

	// While the room lives, its data is on disk only sealed.
	s.Close()
	if hits := search(t, dir, []byte("Nuori-Salanimi"), []byte("still playing"), []byte(gone)); len(hits) > 0 {
		t.Fatalf("rooms are stored in the clear: %v", hits)
	}
	s = openStore(t, dir)
	got, claims := takeAll(t, s)
	if len(got) != 4 {
		t.Fatalf("%d rooms back, want 4", len(got))
	}
	must(t, claims[gone].Erase(ctx))
	for id, c := range claims {
		if id != gone {
			must(t, c.Release(ctx))
		}
	}
	s.Close()

	if hits := search(t, dir, []byte("Nuori-Salanimi"), []byte("salaisuuteni"), []byte(gone), key); len(hits) > 0 {
		t.Fatalf("the erased room left traces: %v", hits)
	}
	s = openStore(t, dir)
	if got, _ := takeAll(t, s); len(got) != 3 {
		t.Fatalf("%d rooms left, want the 3 that stay", len(got))
	}
	if s.log != nil {
		info, err := s.log.Info(ctx, jetstream.WithSubjectFilter(s.logPrefix+name))
		must(t, err)
		if len(info.State.Subjects) != 0 {
			t.Fatalf("the erased room's log is still there: %v", info.State.Subjects)
		}
	}
}

// search returns where in the files under dir any of needles occurs.
func search(t testing.TB, dir string, needles ...[]byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if i := bytes.Index(b, n); i >= 0 {
				rel, _ := filepath.Rel(dir, path)
				hits = append(hits, fmt.Sprintf("%q in %s at %d", n, rel, i))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// With -nats the store talks to a NATS server elsewhere (here one on a
// loopback port), and refuses a bucket in which rooms could not be erased.
func TestExternalNATS(t *testing.T) {
	ns := external(t)
	ctx := context.Background()
	keyFile := filepath.Join(t.TempDir(), "service.key")
	s := openWith(t, node.Options{URL: ns.ClientURL()}, keyFile)
	c, err := s.Create(ctx, "ROOM", []byte("snapshot"))
	must(t, err)
	must(t, c.Erase(ctx))
	if n, err := s.Rooms(ctx); err != nil || n != 0 {
		t.Fatalf("%d rooms left (%v)", n, err)
	}

	// A bucket made the usual way keeps deletes out.
	nc, err := nats.Connect(ns.ClientURL())
	must(t, err)
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "plain"}); err != nil {
		t.Fatal(err)
	}
	key, _ := ReadKeyFile(keyFile)
	if _, err := Open(ctx, Options{Node: s.n, Key: key, Bucket: "plain"}); err == nil || !strings.Contains(err.Error(), "could not be erased") {
		t.Fatalf("opening a bucket that refuses deletes: %v", err)
	}
}

// TestACopyOfTheDataFolderOpensNothingWithoutTheKeyFile: the rooms' keys
// are sealed under the key file, which is not in the data folder, so a copy
// of the folder taken while rooms live opens nothing on its own.
func TestACopyOfTheDataFolderOpensNothingWithoutTheKeyFile(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	dir := filepath.Join(base, "data")
	s := openStore(t, dir)
	secret := []byte("Nuoren vastaus, jonka ei pidä jäädä minnekään")
	c, err := s.Create(ctx, "HUONE7391", secret)
	must(t, err)
	must(t, c.Log(ctx, secret, 1))
	s.Close()
	if _, err := os.Stat(DefaultKeyFile(dir)); err != nil || strings.HasPrefix(DefaultKeyFile(dir), dir+string(filepath.Separator)) {
		t.Fatalf("the key file %s: %v", DefaultKeyFile(dir), err)
	}
	copyOf := func() string {
		to := filepath.Join(t.TempDir(), "copy")
		if err := os.CopyFS(to, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		return to
	}

	// The copy, with a key file of its own (made anew), opens nothing.
	stolen := copyOf()
	if hits := search(t, stolen, secret, []byte("HUONE7391")); len(hits) > 0 {
		t.Fatalf("the room in the clear: %v", hits)
	}
	thief := openStore(t, stolen)
	ids, _ := thief.Orphans(ctx)
	if len(ids) != 0 {
		t.Fatalf("a copy without the key file names rooms: %q", ids)
	}
	thief.Close()

	// With the key file, a copy is the rooms (a backup restored).
	restored := copyOf()
	back := openWith(t, node.Options{Dir: restored}, DefaultKeyFile(dir))
	got, _ := takeAll(t, back)
	if k := got["HUONE7391"]; !bytes.Equal(k.Snapshot, secret) || len(k.Log) != 1 || !bytes.Equal(k.Log[0].Data, secret) {
		t.Fatalf("with the key file: %v", got)
	}
	// A key file that is not one is refused, not overwritten.
	bad := filepath.Join(base, "bad.key")
	os.WriteFile(bad, []byte("salasana\n"), 0o600)
	if _, err := ReadKeyFile(bad); err == nil {
		t.Fatal("a key file that holds no key was taken")
	}
}

// TestServersStartingTogetherShareOneKey: servers of a service that start
// at the same moment with one new key file all read the same whole key.
func TestServersStartingTogetherShareOneKey(t *testing.T) {
	dir := t.TempDir()
	for round := range 30 {
		path := filepath.Join(dir, fmt.Sprintf("service-%d.key", round))
		keys := make([][]byte, 6)
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys[i], errs[i] = ReadKeyFile(path)
			}()
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("round %d, server %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: servers read different keys", round)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}
}
