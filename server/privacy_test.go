package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/conn"
	"github.com/pore/elamanipeli/server/deckfile"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// broughtDeck is a deck the host brings; its texts must stay out of logs
// as much as the bundled decks' do.
const broughtDeck = `id: omat-salaiset
kind: questions
title: {fi: Omat salaiset}
languages: [fi]
cards:
  - id: s1
    text: {fi: "Mikä on ollut tämän viikon paras hetki, Kuutamokettu?"}
    note: {fi: "Kuuntele rauhassa, Kuutamokettu."}
  - id: s2
    text: {fi: "Kenelle soitat ensimmäisenä, Kuutamokettu?"}
    note: {fi: "Kysy, miksi juuri hänelle."}
`

// texts lists every text of d's cards, in every language.
func texts(d *deck.Deck) []string {
	var out []string
	add := func(t deck.Text) {
		for _, s := range t {
			out = append(out, s)
		}
	}
	add(d.Title)
	add(d.Description)
	for _, c := range d.Cards {
		add(c.Title)
		add(c.Text)
		add(c.Prompt)
		add(c.Note)
		for _, ch := range c.Choices {
			add(ch.Text)
		}
		if c.Scale != nil {
			add(c.Scale.Low)
			add(c.Scale.High)
		}
	}
	return out
}

// Addresses as they would appear in a log line: IPv4, and IPv6 with at
// least two colons. The test logger writes no timestamps, so nothing else
// in a line looks like them.
var (
	ipv4 = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	ipv6 = regexp.MustCompile(`(?i)(?:^|[^0-9a-z])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}`)
)

