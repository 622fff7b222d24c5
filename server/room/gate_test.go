package room

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

// zeros is a random source that always says the same: every code it makes
// is AAAAAA.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReservedCodesAreNeverRoomCodes: a workshop's code and a room's never
// clash, whichever came first.
func TestReservedCodesAreNeverRoomCodes(t *testing.T) {
	h := NewHub(Options{Library: rules.NewLibrary(), Log: zerolog.Nop(), Rand: zeros{}})
	code, err := h.ReserveCode()
	if err != nil || code != "AAAAAA" {
		t.Fatalf("reserved %q, %v", code, err)
	}
	if _, err := h.ReserveCode(); err == nil {
		t.Fatal("the same code reserved twice")
	}
	if _, c := h.create(protocol.Hello{Want: protocol.WantCreate}); c != protocol.ErrBusy {
		t.Fatalf("a room got the reserved code: %q", c)
	}
	if _, c := h.CreatePair(PairSeat{Key: KeyOf("a"), Lang: "fi"}, PairSeat{Key: KeyOf("b"), Lang: "fi"}); c != protocol.ErrBusy {
		t.Fatalf("a pair's room got the reserved code: %q", c)
	}
	h.ReleaseCode(code)
	r, c := h.create(protocol.Hello{Want: protocol.WantCreate})
	if c != "" || r.code != "AAAAAA" {
		t.Fatalf("after release: %q", c)
	}
	if _, err := h.ReserveCode(); err == nil {
		t.Fatal("a room's code reserved")
	}
	h.Shutdown(t.Context())
}
