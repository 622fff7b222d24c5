//go:build !js

package native

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/pore/elamanipeli/client/bot"
	"github.com/pore/elamanipeli/client/platform"
	"github.com/pore/elamanipeli/client/session"
	"github.com/pore/elamanipeli/client/ui"
	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/shared/protocol"
)

// The game loop must own the main thread: the tests run beside it and hand
// it a game to show.
var (
	current  = make(chan ebiten.Game, 1)
	hasX     = os.Getenv("DISPLAY") != ""
	exitCode int
)

func TestMain(m *testing.M) {
	if !hasX {
		os.Exit(m.Run()) // the tests skip themselves
	}
	go func() {
		exitCode = m.Run()
		close(current)
	}()
	ebiten.SetWindowSize(800, 600)
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	if err := ebiten.RunGame(&host{}); err != nil && err != errDone {
		panic(err)
	}
	os.Exit(exitCode)
}

// host runs whichever game the test hands it, and ends when the tests do.
type host struct{ g ebiten.Game }

// errDone ends the game loop once the tests are over.
var errDone = errors.New("native: tests done")

func (h *host) Update() error {
	select {
	case g, ok := <-current:
		if !ok {
			return errDone
		}
		h.g = g
	default:
	}
	ebiten.ScheduleFrame() // keep looking for the next game
	if h.g == nil {
		return nil
	}
	return h.g.Update()
}

func (h *host) Draw(screen *ebiten.Image) {
	if h.g != nil {
		h.g.Draw(screen)
	}
}

func (h *host) Layout(w, ht int) (int, int) {
	if h.g == nil {
		return w, ht
	}
	return h.g.Layout(w, ht)
}

// watcher wraps the client's game and keeps a copy of what it draws.
type watcher struct {
	ebiten.Game
	mu     sync.Mutex
	frames int
	pix    []byte
	w, h   int
}

func (w *watcher) Draw(screen *ebiten.Image) {
	w.Game.Draw(screen)
	b := screen.Bounds()
	pix := make([]byte, 4*b.Dx()*b.Dy())
	screen.ReadPixels(pix)
	w.mu.Lock()
	w.frames++
	w.pix, w.w, w.h = pix, b.Dx(), b.Dy()
	w.mu.Unlock()
}

// count is how many pixels are close to c.
func (w *watcher) count(c color.RGBA) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for i := 0; i+3 < len(w.pix); i += 4 {
		if near(w.pix[i], c.R) && near(w.pix[i+1], c.G) && near(w.pix[i+2], c.B) {
			n++
		}
	}
	return n
}

func near(a, b uint8) bool { return a+8 >= b && b+8 >= a }

// TestDesktopClientPlaysAgainstAServer opens the desktop client against a
// server, with the host's seat in its state file, and sees the room's lobby
// drawn: the paper background and the black modules of the join QR code.
func TestDesktopClientPlaysAgainstAServer(t *testing.T) {
	if !hasX {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but there is no display: .ci/run runs the tests under xvfb-run")
		}
		t.Skip("no DISPLAY: the desktop client needs X (xvfb-run go test ./client/native)")
	}
	srv := gametest.Start(t, gametest.Options{})
	hostBot := srv.Bot(protocol.Hello{Want: protocol.WantCreate, Lang: "fi"}, bot.Config{Decks: []string{"lammittely"}, WaitPlayers: 9}, session.Options{})
	st := gametest.Wait(t, hostBot.Session(), "the room", func(s *session.State) bool { return s.Token != "" && s.HasView })
	hostBot.Close()

	// The desktop client takes the seat back, as after a restart of the app.
	state := filepath.Join(t.TempDir(), "state.json")
	p := platform.New(srv.URL, state)
	p.Set("token", st.Token)
	p.Set("room", st.Code)
	w := &watcher{Game: ui.New(ui.Options{Platform: platform.New(srv.URL, state)})}
	current <- w

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if w.count(ui.Calm.Bg) > 1000 && w.count(color.RGBA{0, 0, 0, 255}) > 200 {
			return
		}
		time.Sleep(100 * time.Millisecond)
		ebiten.ScheduleFrame()
	}
	t.Fatalf("no lobby after %d frames: %d paper pixels, %d black", w.frames, w.count(ui.Calm.Bg), w.count(color.RGBA{0, 0, 0, 255}))
}
