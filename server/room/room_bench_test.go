package room_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/place"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// benchPeer is a connection that takes every frame at once. It hands on
// welcomes and acks, which the room queues after an action's updates.
type benchPeer struct {
	frames  int
	welcome chan protocol.Welcome
	acks    chan protocol.Ack
}

func newBenchPeer() *benchPeer {
	return &benchPeer{welcome: make(chan protocol.Welcome, 1), acks: make(chan protocol.Ack, 1)}
}

func (p *benchPeer) Send(b []byte) bool {
	p.frames++
	if len(b) > 1 && (b[1] == byte(protocol.TypeAck) || b[1] == byte(protocol.TypeWelcome)) {
		m, err := protocol.Decode(b)
		if err != nil {
			panic(err)
		}
		switch m := m.(type) {
		case protocol.Ack:
			p.acks <- m
		case protocol.Welcome:
			p.welcome <- m
		}
	}
	return true
}

func (p *benchPeer) Close(int, string) {}

// BenchmarkRoomAction measures one action through a room whose members sit
// on connections that never fall behind: the inbox, the rules, the updates
// personalized and encoded once per audience, the frames queued, the ack.
// The host cycles next card, reaction, back, reaction, as the load
// generator does.
//
//	go test -run XXX -bench RoomAction -benchmem ./server/room
func BenchmarkRoomAction(b *testing.B) {
	for _, size := range []int{3, 20} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			ctx := context.Background()
			hub := room.NewHub(room.Options{Library: gametest.Bundled(b), Log: zerolog.Nop()})
			defer hub.Shutdown(ctx)
			open := func(p *benchPeer, hello protocol.Hello) (*place.Member, protocol.Welcome) {
				hello.V = protocol.Version
				m, code := hub.Open(ctx, "a", p, hello)
				if code != "" {
					b.Fatal(code)
				}
				return m, <-p.welcome
			}
			hp := newBenchPeer()
			host, w := open(hp, protocol.Hello{Want: protocol.WantCreate, Lang: "fi"})
			id := uint64(0)
			act := func(a rules.Action) {
				id++
				if err := host.Deliver(ctx, protocol.Act{ID: id, Action: a}); err != nil {
					b.Fatal(err)
				}
				if ack := <-hp.acks; ack.Code != "" {
					b.Fatalf("%v: %s", a.Kind, ack.Code)
				}
			}
			act(rules.Action{Kind: rules.ActDecks, Decks: []string{"lammittely"}})
			_, pw := open(newBenchPeer(), protocol.Hello{Want: protocol.WantJoin, Code: w.Code, Lang: "fi"})
			act(rules.Action{Kind: rules.ActAdmit, Seat: pw.Seat})
			for range size - 2 {
				open(newBenchPeer(), protocol.Hello{Want: protocol.WantWatch, Code: w.Watch, Lang: "fi"})
			}
			act(rules.Action{Kind: rules.ActStart})
			cycle := []rules.Action{{Kind: rules.ActNext}, {Kind: rules.ActReact}, {Kind: rules.ActBack}, {Kind: rules.ActReact, Value: 2}}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				act(cycle[n%len(cycle)])
				n++
			}
		})
	}
}
