package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// samples are one message of every type, as they would really travel.
func samples() map[string]Message {
	card := rules.CardView{Ref: rules.CardRef{Deck: "tutustutaan", Card: "tt-01"}, Kind: deck.Question,
		Answerer: deck.Turn, Text: "Mikä sai sinut viimeksi nauramaan?", By: rules.NoSeat}
	step := &rules.StepView{Pos: 0, Card: card, Turn: 1, Choice: -1, ChoiceBy: rules.NoSeat}
	return map[string]Message{
		"hello-create":  Hello{V: Version, Want: WantCreate, Nick: "Ohjaaja", Lang: "fi"},
		"hello-join":    Hello{V: Version, Want: WantJoin, Code: "KXT4PW", Lang: "sv"},
		"hello-resume":  Hello{V: Version, Want: WantResume, Token: "c2VjcmV0LXRva2VuLWZvci10ZXN0", LastSeq: 41},
		"act-answer":    Act{ID: 7, Action: rules.Action{Kind: rules.ActAnswer, Text: "Koira teki kuperkeikan."}},
		"act-decks":     Act{ID: 2, Action: rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely", "tarina-opiskelu"}, Tags: []string{"violence"}}},
		"act-pick-deck": Act{ID: 3, Action: rules.Action{Kind: rules.ActPickDeck, Text: "tarina-opiskelu", On: true}},
		"ping":          Ping{N: 3},
		"welcome":       Welcome{V: Version, Seat: 1, Role: rules.Player, Token: "dG9rZW4", Code: "KXT4PW", Window: 600, Heartbeat: 15},
		"snapshot": Snapshot{Seq: 12, View: rules.View{Phase: rules.Playing, Me: 1, Role: rules.Player, Lang: "fi",
			Seats: []rules.SeatView{{ID: 0, Role: rules.Host, Nick: "Ohjaaja", Lang: "fi", Status: rules.In, Online: true}},
			Step:  step, Played: 1, PausedBy: rules.NoSeat}},
		"update":         Update{Seq: 13, Events: []rules.Event{{Kind: rules.EvCard, Seat: 0, Pos: 1, Value: 2, Step: step}}},
		"ack":            Ack{ID: 7, Code: rules.ErrNotYours},
		"error":          Error{Code: ErrNoRoom},
		"pong":           Pong{N: 3},
		"notice":         Notice{Kind: NoticeTimeLeft, Minutes: 5},
		"hello-workshop": Hello{V: Version, Want: WantWorkshop, Nick: "Kouluttaja", Lang: "fi"},
		"train-pair":     Train{ID: 4, Kind: TrainPair, A: 3, B: 7},
		"train-message":  Train{ID: 5, Kind: TrainMessage, Text: "Kymmenen minuutin tauko kahvin jälkeen."},
		"workshop":       Workshop{V: Version, Trainer: true, Token: "dG9rZW4", Code: "HXT3MV", Window: 600, Heartbeat: 10},
		"dashboard": Dashboard{
			People: []Person{{ID: 1, Nick: "Aino", Online: true, Room: 1}, {ID: 2, Nick: "Veli", Room: 1}, {ID: 3, Online: true}},
			Rooms:  []RoomProgress{{N: 1, Host: 1, Player: 2, Phase: rules.Playing, Played: 6, Passes: 1, Paused: true}},
		},
		"assigned": Assigned{Role: rules.Player},
	}
}

func TestGoldenFrames(t *testing.T) {
	for name, m := range samples() {
		t.Run(name, func(t *testing.T) {
			b, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".hex")
			if *update {
				if err := os.WriteFile(path, []byte(hex.Dump(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/protocol -update to write it)", err)
			}
			if got := hex.Dump(b); got != string(want) {
				t.Fatalf("frame changed; a change on the wire needs a new Version.\n got:\n%s\nwant:\n%s", got, want)
			}
			back, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, m)
			}
		})
	}
}

// hostile frames, each small, each promising far more than it holds.
var hostile = map[string][]byte{
	"empty":              {},
	"array32 of 4G":      {0xdd, 0xff, 0xff, 0xff, 0xff},
	"pair with array32":  {0x92, 0x02, 0xdd, 0x7f, 0xff, 0xff, 0xff},
	"map32 of 4G":        {0x92, 0x01, 0xdf, 0xff, 0xff, 0xff, 0xff, 0x01},
	"str32 of 4G":        {0x92, 0x01, 0x81, 0xa1, 0x6e, 0xdb, 0xff, 0xff, 0xff, 0xff},
	"bin32 of 2G":        {0x92, 0x01, 0x81, 0xa1, 0x6e, 0xc6, 0x7f, 0xff, 0xff, 0xff},
	"array16 in act":     {0x92, 0x02, 0x81, 0xa1, 0x61, 0x81, 0xa1, 0x64, 0xdc, 0xff, 0xff},
	"deep nesting":       append(append([]byte{0x92, 0x02}, bytes.Repeat([]byte{0x91}, 10000)...), 0xc0),
	"truncated hello":    {0x92, 0x01, 0x82, 0xa1, 0x76},
	"extension":          {0x92, 0x01, 0xd6, 0xff, 0, 0, 0, 0},
	"trailing bytes":     {0x92, 0x03, 0x81, 0xa1, 0x6e, 0x01, 0x00},
	"unknown type":       {0x92, 0x63, 0x80},
	"not a pair":         {0x93, 0x01, 0x80, 0x80},
	"body of wrong type": {0x92, 0x02, 0xa3, 0x61, 0x62, 0x63},
	"reserved byte":      {0x92, 0x01, 0xc1},
}

func TestHostileFramesAreRefusedCheaply(t *testing.T) {
	for name, b := range hostile {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := Decode(b)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("decoded %+v", m)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownType) {
				t.Fatalf("error %v is neither malformed nor unknown", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Fatalf("allocated %d bytes for a %d-byte frame", got, len(b))
			}
		})
	}
}

func TestCheckAcceptsEveryGolden(t *testing.T) {
	for name, m := range samples() {
		b, _ := Encode(m)
		if err := Check(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for cut := 0; cut < len(b); cut++ {
			if Check(b[:cut]) == nil {
				t.Errorf("%s: accepted %d of %d bytes", name, cut, len(b))
			}
		}
	}
}

func TestClientFramesFitTheLimit(t *testing.T) {
	a := Act{ID: 1 << 40, Action: rules.Action{Kind: rules.ActAnswer, Text: strings.Repeat("ä", rules.MaxText)}}
	b, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxClientFrame {
		t.Fatalf("the longest answer makes a %d-byte frame, over the %d limit", len(b), MaxClientFrame)
	}
	tr := Train{ID: 1 << 40, Kind: TrainMessage, Text: strings.Repeat("ä", MaxTrainText)}
	if b, _ := Encode(tr); len(b) > MaxClientFrame {
		t.Fatalf("the longest trainer's message makes a %d-byte frame, over the %d limit", len(b), MaxClientFrame)
	}
}

func FuzzDecode(f *testing.F) {
	for _, m := range samples() {
		b, _ := Encode(m)
		f.Add(b)
	}
	for _, b := range hostile {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode again and decode to the same.
		again, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded %+v but cannot encode it: %v", m, err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("re-encoded frame does not decode: %v", err)
		}
	})
}
