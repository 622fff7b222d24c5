//go:build release

package webclient

import (
	"embed"
	"io/fs"
)

// releaseFiles is the client that `go run ./internal/release` compiled and
// compressed into the folder release/ (never committed). Without that
// folder a build with the release tag fails here, saying so.
//
//go:embed release
var releaseFiles embed.FS

func init() {
	sub, err := fs.Sub(releaseFiles, ReleaseDir)
	if err != nil {
		panic(err) // a folder embedded above
	}
	embedded = sub
}
