package room_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/room"
	"github.com/pore/elamanipeli/shared/protocol"
)

// BenchmarkRestore measures how long a start takes to bring back n rooms
// that were in the middle of a game: opening the store and Hub.Restore. It
// also reports a snapshot's size and how long a save takes.
//
//	go test -run XXX -bench Restore ./server/room
func BenchmarkRestore(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			ctx := context.Background()
			snapshot := midGameSnapshot(b, dir)
			k := gametest.Keep(b, dir)
			var rec map[string]any
			if err := msgpack.Unmarshal(snapshot, &rec); err != nil {
				b.Fatal(err)
			}
			began := time.Now()
			for i := range n {
				id := fmt.Sprintf("BENCH%07d", i)
				rec["id"], rec["c"], rec["w"] = id, fmt.Sprintf("C%07d", i), fmt.Sprintf("W%09d", i)
				data, err := msgpack.Marshal(rec)
				if err != nil {
					b.Fatal(err)
				}
				c, err := k.Store.Create(ctx, id, data)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Release(ctx); err != nil { // as a shutdown hands rooms over
					b.Fatal(err)
				}
			}
			perSave := float64(time.Since(began).Microseconds()) / float64(n)
			k.Close()

			b.ResetTimer()
			for range b.N {
				began := time.Now()
				k := gametest.Keep(b, dir)
				opened := time.Since(began)
				hub := room.NewHub(room.Options{Library: gametest.Bundled(b), Log: zerolog.Nop(), Durable: true})
				got, err := hub.Restore(ctx, k.Rooms)
				if err != nil || got != n+1 {
					b.Fatalf("restored %d rooms (%v), want %d", got, err, n+1)
				}
				b.ReportMetric(float64(opened.Microseconds())/1000, "ms-open")
				b.StopTimer()
				hub.Shutdown(ctx)
				k.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(snapshot)), "snapshot-bytes")
			b.ReportMetric(perSave, "µs/save")
		})
	}
}

// midGameSnapshot plays a game halfway in a store in dir and returns the
// room's snapshot.
func midGameSnapshot(b *testing.B, dir string) []byte {
	k := gametest.Keep(b, dir)
	log := zerolog.Nop()
	srv := gametest.Start(b, gametest.Options{Store: k.Rooms, Log: &log, Room: room.Config{Tick: 20 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	host := srv.Bot(protocol.Hello{Want: protocol.WantCreate, Nick: "Ohjaaja", Lang: "fi"},
		gametest.BotConfig{Decks: []string{"lammittely", "tarina-opiskelu", "elamanalueet"}, WaitPlayers: 1, MarkOneIn: 4, Pace: time.Millisecond}, gametest.SessionOptions{})
	defer host.Close()
	hs := gametest.Wait(b, host.Session(), "a room", func(s *gametest.State) bool { return s.Watch != "" })
	player := srv.Bot(protocol.Hello{Want: protocol.WantJoin, Code: hs.Code, Nick: "Nuori", Lang: "en"},
		gametest.BotConfig{Typed: "Vastaus, jonka pituus on kuin oikean vastauksen.", PassOneIn: 5, Pace: time.Millisecond}, gametest.SessionOptions{})
	defer player.Close()
	go host.Run(ctx)
	go player.Run(ctx)
	gametest.Wait(b, host.Session(), "half a game", func(s *gametest.State) bool { return s.View.Played >= 20 })
	srv.Stop() // the room is written and handed over
	ids, err := k.Store.Orphans(ctx)
	if err != nil || len(ids) != 1 {
		b.Fatalf("%d rooms kept: %v", len(ids), err)
	}
	c, kept, err := k.Store.TakeOver(ctx, ids[0])
	if err != nil {
		b.Fatal(err)
	}
	c.Release(ctx)
	k.Close()
	return kept.Snapshot
}
