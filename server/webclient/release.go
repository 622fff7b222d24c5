package webclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// A release build carries the client inside the server binary, compiled and
// compressed when the release is built: `go run ./internal/release` has a
// ready Client write its files with WriteRelease into the folder release/
// beside this file, and the build tag release embeds that folder
// (embed_release.go). Its manifest, client.json, gives each file's URL and
// the size and ETag of each encoding, so that a release server serves the
// client the moment it starts, without reading, hashing or compressing
// anything, and without Go, a cache folder or a network.

// ReleaseDir is the folder, relative to this package's, that a release
// build embeds. It is made by WriteRelease and never committed.
const ReleaseDir = "release"

const manifestName = "client.json"

// embedded is the release client compiled into this binary: nil without the
// release build tag.
var embedded fs.FS

// manifest describes a release client.
type manifest struct {
	Hash  string         `json:"hash"` // SHA-256 of app.wasm and wasm_exec.js, as for a prebuilt client
	Files []manifestFile `json:"files"`
}

type manifestFile struct {
	Name      string        `json:"name"` // app.wasm or wasm_exec.js
	URL       string        `json:"url"`
	Encodings []manifestRep `json:"encodings"` // identity, gzip, brotli
}

type manifestRep struct {
	Encoding string `json:"encoding"` // Content-Encoding: "", gzip or br
	File     string `json:"file"`
	Size     int64  `json:"size"`
	ETag     string `json:"etag"`
}

// EmbeddedHash is the hash of the client compiled into this binary, empty
// when there is none (a build without the release tag builds the client
// when it starts).
func EmbeddedHash() string {
	if embedded == nil {
		return ""
	}
	m, err := readManifest(embedded)
	if err != nil {
		return ""
	}
	return m.Hash
}

// Hash names the client being served: the hash of its files for a release
// or prebuilt client, the hash of the build's inputs for a client built
// here. Empty until the client is ready.
func (c *Client) Hash() string {
	if b := c.state.Load().bundle; b != nil {
		return b.key
	}
	return ""
}

// WriteRelease waits for the client's background work and writes its files,
// in every encoding, into dir for a release build to embed. dir is replaced
// whole, so that no earlier release's files go into the binary. It returns
// the client's hash.
func (c *Client) WriteRelease(ctx context.Context, dir string) (string, error) {
	if err := c.Wait(ctx); err != nil {
		return "", err
	}
	b := c.state.Load().bundle
	for _, a := range []*asset{b.wasm, b.exec} {
		for enc, r := range a.reps {
			if r == nil {
				return "", fmt.Errorf("webclient: release: no %q copy of the client (brotli failed or is off)", encNames[enc])
			}
		}
	}
	hash, err := contentKey(b.wasm.reps[encIdentity], b.exec.reps[encIdentity])
	if err != nil {
		return "", fmt.Errorf("webclient: release: %w", err)
	}
	m := manifest{Hash: hash}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("webclient: release: %w", err)
	}
	defer os.RemoveAll(tmp) // nothing left after the rename
	for _, f := range []struct {
		name, url string
		a         *asset
	}{
		{wasmName, "/app." + hash[:12] + ".wasm", b.wasm},
		{execName, "/wasm_exec." + hash[:12] + ".js", b.exec},
	} {
		mf := manifestFile{Name: f.name, URL: f.url}
		for enc, r := range f.a.reps {
			file := path.Base(f.url) + encExt[enc]
			err := writeAtomic(filepath.Join(tmp, file), func(w io.Writer) error {
				_, err := io.Copy(w, io.NewSectionReader(r.r, 0, r.size))
				return err
			})
			if err != nil {
				return "", fmt.Errorf("webclient: release: %w", err)
			}
			mf.Encodings = append(mf.Encodings, manifestRep{Encoding: encNames[enc], File: file, Size: r.size, ETag: r.etag})
		}
		m.Files = append(m.Files, mf)
	}
	js, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, manifestName), append(js, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("webclient: release: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("webclient: release: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("webclient: release: %w", err)
	}
	return hash, nil
}

// contentKey hashes a client's app.wasm and wasm_exec.js, as prebuiltKey
// does the files in a folder.
func contentKey(wasm, exec *rep) (string, error) {
	return hashFiles(io.NewSectionReader(wasm.r, 0, wasm.size), io.NewSectionReader(exec.r, 0, exec.size))
}

func readManifest(fsys fs.FS) (manifest, error) {
	var m manifest
	data, err := fs.ReadFile(fsys, manifestName)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", manifestName, err)
	}
	if !isKey(m.Hash) || len(m.Files) != 2 {
		return m, fmt.Errorf("%s: not a client's manifest", manifestName)
	}
	return m, nil
}

// newEmbedded returns a client that serves the release client in fsys, ready
// at once: there is nothing to build, read or compress.
func newEmbedded(o Options, fsys fs.FS) (*Client, error) {
	b, err := embeddedBundle(fsys)
	if err != nil {
		return nil, fmt.Errorf("webclient: the client in this binary: %w", err)
	}
	c := &Client{
		o:      o,
		log:    o.Log,
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
		cancel: func() {},
	}
	c.state.Store(newState(b, ""))
	close(c.ready)
	close(c.done)
	c.log.Info().Str("key", b.key[:12]).Msg("client: serving the client built into this binary")
	return c, nil
}

// embeddedBundle opens the files a manifest lists. The files of an embed.FS
// (and of an os.DirFS) read at any offset, so nothing is copied.
func embeddedBundle(fsys fs.FS) (*bundle, error) {
	m, err := readManifest(fsys)
	if err != nil {
		return nil, err
	}
	b := &bundle{key: m.Hash}
	for _, mf := range m.Files {
		a := &asset{immutable: true}
		switch mf.Name {
		case wasmName:
			a.ctype, b.wasmURL, b.wasm = "application/wasm", mf.URL, a
		case execName:
			a.ctype, b.execURL, b.exec = "text/javascript; charset=utf-8", mf.URL, a
		default:
			return nil, fmt.Errorf("%s: unknown file %q", manifestName, mf.Name)
		}
		for _, e := range mf.Encodings {
			enc := -1
			for i, n := range encNames {
				if n == e.Encoding {
					enc = i
				}
			}
			if enc < 0 {
				return nil, fmt.Errorf("%s: unknown encoding %q", manifestName, e.Encoding)
			}
			f, err := fsys.Open(e.File)
			if err != nil {
				return nil, err
			}
			ra, ok := f.(io.ReaderAt)
			info, err := f.Stat()
			if !ok || err != nil || info.Size() != e.Size {
				return nil, fmt.Errorf("%s: %s is not the file the manifest lists", manifestName, e.File)
			}
			a.reps[enc] = &rep{r: ra, size: e.Size, etag: e.ETag}
		}
		if a.reps[encIdentity] == nil {
			return nil, fmt.Errorf("%s: %s has no plain copy", manifestName, mf.Name)
		}
	}
	if b.wasm == nil || b.exec == nil {
		return nil, errors.New(manifestName + ": the client's files are missing")
	}
	if !b.wasm.reps[encIdentity].hasPrefix(wasmMagic) {
		return nil, fmt.Errorf("%s is not WebAssembly", wasmName)
	}
	return b, nil
}
