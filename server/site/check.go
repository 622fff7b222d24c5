package site

import (
	"errors"
	"io"
	"net/http"
	"path"
	"time"

	"golang.org/x/time/rate"

	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// Checks are bounded for everyone together: a person checks a file now and
// then, while a check of the largest deck costs up to ~80 ms of a core and
// 9 MiB (deckfile.BenchmarkCheckLargeDeck; a hostile file, up to 48 MiB), so
// two at a time and four a second keep the endpoint from loading the server
// whoever calls it.
const (
	checksAtOnce    = 2
	checksInBurst   = 8
	checksPerMinute = 240
)

// checker checks a deck file for the page's "check a deck file" screen, for
// anyone, with no room or token: a worker without Go gets the messages
// -check-deck prints, in their own language. The file is read into memory,
// checked and dropped at once; it is never stored and never logged, and the
// answer carries only codes, arguments and line numbers, which the client
// puts into words (assets/i18n).
type checker struct {
	decks func() []*deck.Deck // the decks a file is compared with for near-duplicates
	now   func() time.Time
	rate  *rate.Limiter
	slots chan struct{}
}

// CheckReply is the JSON answer to POST /check: what the checker found, or
// Code when the file was not checked (too large, too many checks).
type CheckReply struct {
	deck.CheckResult
	Code rules.Code `json:"code,omitempty"`
}

func newChecker(decks func() []*deck.Deck, now func() time.Time) *checker {
	return &checker{
		decks: decks, now: now,
		rate:  rate.NewLimiter(rate.Every(time.Minute/checksPerMinute), checksInBurst),
		slots: make(chan struct{}, checksAtOnce),
	}
}

func (c *checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.rate.AllowN(c.now(), 1) {
		writeJSON(w, http.StatusTooManyRequests, CheckReply{Code: protocol.ErrRateLimited})
		return
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	default:
		writeJSON(w, http.StatusServiceUnavailable, CheckReply{Code: protocol.ErrBusy})
		return
	}
	name := path.Base(r.Header.Get("X-Deck-Name"))
	if name == "." || name == "/" {
		name = "deck.yaml"
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, deckfile.MaxUpload))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, CheckReply{Code: protocol.ErrTooLarge})
			return
		}
		writeJSON(w, http.StatusBadRequest, CheckReply{Code: protocol.ErrBadMessage})
		return
	}
	var others []*deck.Deck
	if c.decks != nil {
		others = c.decks()
	}
	writeJSON(w, http.StatusOK, CheckReply{CheckResult: deckfile.Check(name, data, others).Result()})
}
