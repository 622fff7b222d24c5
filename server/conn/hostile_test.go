package conn_test

import (
	"bytes"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
)

// hostileFrames fit the read limit but promise far more than they hold, or
// nest too deeply, or stop short.
var hostileFrames = map[string][]byte{
	"array32 of 4G":         {0x92, 0x02, 0xdd, 0xff, 0xff, 0xff, 0xff},
	"map32 of 4G":           {0x92, 0x01, 0xdf, 0xff, 0xff, 0xff, 0xff, 0x01},
	"str32 of 4G":           {0x92, 0x01, 0x81, 0xa1, 0x6e, 0xdb, 0xff, 0xff, 0xff, 0xff},
	"bin32 of 2G":           {0x92, 0x01, 0x81, 0xa1, 0x6e, 0xc6, 0x7f, 0xff, 0xff, 0xff},
	"array16 of decks":      {0x92, 0x02, 0x82, 0xa1, 0x69, 0x01, 0xa1, 0x61, 0x81, 0xa1, 0x64, 0xdc, 0xff, 0xff},
	"deep nesting":          append(append([]byte{0x92, 0x02}, bytes.Repeat([]byte{0x91}, protocol.MaxClientFrame-3)...), 0xc0),
	"deep maps":             append(append([]byte{0x92, 0x02}, bytes.Repeat([]byte{0x81, 0xa1, 0x61}, 1300)...), 0xc0),
	"truncated hello":       {0x92, 0x01, 0x82, 0xa1, 0x76},
	"truncated length":      {0x92, 0x01, 0xdb, 0xff},
	"an extension":          {0x92, 0x01, 0xd6, 0xff, 0, 0, 0, 0},
	"trailing bytes":        {0x92, 0x03, 0x81, 0xa1, 0x6e, 0x01, 0x00},
	"an unknown type":       {0x92, 0x63, 0x80},
	"many tiny strings":     append([]byte{0x92, 0x02, 0xdc, 0x0f, 0xf0}, bytes.Repeat([]byte{0xa0}, 0x0ff0)...),
	"the limit of nothings": bytes.Repeat([]byte{0xc0}, protocol.MaxClientFrame),
}

// Every hostile frame gets a bad-message error and a policy close, from a
// seat or in place of the hello, and costs the server little: the frames are
// refused before they are decoded.
func TestHostileFramesOverTheWire(t *testing.T) {
	srv := gametest.Start(t, gametest.Options{})
	ctx := testCtx(t, 60*time.Second)
	_, hw := host(t, ctx, srv)
	const rounds = 10
	for name, frame := range hostileFrames {
		if len(frame) > protocol.MaxClientFrame {
			t.Fatalf("%s: %d bytes is over the read limit; it tests nothing here", name, len(frame))
		}
		for _, seated := range []bool{false, true} {
			t.Run(name+map[bool]string{false: " as the hello", true: " from a seat"}[seated], func(t *testing.T) {
				conns := make([]*gametest.Raw, rounds)
				for i := range conns {
					conns[i] = gametest.MustDial(t, ctx, srv.WS, gametest.DialOptions{})
					if seated {
						if _, code := conns[i].Hello(ctx, protocol.Hello{Want: protocol.WantWatch, Code: hw.Watch}); code != "" {
							t.Fatalf("watch: %s", code)
						}
					}
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				for _, r := range conns {
					if err := r.WS.Write(ctx, websocket.MessageBinary, frame); err != nil {
						t.Fatal(err)
					}
					status, msgs := closeStatus(ctx, r)
					if status != websocket.StatusPolicyViolation {
						t.Fatalf("closed with %v, want a policy close", status)
					}
					// The room's updates to the seat (that an earlier
					// spectator left) may still cross the error on its way.
					i := slices.Index(msgs, protocol.Message(protocol.Error{Code: protocol.ErrBadMessage}))
					if i < 0 || slices.ContainsFunc(msgs[i+1:], func(m protocol.Message) bool { return m.Type() != protocol.TypeUpdate }) {
						t.Fatalf("the last message but updates before the close was not bad-message: %+v", msgs)
					}
				}
				runtime.ReadMemStats(&after)
				// Both ends of the connection are in this process, so
				// this counts the client's reading and writing too.
				per := (after.TotalAlloc - before.TotalAlloc) / rounds
				if per > 1<<20 {
					t.Fatalf("%d bytes allocated per %d-byte frame", per, len(frame))
				}
				t.Logf("%d-byte frame: %d bytes allocated per frame, both ends", len(frame), per)
			})
		}
	}
}
