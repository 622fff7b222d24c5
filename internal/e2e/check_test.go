//go:build !js

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pore/elamanipeli/client/i18n"
	"github.com/pore/elamanipeli/shared/deck"
)

// click presses the mirror's button id as a screen reader does: a DOM
// click, no pointer on the canvas.
func (p *Page) click(id string) {
	p.t.Helper()
	p.find(id)
	before := p.seq()
	p.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).click()`, "act-"+id)))
	p.settle(before, time.Second)
}

// TestCheckingADeckFileInTheBrowser: a worker opens the page, chooses
// "Tarkista pakkatiedosto" and a broken deck file; the page reads out the
// checker's Finnish messages with their lines, and no room is made.
func TestCheckingADeckFileInTheBrowser(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	file := filepath.Join(t.TempDir(), "oma-pakka.yaml")
	broken := "id: oma-pakka\nkind: questions\ntitle: {fi: Oma pakka}\nlanguages: [fi]\ncards:\n" +
		"  - id: hyva-paiva\n    text: {fi: Mikä teki päivästäsi hyvän?}\n    note: {fi: Kevyt alku.}\n    txet: {fi: Mikä harmitti?}\n"
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	p := open(t, browser(t), "worker", srv.URL+"/", 768, 1024, true)
	p.click("check-deck")
	p.click("check-choose")
	p.waitFor("the file chooser", `!!document.querySelector("input[type=file]")`)
	p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{file}))
	p.waitFor("the checker's answer", `document.getElementById("sr").textContent.includes("rivi ")`)
	p.shot("check")

	// The words are the client's own (assets/i18n) for the codes the server
	// sent: ask the server the same, and compare.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/check", strings.NewReader(broken))
	req.Header.Set("X-Deck-Name", "oma-pakka.yaml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rep struct{ deck.CheckResult }
	if err := json.Unmarshal(res, &rep); err != nil || len(rep.Problems) != 1 {
		t.Fatalf("the checker said %s (%v)", res, err)
	}
	live := p.live()
	fi := i18n.For("fi")
	for _, want := range []string{fi.Problem(rep.Problems[0]), "rivi 9: tuntematon avain 'txet'", "oma-pakka.yaml: 1 ongelma"} {
		if !strings.Contains(live, want) {
			t.Errorf("the page says %q, without %q", live, want)
		}
	}
	if n := srv.Hub.Rooms(); n != 0 {
		t.Errorf("checking a file made %d rooms", n)
	}
	p.click("check-back")
	p.waitFor("the start screen", `!!document.getElementById("act-create")`)
}
