//go:build !js

package e2e

import (
	"os"
	"testing"
)

// TestLook opens the start page at three sizes and saves screenshots; run it
// by name to look at the client.
func TestLook(t *testing.T) {
	if os.Getenv("E2E_LOOK") == "" && !measuring() {
		t.Skip("set E2E_LOOK=1 to take the look screenshots")
	}
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)
	for _, sz := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{{"phone", 390, 844, true}, {"tablet", 768, 1024, true}, {"desktop", 1440, 900, false}} {
		p := open(t, b, sz.name, srv.URL+"/", sz.w, sz.h, sz.mobile)
		t.Log(p.shot("start"))
	}
}
