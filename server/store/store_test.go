package store

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{Dir: dir, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadAll(t testing.TB, s *Store, keep func([]byte) bool) [][]byte {
	t.Helper()
	var out [][]byte
	err := s.Load(context.Background(), func(b []byte) bool {
		out = append(out, b)
		return keep == nil || keep(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

func TestSnapshotsOutliveTheStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openStore(t, dir)
	for rev := range 5 {
		for _, id := range []string{"AAAA", "BBBB", "CCCC"} {
			if err := s.Save(ctx, id, fmt.Appendf(nil, "%s rev %d", id, rev)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Delete(ctx, "BBBB"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "never saved"); err != nil {
		t.Fatalf("erasing what is not there: %v", err)
	}
	s.Close()

	s = openStore(t, dir)
	defer s.Close()
	got := loadAll(t, s, nil)
	want := [][]byte{[]byte("AAAA rev 4"), []byte("CCCC rev 4")}
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("loaded %q, want %q", got, want)
	}
	// A room restored carries on with the key it had.
	if err := s.Save(ctx, "AAAA", []byte("AAAA rev 5")); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, nil); string(got[0]) != "AAAA rev 5" {
		t.Fatalf("after another save: %q", got)
	}
}

func TestLoadErasesWhatItIsNotToKeep(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openStore(t, dir)
	defer s.Close()
	for _, id := range []string{"keep", "drop"} {
		if err := s.Save(ctx, id, []byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	// A snapshot whose key is gone, and a key with no snapshot: what an
	// erase cut short by a crash leaves.
	if err := s.erase(ctx, keyKey(s.rooms["drop"].name)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.kv.Create(ctx, keyKey("lonely"), make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "refused", []byte("refused")); err != nil {
		t.Fatal(err)
	}
	got := loadAll(t, s, func(b []byte) bool { return string(b) != "refused" })
	if len(got) != 2 || string(got[0]) != "keep" || string(got[1]) != "refused" {
		t.Fatalf("first load: %q", got)
	}
	if got := loadAll(t, s, nil); len(got) != 1 || string(got[0]) != "keep" {
		t.Fatalf("second load: %q", got)
	}
	keys, err := s.kv.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for k := range keys.Keys() {
		left = append(left, k)
	}
	keep := s.rooms["keep"].name
	if want := []string{keyKey(keep), snapKey(keep)}; !slices.Equal(sorted(left), sorted(want)) {
		t.Fatalf("keys left %q, want %q", left, want)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestErasedRoomLeavesNothingOnDisk saves one room many times, among other
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
	for rev := range 120 {
		if err := s.Save(ctx, gone, secret(rev)); err != nil {
			t.Fatal(err)
		}
		if rev%10 == 0 {
			for i := range 3 {
				if err := s.Save(ctx, fmt.Sprintf("STAYS%d", i), fmt.Appendf(nil, "still playing %d", rev)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	name := s.rooms[gone].name
	e, err := s.kv.Get(ctx, keyKey(name))
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Clone(e.Value())

	// While the room lives, its data is on disk only sealed.
	s.Close()
	if hits := search(t, dir, []byte("Nuori-Salanimi"), []byte("still playing"), []byte(gone)); len(hits) > 0 {
		t.Fatalf("snapshots are stored in the clear: %v", hits)
	}
	s = openStore(t, dir)
	if got := loadAll(t, s, nil); len(got) != 4 {
		t.Fatalf("%d rooms loaded, want 4", len(got))
	}
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if hits := search(t, dir, []byte("Nuori-Salanimi"), []byte("salaisuuteni"), []byte(gone), key); len(hits) > 0 {
		t.Fatalf("the erased room left traces: %v", hits)
	}
	s = openStore(t, dir)
	defer s.Close()
	if got := loadAll(t, s, nil); len(got) != 3 {
		t.Fatalf("%d rooms left, want the 3 that stay", len(got))
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
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats did not start")
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: ns.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Save(ctx, "ROOM", []byte("snapshot")); err != nil {
		t.Fatal(err)
	}
	if got := loadAll(t, s, nil); len(got) != 1 || string(got[0]) != "snapshot" {
		t.Fatalf("loaded %q", got)
	}
	if err := s.Delete(ctx, "ROOM"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Rooms(ctx); err != nil || n != 0 {
		t.Fatalf("%d rooms left (%v)", n, err)
	}

	// A bucket made the usual way keeps deletes out.
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "plain"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Options{URL: ns.ClientURL(), Bucket: "plain"}); err == nil || !strings.Contains(err.Error(), "could not be erased") {
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
	if err := s.Save(ctx, "ROOM", secret); err != nil {
		t.Fatal(err)
	}
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
	filepath.WalkDir(stolen, func(path string, d fs.DirEntry, err error) error {
		if b, _ := os.ReadFile(path); bytes.Contains(b, secret) || bytes.Contains(b, []byte("ROOM")) {
			t.Errorf("%s holds the room in the clear", path)
		}
		return nil
	})
	thief := openStore(t, stolen)
	if got := loadAll(t, thief, nil); len(got) != 0 {
		t.Fatalf("a copy without the key file opened %q", got)
	}
	thief.Close()

	// With the key file, a copy is the rooms (a backup restored).
	restored := copyOf()
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	back, err := Open(ctx2, Options{Dir: restored, KeyFile: DefaultKeyFile(dir), Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if got := loadAll(t, back, nil); len(got) != 1 || !bytes.Equal(got[0], secret) {
		t.Fatalf("with the key file: %q", got)
	}
	// A key file that is not one is refused, not overwritten.
	bad := filepath.Join(base, "bad.key")
	os.WriteFile(bad, []byte("salasana\n"), 0o600)
	if _, err := Open(ctx2, Options{Dir: t.TempDir(), KeyFile: bad, Log: zerolog.Nop()}); err == nil {
		t.Fatal("a key file that holds no key was taken")
	}
}
