package webclient

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"sync"
)

// pageFiles holds the game page: index.html is a template that gets the hashed
// URLs of the current build; the rest is served as it is.
//
//go:embed page
var pageFiles embed.FS

var indexTemplate = template.Must(template.ParseFS(pageFiles, "page/index.html"))

// staticFiles are the page's fixed files, by URL path, made once.
var staticFiles = sync.OnceValue(func() map[string]*asset {
	files := map[string]*asset{}
	for _, f := range []struct{ path, name, ctype string }{
		{"/main.js", "page/main.js", "text/javascript; charset=utf-8"},
		{"/style.css", "page/style.css", "text/css; charset=utf-8"},
		{"/favicon.svg", "page/favicon.svg", "image/svg+xml"},
	} {
		b, err := pageFiles.ReadFile(f.name)
		if err != nil {
			panic(err) // embedded above
		}
		files[f.path] = memAsset(f.ctype, b)
	}
	return files
})

// renderIndex makes index.html for b; for nil, a page that waits for the
// build.
func renderIndex(b *bundle) *asset {
	var data struct{ Wasm, Exec string }
	if b != nil {
		data.Wasm, data.Exec = b.wasmURL, b.execURL
	}
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("index.html: %v", err)) // a fixed template given two strings
	}
	return memAsset("text/html; charset=utf-8", buf.Bytes())
}
