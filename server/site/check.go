package site

import (
	"net/http"
	"time"

	"github.com/pore/elamanipeli/server/clientaddr"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// A person checks a file now and then, while a check of the largest deck
// costs up to ~80 ms of a core and 9 MiB (deckfile.BenchmarkCheckLargeDeck;
// a hostile file, up to 48 MiB). So an address may check eight files at
// once and then one every 15 s, and two checks run at a time for everyone
// together (a third waits a little for its turn): one person cannot load
// the server, nor take the checker from others.
const (
	checksAtOnce = 2
	CheckBurst   = 8
	CheckRefill  = 15 * time.Second
	checkWait    = 3 * time.Second
)

// checker checks a deck file for the page's "check a deck file" screen, for
// anyone, with no room or token: a worker without Go gets the messages
// -check-deck prints, in their own language. The file is read into memory,
// checked and dropped at once; it is never stored and never logged, and the
// answer carries only codes, arguments and line numbers, which the client
// puts into words (assets/i18n).
type checker struct {
	decks  func() []*deck.Deck // the decks a file is compared with for near-duplicates
	now    func() time.Time
	keys   *clientaddr.Keyer
	per    *clientaddr.Allowance
	shared func() clientaddr.Counter // the service's count, when there is one
	slots  chan struct{}
}

// CheckReply is the JSON answer to POST /check: what the checker found, or
// Code when the file was not checked (too large, too many checks).
type CheckReply struct {
	deck.CheckResult
	Code rules.Code `json:"code,omitempty"`
}

func newChecker(decks func() []*deck.Deck, now func() time.Time, keys *clientaddr.Keyer, shared func() clientaddr.Counter) *checker {
	return &checker{
		decks: decks, now: now, keys: keys, shared: shared,
		per:   clientaddr.NewAllowance(CheckBurst, CheckRefill, now),
		slots: make(chan struct{}, checksAtOnce),
	}
}

func (c *checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var per clientaddr.Counter = c.per
	if c.shared != nil {
		if s := c.shared(); s != nil {
			per = s
		}
	}
	if !per.Take(c.keys.Key(r)) {
		writeJSON(w, http.StatusTooManyRequests, CheckReply{Code: protocol.ErrRateLimited})
		return
	}
	wait := time.NewTimer(checkWait)
	defer wait.Stop()
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-wait.C:
		writeJSON(w, http.StatusServiceUnavailable, CheckReply{Code: protocol.ErrBusy})
		return
	case <-r.Context().Done():
		return
	}
	name, data, status, code := readDeckFile(w, r)
	if code != "" {
		writeJSON(w, status, CheckReply{Code: code})
		return
	}
	var others []*deck.Deck
	if c.decks != nil {
		others = c.decks()
	}
	writeJSON(w, http.StatusOK, CheckReply{CheckResult: deckfile.Check(name, data, others).Result()})
}
