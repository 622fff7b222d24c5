package deckfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/pore/elamanipeli/shared/deck"
)

// FileProblems are the problems of one file.
type FileProblems struct {
	Name     string // the file, as LoadFS or LoadDir was given it
	Problems Problems
}

// LoadError is every problem of every deck file in a folder.
type LoadError []FileProblems

// Error lists the problems in English, one a line, each after its file name.
func (e LoadError) Error() string {
	var b strings.Builder
	for _, f := range e {
		for _, m := range f.Problems.Messages("en") {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(f.Name + ": " + m)
		}
	}
	return b.String()
}

// LoadFS reads every *.yaml, *.yml and *.csv file in dir of fsys, sorted by
// name. If any file has a problem, or two files share a deck id, it returns
// no decks and a LoadError with every problem of every file.
func LoadFS(fsys fs.FS, dir string) ([]*deck.Deck, error) {
	return load(fsys, dir, func(name string) string { return path.Join(dir, name) })
}

// LoadDir is LoadFS for a folder on disk.
func LoadDir(dir string) ([]*deck.Deck, error) {
	return load(os.DirFS(dir), ".", func(name string) string { return filepath.Join(dir, name) })
}

func load(fsys fs.FS, dir string, display func(string) string) ([]*deck.Deck, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("deckfile: %w", err)
	}
	// The files are read in order, parsed at the same time on all cores but
	// one (YAML parsing is most of a server's start-up, and the server
	// already serves meanwhile), and judged in order again, so that the
	// first of two files with one deck id keeps it.
	type parsed struct {
		name string
		d    *deck.Deck
		ix   *index
		ps   Problems
	}
	var files []*parsed
	var wg sync.WaitGroup
	cores := make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 1))
	for _, e := range entries {
		name := e.Name()
		switch strings.ToLower(ext(name)) {
		case ".yaml", ".yml", ".csv":
		default:
			continue
		}
		if e.IsDir() {
			continue
		}
		data, size, err := readFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("deckfile: %w", err)
		}
		f := &parsed{name: name}
		files = append(files, f)
		if size > MaxUpload {
			f.ps = Problems{{Code: CodeTooLarge, Args: []string{strconv.FormatInt(size, 10), strconv.Itoa(MaxUpload)}}}
			continue
		}
		wg.Go(func() {
			cores <- struct{}{}
			defer func() { <-cores }()
			f.d, f.ix, f.ps = parse(name, data)
		})
	}
	wg.Wait()
	var decks []*deck.Deck
	var bad LoadError
	owner := map[string]string{} // deck id → the file that has it
	for _, f := range files {
		d, ps := f.d, f.ps
		if d != nil {
			if other, dup := owner[d.ID]; dup {
				ps = Problems{{Line: f.ix.at("id"), Code: CodeDupDeck, Args: []string{d.ID, other}}}
			} else {
				owner[d.ID] = display(f.name)
			}
		}
		if len(ps) > 0 {
			bad = append(bad, FileProblems{Name: display(f.name), Problems: ps})
			continue
		}
		decks = append(decks, d)
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return decks, nil
}

// readFile reads at most one byte more than MaxUpload, so that a huge file
// is refused without being read whole. size is the file's whole size.
func readFile(fsys fs.FS, name string) (data []byte, size int64, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, MaxUpload+1))
	if err != nil {
		return nil, 0, err
	}
	size = int64(len(data))
	if fi, err := f.Stat(); err == nil && fi.Size() > size {
		size = fi.Size()
	}
	return data, size, nil
}
