package deck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSharedImportsStayPure guards the rule that everything under shared/
// imports the standard library and the codec alone, and nothing that reads a
// clock, a random source, a file or the network.
func TestSharedImportsStayPure(t *testing.T) {
	const module = "github.com/pore/elamanipeli/shared/"
	allowed := map[string]bool{"github.com/vmihailenco/msgpack/v5": true}
	banned := []string{"time", "math/rand", "math/rand/v2", "crypto/rand", "os", "os/exec", "net", "net/http", "syscall", "syscall/js", "unsafe"}
	root := ".."
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		n++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first := strings.SplitN(p, "/", 2)[0]
			switch {
			case strings.HasPrefix(p, module), allowed[p]:
			case strings.Contains(first, "."):
				t.Errorf("%s imports %s: shared/ may import only the standard library and the codec", path, p)
			default:
				for _, b := range banned {
					if p == b {
						t.Errorf("%s imports %s: shared/ stays free of clocks, randomness and I/O", path, p)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("only %d files checked: is the walk looking in the right place?", n)
	}
}
