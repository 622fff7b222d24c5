package webclient

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
)

func workerText(t *testing.T, b *bundle) string {
	t.Helper()
	st := newState(b, "")
	a := st.files["/sw.js"]
	if a == nil {
		t.Fatal("no /sw.js")
	}
	rp := a.reps[encIdentity]
	out, err := io.ReadAll(io.NewSectionReader(rp.r, 0, rp.size))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestTheServiceWorkerKeepsOneRelease: sw.js lists the page, the fixed
// files, the icons and this release's client, and its version changes with
// the release; while the client is being built there is no worker to keep
// a page that cannot start.
func TestTheServiceWorkerKeepsOneRelease(t *testing.T) {
	if newState(nil, "").files["/sw.js"] != nil {
		t.Error("a worker is served before the client is ready")
	}
	one := workerText(t, &bundle{key: "aaaaaaaaaaaaaaaa", wasmURL: "/app.aaaaaaaaaaaa.wasm", execURL: "/wasm_exec.aaaaaaaaaaaa.js"})
	for _, want := range []string{`"/"`, `"/app.aaaaaaaaaaaa.wasm"`, `"/wasm_exec.aaaaaaaaaaaa.js"`, `"/main.js"`, `"/style.css"`,
		`"/manifest.webmanifest"`, `"/icon-192.png"`, `"/icon-512.png"`, `const FRESH = ['/decks'];`} {
		if !strings.Contains(one, want) {
			t.Errorf("sw.js lacks %s", want)
		}
	}
	version := regexp.MustCompile(`const VERSION = "([0-9a-f]{16})";`)
	two := workerText(t, &bundle{key: "bbbbbbbbbbbbbbbb", wasmURL: "/app.bbbbbbbbbbbb.wasm", execURL: "/wasm_exec.bbbbbbbbbbbb.js"})
	v1, v2 := version.FindStringSubmatch(one), version.FindStringSubmatch(two)
	if v1 == nil || v2 == nil || v1[1] == v2[1] {
		t.Errorf("versions %q and %q: a new release must be a new worker", v1, v2)
	}
	if bytes.Contains([]byte(one), []byte("bbbbbbbbbbbb")) {
		t.Error("one release's worker names another's files")
	}
}
