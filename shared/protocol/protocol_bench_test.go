package protocol

import (
	"testing"

	"github.com/pore/elamanipeli/shared/rules"
)

// The messages that cross the wire most: a host's action and its ack, the
// updates every member gets (a card, a reaction), and the heartbeat.
//
//	go test -run XXX -bench . -benchmem ./shared/protocol
func common() []struct {
	name string
	m    Message
} {
	s := samples()
	return []struct {
		name string
		m    Message
	}{
		{"act-next", Act{ID: 41, Action: rules.Action{Kind: rules.ActNext}}},
		{"act-answer", s["act-answer"]},
		{"ack", Ack{ID: 41}},
		{"update-card", s["update"]},
		{"update-react", Update{Seq: 1234, Events: []rules.Event{{Kind: rules.EvReact, Seat: 1, Value: 2}}}},
		{"ping", s["ping"]},
		{"pong", s["pong"]},
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range common() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(c.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range common() {
		f, err := Encode(c.m)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(f)))
			for b.Loop() {
				if _, err := Decode(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	f, err := Encode(samples()["update"])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		if err := Check(f); err != nil {
			b.Fatal(err)
		}
	}
}
