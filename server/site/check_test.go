package site_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/server/site"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// checkSite serves the site with the bundled decks to compare with, a clock
// that stands still unless moving says otherwise (so the pacing of checks is
// the test's to decide) and a log the test can read.
func checkSite(t *testing.T, log *bytes.Buffer, moving bool) *httptest.Server {
	t.Helper()
	bundled, err := deckfile.LoadFS(assets.Decks, "decks")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		if moving {
			clock = clock.Add(time.Minute) // every check finds its allowance full again
		}
		return clock
	}
	srv := httptest.NewServer(site.New(site.Options{
		WS: http.NotFoundHandler(), Log: zerolog.New(log),
		Decks: func() []*deck.Deck { return bundled },
		Now:   now,
	}))
	t.Cleanup(srv.Close)
	return srv
}

func check(t *testing.T, url, name string, body io.Reader) (int, site.CheckReply) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/check", body)
	req.Header.Set("X-Deck-Name", name)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	var res site.CheckReply
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, res
}

// TestCheckEndpoint checks deck files for anyone, with no room or token, and
// answers with codes, arguments and lines, never words: the client says
// them in the worker's language. The files leave nothing in the log.
func TestCheckEndpoint(t *testing.T) {
	var log bytes.Buffer
	srv := checkSite(t, &log, false)
	broken := "id: lajit\nkind: questions\nlanguages: [fi]\ntitle: {fi: Lajit}\ncards:\n  - id: yksi\n    kind: queston\n    text: {fi: Kirjoitusvirhe.}\n    note: {fi: n}\n"
	tests := []struct {
		name     string
		file     string
		body     io.Reader
		status   int
		code     rules.Code
		problems []string // codes
		warnings []string
		deck     string
	}{
		{"a misspelt kind", "lajit.yaml", strings.NewReader(broken), http.StatusOK, "", []string{deckfile.CodeBadKind}, nil, ""},
		{"Finnish columns, one near-duplicate", "Omat kysymykset.csv",
			strings.NewReader("teksti;muistiinpano\nMikä saa sinut nauramaan ihan kunnolla?;Kuuntele.\nMitä söit aamupalaksi?;Kevyt.\n"),
			http.StatusOK, "", nil, []string{deckfile.CodeNearDuplicate}, "omat-kysymykset"},
		{"not a deck", "kuva.yaml", bytes.NewReader([]byte{0xff, 0xd8, 0xff, 0xe0}), http.StatusOK, "", []string{deckfile.CodeNotUTF8}, nil, ""},
		{"one byte over the limit", "iso.yaml", strings.NewReader(strings.Repeat("#", deckfile.MaxUpload+1)), http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, nil, nil, ""},
		{"endless, without a length", "iso.csv", io.LimitReader(endless{}, 64<<20), http.StatusRequestEntityTooLarge, protocol.ErrTooLarge, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, res := check(t, srv.URL, tt.file, tt.body)
			if status != tt.status || res.Code != tt.code || res.Deck != tt.deck {
				t.Fatalf("%d %+v, want %d %q deck %q", status, res, tt.status, tt.code, tt.deck)
			}
			for _, c := range []struct {
				what string
				got  []deck.Problem
				want []string
			}{{"problems", res.Problems, tt.problems}, {"warnings", res.Warnings, tt.warnings}} {
				var codes []string
				for _, p := range c.got {
					codes = append(codes, p.Code)
					if p.Line <= 0 {
						t.Errorf("%s: %+v has no line", c.what, p)
					}
				}
				if strings.Join(codes, ",") != strings.Join(c.want, ",") {
					t.Errorf("%s %v, want %v", c.what, codes, c.want)
				}
			}
		})
	}
	if strings.Contains(log.String(), "Kirjoitusvirhe") || strings.Contains(log.String(), "nauramaan") || strings.Contains(log.String(), "lajit") {
		t.Errorf("a checked file reached the log:\n%s", log.String())
	}
}

// TestChecksArePaced: a burst of checks is answered, then the endpoint says
// rate-limited until time has passed; checks at the same moment beyond the
// few it runs at once are told the server is busy.
func TestChecksArePaced(t *testing.T) {
	srv := checkSite(t, &bytes.Buffer{}, false)
	good := "Mikä naurattaa?\n"
	statuses := map[int]int{}
	for range 20 {
		status, res := check(t, srv.URL, "omat.csv", strings.NewReader(good))
		statuses[status]++
		if status == http.StatusTooManyRequests && res.Code != protocol.ErrRateLimited {
			t.Fatalf("429 with %q", res.Code)
		}
	}
	if statuses[http.StatusOK] != 8 || statuses[http.StatusTooManyRequests] != 12 {
		t.Fatalf("statuses %v: want 8 checks, then 12 refusals while the clock stands still", statuses)
	}
	// The allowance is the address's: another one still checks.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	req, _ := http.NewRequest("POST", srv.URL+"/check", strings.NewReader(good))
	if resp, err := other.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("another address: %v %v", resp, err)
	}

	// A site whose clock runs: hold the two slots with bodies that do not
	// end, and a third check waits for its turn, then is busy.
	srv = checkSite(t, &bytes.Buffer{}, true)
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range 2 {
		pr, pw := io.Pipe()
		wg.Go(func() {
			check(t, srv.URL, "hidas.yaml", pr)
		})
		pw.Write([]byte("# slowly\n"))
		go func() { <-release; pw.Close() }()
	}
	// The two bodies have started to arrive, so their checks hold the slots.
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, res := check(t, srv.URL, "omat.csv", strings.NewReader(good))
		if status == http.StatusServiceUnavailable && res.Code == protocol.ErrBusy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never busy with two slow checks running: %d %+v", status, res)
		}
	}
	close(release)
	wg.Wait()
}
