package webclient

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"sync"
	texttemplate "text/template"

	"github.com/pore/elamanipeli/shared/rules"
)

// pageFiles holds the game page: index.html is a template that gets the hashed
// URLs of the current build; the rest is served as it is.
//
//go:embed page
var pageFiles embed.FS

var indexTemplate = template.Must(template.ParseFS(pageFiles, "page/index.html"))

// workerTemplate is the service worker: it gets its release's files and a
// version that changes with any of them.
var workerTemplate = texttemplate.Must(texttemplate.ParseFS(pageFiles, "page/sw.js"))

// staticFiles are the page's fixed files, by URL path, made once.
var staticFiles = sync.OnceValue(func() map[string]*asset {
	files := map[string]*asset{}
	for _, f := range []struct{ path, name, ctype string }{
		{"/main.js", "page/main.js", "text/javascript; charset=utf-8"},
		{"/style.css", "page/style.css", "text/css; charset=utf-8"},
		{"/favicon.svg", "page/favicon.svg", "image/svg+xml"},
		{"/manifest.webmanifest", "page/manifest.webmanifest", "application/manifest+json"},
	} {
		b, err := pageFiles.ReadFile(f.name)
		if err != nil {
			panic(err) // embedded above
		}
		files[f.path] = memAsset(f.ctype, b)
	}
	files["/icon-192.png"] = memAsset("image/png", iconPNG(192))
	files["/icon-512.png"] = memAsset("image/png", iconPNG(512))
	return files
})

// renderIndex makes index.html for b; for nil, a page that waits for the
// build.
func renderIndex(b *bundle) *asset {
	data := struct {
		Wasm, Exec string
		Door       string // JSON, read by main.js
		MaxNick    int
	}{Door: doorJSON(), MaxNick: rules.MaxNick}
	if b != nil {
		data.Wasm, data.Exec = b.wasmURL, b.execURL
	}
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("index.html: %v", err)) // a fixed template given fixed data
	}
	return memAsset("text/html; charset=utf-8", buf.Bytes())
}

// renderWorker makes sw.js for b: the files it keeps are the page as
// rendered for b, the fixed files and b's client, and its version is a hash
// of all of them, so that a new release (or a new page) is a new worker.
func renderWorker(b *bundle, index *asset) *asset {
	h := sha256.New()
	h.Write([]byte(b.key))
	h.Write([]byte(index.reps[encIdentity].etag))
	files := []string{"/", b.wasmURL, b.execURL}
	static := staticFiles()
	for _, path := range slices.Sorted(maps.Keys(static)) {
		files = append(files, path)
		h.Write([]byte(path))
		h.Write([]byte(static[path].reps[encIdentity].etag))
	}
	version, _ := json.Marshal(hex.EncodeToString(h.Sum(nil))[:16])
	list, _ := json.Marshal(files)
	var buf bytes.Buffer
	if err := workerTemplate.Execute(&buf, map[string]string{"Version": string(version), "Files": string(list)}); err != nil {
		panic(fmt.Sprintf("sw.js: %v", err)) // a fixed template given two JSON values
	}
	return memAsset("text/javascript; charset=utf-8", buf.Bytes())
}
