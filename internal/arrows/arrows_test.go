package arrows

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/pore/elamanipeli/"

// imports is one Go file's imports, by module-relative path.
type imports struct {
	path string // module-relative, e.g. server/room/room.go
	test bool
	list []string
}

// walk parses the imports of every Go file in the module.
func walk(t *testing.T) []imports {
	t.Helper()
	var out []imports
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../..", path)
		im := imports{path: filepath.ToSlash(rel), test: strings.HasSuffix(path, "_test.go")}
		for _, s := range f.Imports {
			p, _ := strconv.Unquote(s.Path.Value)
			im.list = append(im.list, p)
		}
		out = append(out, im)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("only %d files found: is the walk looking in the right place?", len(out))
	}
	return out
}

// side is the top-level folder a file or an import of this module is in.
func side(p string) string { return strings.SplitN(p, "/", 2)[0] }

func TestTheArrowsHold(t *testing.T) {
	allowedInShared := []string{"github.com/vmihailenco/msgpack/v5"}
	// shared/ is the same code on both sides and replays the same way
	// everywhere: no clock, no randomness, no I/O (its tests may time
	// and read what they like).
	banned := []string{"time", "math/rand", "math/rand/v2", "crypto/rand", "os", "os/exec", "net", "net/http", "syscall", "syscall/js", "unsafe"}
	for _, f := range walk(t) {
		from := side(f.path)
		for _, p := range f.list {
			own, ok := strings.CutPrefix(p, module)
			to := side(own)
			switch {
			case from == "shared" && ok && to != "shared":
				t.Errorf("%s imports %s: shared/ imports nothing of the server, the client or their harness", f.path, p)
			case from == "shared" && !ok && !f.test && strings.Contains(side(p), ".") && !slices.Contains(allowedInShared, p):
				t.Errorf("%s imports %s: shared/ may import only the standard library and the codec", f.path, p)
			case from == "shared" && !ok && !f.test && slices.Contains(banned, p):
				t.Errorf("%s imports %s: shared/ stays free of clocks, randomness and I/O", f.path, p)
			case from == "server" && to == "client", from == "client" && to == "server":
				t.Errorf("%s imports %s: the server and the client never import each other, not even in tests (a harness for both goes in internal/)", f.path, p)
			case (from == "server" || from == "client") && to == "internal" && !f.test:
				t.Errorf("%s imports %s: internal/ is the tests' harness", f.path, p)
			}
		}
	}
}
