package ui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/client/i18n"
	"github.com/pore/elamanipeli/internal/gametest"
)

// drain runs what callbacks left for the game loop, as Update does.
func drain(g *Game) {
	for {
		select {
		case fn := <-g.later:
			fn()
		default:
			return
		}
	}
}

// brokenDeck has one problem the checker finds on line 10 (a misspelt key)
// and a card with no text.
const brokenDeck = `id: oma-pakka
kind: questions
title:
  fi: Oma pakka
languages: [fi]
cards:
  - id: hyva-paiva
    text: {fi: Mikä teki päivästäsi hyvän?}
    note: {fi: Kevyt alku.}
    txet: {fi: Mikä harmitti?}
  - id: tyhja
`

const goodDeck = `id: oma-pakka
kind: questions
title:
  fi: Oma pakka
languages: [fi]
cards:
  - id: hyva-paiva
    text: {fi: Mikä teki päivästäsi hyvän?}
    note: {fi: Kevyt alku.}
  - id: unelma
    text: {fi: Mistä unelmoit tänä vuonna?}
    note: {fi: Anna aikaa miettiä.}
`

// TestCheckingADeckFile: from the start screen a worker checks a deck file
// with the real checker (POST /check of a test server). A broken file's
// problems appear in Finnish with their lines, on the screen and in the
// screen reader's live text; a good file is said to be fine; no room is
// made and no token is sent; the desktop, which cannot pick files, says how
// to check one instead.
func TestCheckingADeckFile(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	g, p := newTestGame(t, 390, 844, 1, nil)
	file := brokenDeck
	p.pick = func() (string, []byte) { return "oma-pakka.yaml", []byte(file) }
	var replies [][]byte
	p.answer = func(path string, h map[string]string, data []byte) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(data))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if req.Header.Get("Authorization") != "" {
			t.Error("a check sent a token")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		replies = append(replies, body)
		return resp.StatusCode, body
	}

	press(t, g, "check-deck")
	press(t, g, "check-choose")
	drain(g)
	g.build()
	g.mirror()
	var rep checkReply
	if err := json.Unmarshal(replies[0], &rep); err != nil || len(rep.Problems) < 2 {
		t.Fatalf("the checker's answer: %s (%v)", replies[0], err)
	}
	fi := i18n.For("fi")
	for _, pr := range rep.Problems {
		want := fi.Problem(pr)
		if !strings.Contains(p.live, want) {
			t.Errorf("the live text lacks %q:\n%s", want, p.live)
		}
	}
	if len(g.frame.Overflows) > 0 {
		t.Errorf("on a phone, texts overflow: %q", g.frame.Overflows)
	}
	for _, want := range []string{"rivi 10: tuntematon avain 'txet'", "2 ongelmaa", "oma-pakka.yaml"} {
		if !strings.Contains(p.live, want) {
			t.Errorf("the live text lacks %q:\n%s", want, p.live)
		}
	}

	file = goodDeck
	press(t, g, "check-choose") // now "Tarkista toinen tiedosto"
	drain(g)
	g.build()
	g.mirror()
	if want := "pakka 'oma-pakka' on kunnossa, kortteja 2"; !strings.Contains(p.live, want) {
		t.Errorf("a good file: the live text %q lacks %q", p.live, want)
	}
	if n := srv.Hub.Rooms(); n != 0 {
		t.Errorf("checking made %d rooms", n)
	}

	press(t, g, "check-back")
	g.build()
	if g.screen() != "start" {
		t.Fatalf("back went to %q", g.screen())
	}

	p.pick = nil // the desktop
	press(t, g, "check-deck")
	press(t, g, "check-choose")
	g.build()
	g.mirror()
	if want := fi.S("check.ui.in-browser"); p.live != want {
		t.Errorf("the desktop says %q, want %q", p.live, want)
	}
}