// A scripted game, with everything hostile the server meets on the way,
// logged at debug level: nothing in the logs names a person, a room's code,
// a seat's token, a client's address, a card or an answer.
func TestLogsCarryNothingPersonal(t *testing.T) {
	logs := &syncBuffer{}
	log := zerolog.New(logs).Level(zerolog.DebugLevel)
	srv := gametest.Start(t, gametest.Options{
		Log:    &log,
		Places: place.Options{FailedJoins: 3},
		Conn:   conn.Config{HelloTimeout: 200 * time.Millisecond},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	decks := []string{"omat-salaiset", "lammittely", "tarina-opiskelu", "elamanalueet"}
	const hostNick, playerNick, typed = "Ohjaaja Oravanmarja", "Nuori Napakymppi", "Vastaan tähän salaisesti, Kuutamokettu"
	host := srv.Bot(protocol.Hello{Want: protocol.WantCreate, Nick: hostNick, Lang: "fi"},
		gametest.BotConfig{Decks: decks, WaitPlayers: 1, MarkOneIn: 4, Close: true, Seed: 11}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(t, host.Session(), "the room", func(s *gametest.State) bool { return s.Watch != "" })

	// The host brings a deck, and someone without a seat tries to.
	post := func(token, name, body string) int {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/upload", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Deck-Name", name)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post(hs.Token, "omat-salaiset.yaml", broughtDeck); s != http.StatusOK {
		t.Fatalf("upload: %d", s)
	}
	post(hs.Token, "rikki.yaml", "id: rikki\ncards: [Kuutamokettu rikkoo tämän")
	post("AAAAAAAAAAAAAAAAAAAAAA", "omat.csv", "Kuutamoketun kysymys?\n")

	player := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: playerNick, Lang: "en"},
		gametest.BotConfig{PassOneIn: 5, MarkOneIn: 5, Typed: typed, Seed: 12}, gametest.SessionOptions{})
	defer player.Close()
	watcher := srv.Bot(protocol.Hello{Want: protocol.WantWatch, Code: hs.Watch, Nick: "Katsoja Kuutamokettu", Lang: "sv"},
		gametest.BotConfig{}, gametest.SessionOptions{})
	defer watcher.Close()
	var played sync.WaitGroup
	errs := make(chan error, 3)
	for _, b := range []*gametest.Bot{host, player, watcher} {
		played.Add(1)
		go func() { defer played.Done(); errs <- b.Run(ctx) }()
	}

	// Meanwhile, the hostile side of the internet.
	hostile := func(o gametest.DialOptions, do func(r *gametest.Raw)) {
		r, _, err := gametest.Dial(t, ctx, srv.WS, o)
		if err != nil {
			return
		}
		defer r.Close()
		do(r)
		for {
			if _, err := r.Recv(ctx); err != nil {
				return
			}
		}
	}
	hostile(gametest.DialOptions{Origin: "https://evil.example"}, func(*gametest.Raw) {})
	hostile(gametest.DialOptions{}, func(r *gametest.Raw) { r.WS.Write(ctx, websocket.MessageBinary, []byte("Kuutamokettu")) })
	hostile(gametest.DialOptions{}, func(r *gametest.Raw) {
		r.WS.Write(ctx, websocket.MessageBinary, bytes.Repeat([]byte("Kuutamokettu"), 1000))
	})
	hostile(gametest.DialOptions{}, func(*gametest.Raw) {}) // says nothing
	hostile(gametest.DialOptions{}, func(r *gametest.Raw) {
		r.Send(ctx, protocol.Hello{V: protocol.Version, Want: protocol.WantResume, Token: "Kuutamokettu-token-AAAA"})
	})
	for i := range 6 {
		hostile(gametest.DialOptions{From: "127.0.0.2"}, func(r *gametest.Raw) {
			r.Send(ctx, protocol.Hello{V: protocol.Version, Want: protocol.WantJoin, Code: "XXXXX" + string(place.CodeAlphabet[i]), Nick: "Arvaaja Kuutamokettu"})
		})
	}
	hostile(gametest.DialOptions{}, func(r *gametest.Raw) {
		if _, code := r.Hello(ctx, protocol.Hello{Want: protocol.WantCreate, Nick: "Tulvija Kuutamokettu"}); code != "" {
			return
		}
		for i := range 200 {
			if r.Send(ctx, protocol.Act{ID: uint64(i + 1), Action: rules.Action{Kind: rules.ActAnswer, Text: "Kuutamokettu tulvii"}}) != nil {
				return
			}
		}
	})

	played.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a bot: %v", err)
		}
	}
	gametest.Wait(t, host.Session(), "the room to close", func(s *gametest.State) bool { return s.View.Phase == rules.Closed })
	time.Sleep(100 * time.Millisecond) // the room's last words

	// What must not be there.
	secrets := []string{hs.Code, hs.Watch, hs.Token, player.Session().State().Token, watcher.Session().State().Token,
		hostNick, playerNick, typed, "Kuutamokettu", "Mikä sinua ilahduttaa juuri nyt?", "127.0.0.1", "127.0.0.2", "::1"}
	brought, ps := deckfile.Parse("omat-salaiset.yaml", []byte(broughtDeck))
	if len(ps) > 0 {
		t.Fatal(ps.Messages("en"))
	}
	for _, d := range append([]*deck.Deck{brought}, decksOf(srv.Lib, decks)...) {
		for _, s := range texts(d) {
			if len([]rune(s)) >= 4 { // "Ei" is a word, not a secret
				secrets = append(secrets, s)
			}
		}
	}
	all := logs.String()
	lines := strings.Count(all, "\n")
	for _, msg := range []string{"room created", "seat attached", "deck brought into a room", "websocket refused", "room closed"} {
		if !strings.Contains(all, `"message":"`+msg+`"`) {
			t.Fatalf("%q was not logged; is the logger wired?\n%s", msg, all)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(all, s) {
			t.Errorf("the logs carry %q", s)
		}
	}
	for _, re := range []*regexp.Regexp{ipv4, ipv6} {
		if m := re.FindString(all); m != "" {
			t.Errorf("the logs carry an address: %q", m)
		}
	}
	t.Logf("%d log lines, %d secrets looked for", lines, len(secrets))
	if t.Failed() {
		t.Logf("the logs:\n%s", all)
	}
}

// decksOf returns the library's decks with ids.
func decksOf(lib *rules.Library, ids []string) []*deck.Deck {
	var out []*deck.Deck
	for _, id := range ids {
		if d := lib.Deck(id); d != nil {
			out = append(out, d)
		}
	}
	return out
}
