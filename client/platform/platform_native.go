//go:build !js

package platform

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Desktop is the platform of the native client.
type Desktop struct {
	page, ws string
	file     string
	link     string // a link's fragment given on the command line
	mu       sync.Mutex
	values   map[string]string
}

// New returns the desktop platform for a server at page (http://host:port/);
// values are kept in a file under the user's config folder (or stateFile).
func New(page, stateFile string) *Desktop {
	page = strings.TrimSuffix(page, "/") + "/"
	ws := "ws" + strings.TrimPrefix(page, "http") + "ws"
	if stateFile == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			stateFile = filepath.Join(dir, "elamanipeli", "state.json")
		}
	}
	d := &Desktop{page: page, ws: ws, file: stateFile, values: map[string]string{}}
	if b, err := os.ReadFile(stateFile); err == nil {
		json.Unmarshal(b, &d.values)
	}
	return d
}

// Get reads a value kept on this device.
func (d *Desktop) Get(key string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.values[key]
}

// Set keeps a value on this device; an empty value forgets it.
func (d *Desktop) Set(key, value string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if value == "" {
		delete(d.values, key)
	} else {
		d.values[key] = value
	}
	if d.file == "" {
		return
	}
	b, _ := json.Marshal(d.values)
	os.MkdirAll(filepath.Dir(d.file), 0o700)
	os.WriteFile(d.file, b, 0o600)
}

// SetLink makes the client start as a link would: "watch=CODE" shows the
// room with that spectator code (a projector), "join=CODE" knocks on it.
func (d *Desktop) SetLink(fragment string) { d.link = fragment }

// Fragment is the link given with SetLink, if any.
func (d *Desktop) Fragment() string { return d.link }

// ClearFragment forgets the link once it is used.
func (d *Desktop) ClearFragment() { d.link = "" }

// Knocked is never: the desktop has no page to knock from.
func (d *Desktop) Knocked() (string, bool) { return "", false }

// PageURL is the server's page, for join links.
func (d *Desktop) PageURL() string { return d.page }

// ServerWS is the server's WebSocket address.
func (d *Desktop) ServerWS() string { return d.ws }

// DrawsFields is false: the game draws its own text fields.
func (d *Desktop) DrawsFields() bool { return false }

// SyncFields does nothing on the desktop.
func (d *Desktop) SyncFields([]Field) {}

// Focus does nothing on the desktop.
func (d *Desktop) Focus(string) {}

// FieldEvents is always empty on the desktop.
func (d *Desktop) FieldEvents() []FieldEvent { return nil }

// Mirror does nothing on the desktop: the native window has no screen-reader
// bridge.
func (d *Desktop) Mirror(string, []MirrorAction) {}

// Mirrored is always empty on the desktop.
func (d *Desktop) Mirrored() []string { return nil }

// CanSpeak is false on the desktop.
func (d *Desktop) CanSpeak() bool { return false }

// Speak does nothing on the desktop.
func (d *Desktop) Speak(string, string) {}

// StopSpeaking does nothing on the desktop.
func (d *Desktop) StopSpeaking() {}

// Save writes content into the user's Downloads folder (or home) and returns
// the path.
func (d *Desktop) Save(name, content string) string {
	dir, err := os.UserHomeDir()
	if err != nil {
		dir = "."
	}
	if dl := filepath.Join(dir, "Downloads"); isDir(dl) {
		dir = dl
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		return ""
	}
	return p
}

// Open does nothing on the desktop; the link is shown instead.
func (d *Desktop) Open(string) {}

// Copy is not available on the desktop.
func (d *Desktop) Copy(string) bool { return false }

// OnWake does nothing on the desktop: input wakes the game there.
func OnWake(func()) {}

// Hurry does nothing on the desktop: Ebiten's own loop draws what
// ebiten.ScheduleFrame asks for.
func Hurry() {}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Mark does nothing on the desktop.
func (d *Desktop) Mark(string) {}

// PickFile is not offered on the desktop: decks are brought in from a
// browser, or put in the server's -decks folder.
func (d *Desktop) PickFile(string, func(string, []byte)) bool { return false }

// Fetch gets path from the server.
func (d *Desktop) Fetch(path string, done func(status int, body []byte)) {
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(d.page, "/")+path, nil)
	go send(req, err, 8<<20, done)
}

// Post sends data to path on the server with the seat's token.
func (d *Desktop) Post(path, token string, headers map[string]string, data []byte, done func(status int, body []byte)) {
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(d.page, "/")+path, bytes.NewReader(data))
	if err == nil {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
	}
	go send(req, err, 1<<20, done)
}

// send makes the request (unless making it failed: err) and gives done the
// status and at most limit bytes of the body; status 0: no answer.
func send(req *http.Request, err error, limit int64, done func(status int, body []byte)) {
	if err != nil {
		done(0, nil)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		done(0, nil)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	done(resp.StatusCode, body)
}
