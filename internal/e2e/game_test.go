//go:build !js

package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pore/elamanipeli/client/ui"
)

// sizes are the screens every scene is photographed at.
var sizes = []struct {
	name   string
	w, h   int64
	mobile bool
}{
	{"phone", 390, 844, true},
	{"tablet", 768, 1024, true},
	{"desktop", 1440, 900, false},
}

// photograph saves the page's scene at every size, then puts the page back
// to its own size.
// Only under ELM_MEASURE: a gallery, not part of pass/fail.
func (p *Page) photograph(scene string) {
	p.t.Helper()
	if !measuring() {
		return
	}
	for _, sz := range sizes {
		p.resize(sz.w, sz.h, sz.mobile)
		time.Sleep(150 * time.Millisecond)
		p.shot(scene + "-" + sz.name)
	}
	p.resize(p.w, p.h, p.mobile)
	time.Sleep(150 * time.Millisecond)
}

func (p *Page) resize(w, h int64, mobile bool) {
	if mobile {
		p.run(chromedp.EmulateViewport(w, h, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulateTouch))
	} else {
		p.run(chromedp.EmulateViewport(w, h))
	}
}

var codePattern = regexp.MustCompile(`[A-Z0-9]{3}-[A-Z0-9]{3}`)

// TestWholeGameInTheBrowser plays a game with two pages, a worker on a tablet
// and a young person on a phone, by tapping on the canvas: create, join by
// link, admit, choose decks, choose in a story, bookmark, answer, pass, and
// the summary. Every scene is photographed at a phone, a tablet and a
// desktop size.
func TestWholeGameInTheBrowser(t *testing.T) {
	needBrowser(t)
	srv := gameServer(t)
	raw, gz, br := client.Sizes()
	t.Logf("client size: %.2f MB raw, %.2f MB gzip, %.2f MB brotli", mb(raw), mb(gz), mb(br))
	b := browser(t)

	host := open(t, b, "worker", srv.URL+"/", 768, 1024, true)
	// Ebiten links two GL programs for a first frame of images and text (a
	// clear, and a copy); the game's shapes are pictures drawn on the CPU
	// (client/ui/cover.go), not paths of three programs more: with them a
	// first visit here waited 230-530 ms for its programs to link, 40-90 ms
	// without.
	switch n := host.programsBeforeFirstPaint(); {
	case n == 0:
		t.Errorf("no GL program counted before the first paint: the count (countPrograms) does not work")
	case n > 2:
		t.Errorf("the first frame linked %d GL programs, want at most 2 (Ebiten's for images): something draws with a shader of its own in it", n)
	}
	tm := host.timings()
	t.Logf("page timeline (ms after navigation): downloaded %.0f, compiled %.0f, instantiated %.0f, Go started %.0f, first update %.0f, first frame drawn %.0f, shown %.0f",
		tm["downloaded"], tm["compiled"], tm["instantiated"], tm["main"], tm["first-update"], tm["first-frame"], tm["first-paint"])
	host.photograph("start")
	host.looksDrawn("create", ui.Calm.Accent, ui.Calm.Bg)
	host.tap("create")
	host.waitFor("the lobby", `!!document.getElementById("act-start")`)
	code := codePattern.FindString(host.live())
	if code == "" {
		t.Fatalf("no room code in the lobby's announcement %q", host.live())
	}
	host.photograph("lobby")

	// The young person opens the join link: one tap at the page's door, no
	// typing.
	youth := open(t, b, "youth", srv.URL+"/#join="+strings.ReplaceAll(code, "-", ""), 390, 844, true)
	youth.photograph("invited")
	youth.knockAtDoor("")
	youth.waitFor("the door", `document.getElementById("sr").textContent.length > 0 && !!document.getElementById("act-leave")`)
	youth.photograph("knocking")

	host.tap("admit-1")
	youth.waitFor("admission", `!document.getElementById("sr").textContent.includes("Koputit")`)
	host.tap("choose-decks")
	host.tap("deck-tarina-opiskelu")
	host.waitFor("the story chosen", `document.getElementById("act-deck-tarina-opiskelu").getAttribute("aria-pressed") === "true"`)
	host.tap("deck-lammittely")
	host.waitFor("the warm-up chosen", `document.getElementById("act-deck-lammittely").getAttribute("aria-pressed") === "true"`)
	host.photograph("decks")
	host.tap("done")
	youth.photograph("waiting")
	host.tap("start")

	// A story scene: the young person chooses and bookmarks it.
	youth.waitFor("the first scene", `!!document.getElementById("act-choice-0") && !document.getElementById("act-choice-0").disabled`)
	host.photograph("story")
	youth.tap("bookmark")
	youth.waitFor("the bookmark", `document.getElementById("act-bookmark").getAttribute("aria-pressed") === "true"`)
	youth.tap("choice-1")
	youth.waitFor("the choice", `document.getElementById("act-choice-1").getAttribute("aria-pressed") === "true"`)
	youth.photograph("story")

	// The phone reloads the page: it comes back to the same seat and the
	// same card, with the choice still made.
	youth.run(chromedp.Reload())
	youth.waitFor("the seat back after a reload", `!!document.getElementById("act-choice-1") && document.getElementById("act-choice-1").getAttribute("aria-pressed") === "true"`)

	// The worker puts the rest of the story aside; the warm-up begins.
	host.tap("skip")
	host.tap("skip-story-yes") // the rest of a story goes only when asked twice
	host.waitFor("a question", `!!document.getElementById("act-answered")`)
	host.tap("note")
	host.photograph("question")
	// The worker's tablet at a table where nothing moves: how busy is the
	// page's main thread? (A figure for BENCHMARKS.md, not a pass mark.)
	if measuring() {
		time.Sleep(3 * time.Second)
		t.Logf("idle table: main thread busy %.1f%% of 8 s", 100*host.idleShare(8*time.Second))
	}

	// The young person's phone, waiting for the worker's answer, asks the
	// browser for no frames: the page holds them back (main.js, rest), where
	// Ebiten alone would ask 60 times a second. The worker's answers below
	// bring their cards at once, not at the end of a rest.
	was := youth.rested()
	time.Sleep(2 * time.Second)
	idle := youth.rested()
	if idle.Held == was.Held || idle.Frames-was.Frames > 20 {
		t.Errorf("the phone's page did not rest while nothing moved: %+v, then %+v", was, idle)
	}

	// The warm-up's questions, shuffled (see table): the worker answers a
	// card for everyone. Cards are dealt until the young person has
	// answered one in turn and passed another.
	tb := &table{host: host, youth: youth}
	cards, youthTurns := 0, 0
	hostWas, youthWas := "", ""
	for {
		cards++
		switch whose := tb.dealt(hostWas, youthWas); {
		case whose != youthsTurn:
			host.tap("answered")
		case youthTurns == 0:
			youthTurns++
			youth.photograph("question")
			youth.tap("answered") // aloud
		default:
			youthTurns++
			youth.tap("pass")
			youth.waitFor("the pass taken", `!document.getElementById("act-pass")`)
		}
		if youthTurns == 2 {
			break
		}
		if cards == 8 {
			t.Fatalf("eight questions dealt, and the young person's turn came %d times", youthTurns)
		}
		hostWas, youthWas = host.live(), youth.live()
		host.tap("next")
	}
	if now := youth.rested(); now.Hurried == idle.Hurried {
		t.Errorf("the worker's moves never brought the phone's resting page a frame at once: %+v, then %+v", idle, now)
	}
	host.tap("end")
	host.tap("end-yes") // ending asks once more

	host.waitFor("the summary", `!!document.getElementById("act-close")`)
	youth.waitFor("the summary", `!!document.getElementById("act-leave") && document.getElementById("sr").textContent.includes("päättyi")`)
	host.photograph("summary")
	youth.photograph("summary")
	// The path: the bookmarked story scene (kept though the rest of the
	// story was skipped) and the questions.
	if got, want := youth.live(), fmt.Sprintf("%d korttia", 1+cards); !strings.Contains(got, want) {
		t.Fatalf("summary says %q, want a path of %d cards", got, 1+cards)
	}
	t.Logf("screenshots in %s", shotDir(t))
}

func mb(n int64) float64 { return float64(n) / 1e6 }
