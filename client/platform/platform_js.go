//go:build js

package platform

import (
	"strconv"
	"strings"
	"syscall/js"
)

// Browser is the platform inside a web page.
type Browser struct {
	doc      js.Value
	fields   map[string]js.Value
	events   []FieldEvent
	mirrored []string
	actions  js.Value
	live     js.Value
	lastLive string
	lastActs string
	seq      int // the mirror's state number, data-seq
	funcs    []js.Func
	canvasOK bool // the game's canvas is in the page's tab order as it should be
}

// New returns the browser platform.
func New() *Browser {
	b := &Browser{doc: js.Global().Get("document"), fields: map[string]js.Value{}}
	b.live = b.doc.Call("getElementById", "sr")
	b.actions = b.doc.Call("getElementById", "sr-actions")
	// A new link opened in a tab that already runs the game changes only
	// the fragment: wake the game to follow it.
	js.Global().Call("addEventListener", "hashchange", js.FuncOf(func(js.Value, []js.Value) any {
		wake()
		return nil
	}))
	return b
}

func (b *Browser) storage() js.Value { return js.Global().Get("localStorage") }

// Get reads a value kept on this device.
func (b *Browser) Get(key string) string {
	st := b.storage()
	if !st.Truthy() {
		return ""
	}
	v := st.Call("getItem", "elamanipeli."+key)
	if v.IsNull() || v.IsUndefined() {
		return ""
	}
	return v.String()
}

// Set keeps a value on this device; an empty value forgets it.
func (b *Browser) Set(key, value string) {
	st := b.storage()
	if !st.Truthy() {
		return
	}
	if value == "" {
		st.Call("removeItem", "elamanipeli."+key)
		return
	}
	st.Call("setItem", "elamanipeli."+key, value)
}

// Fragment returns the page address's fragment without '#'.
func (b *Browser) Fragment() string {
	return strings.TrimPrefix(js.Global().Get("location").Get("hash").String(), "#")
}

// ClearFragment removes the fragment without reloading the page.
func (b *Browser) ClearFragment() {
	loc := js.Global().Get("location")
	js.Global().Get("history").Call("replaceState", nil, "", loc.Get("pathname").String()+loc.Get("search").String())
}

// Knocked is the knock the page's door took before the game started
// (main.js sets elamanipeliDoor), given once.
func (b *Browser) Knocked() (string, bool) {
	d := js.Global().Get("elamanipeliDoor")
	if !d.Truthy() {
		return "", false
	}
	js.Global().Delete("elamanipeliDoor")
	return d.Get("nick").String(), true
}

// PageURL is the game page's address, for join links.
func (b *Browser) PageURL() string {
	loc := js.Global().Get("location")
	return loc.Get("origin").String() + loc.Get("pathname").String()
}

// ServerWS is the WebSocket address of the server that served the page.
func (b *Browser) ServerWS() string {
	loc := js.Global().Get("location")
	scheme := "ws://"
	if loc.Get("protocol").String() == "https:" {
		scheme = "wss://"
	}
	return scheme + loc.Get("host").String() + "/ws"
}

// DrawsFields reports whether the page provides text fields (so a phone's
// keyboard comes up); the game then only places them.
func (b *Browser) DrawsFields() bool { return true }

// SyncFields shows exactly the fields given, where given.
func (b *Browser) SyncFields(specs []Field) {
	seen := map[string]bool{}
	for _, s := range specs {
		seen[s.ID] = true
		el, ok := b.fields[s.ID]
		if !ok {
			el = b.newField(s)
			b.fields[s.ID] = el
		}
		st := el.Get("style")
		st.Set("left", px(s.X))
		st.Set("top", px(s.Y))
		st.Set("width", px(s.W))
		st.Set("height", px(s.H))
		st.Set("fontSize", px(s.FontPx))
		st.Call("setProperty", "--field-ink", s.Ink)
		st.Call("setProperty", "--field-muted", s.Muted)
		el.Set("placeholder", s.Placeholder)
		el.Call("setAttribute", "aria-label", s.Label)
		if s.Set && el.Get("value").String() != s.Value {
			el.Set("value", s.Value)
		}
	}
	for id, el := range b.fields {
		if !seen[id] {
			el.Call("remove")
			delete(b.fields, id)
		}
	}
}

func (b *Browser) newField(s Field) js.Value {
	el := b.doc.Call("createElement", "input")
	el.Set("className", "game-field")
	el.Set("id", "field-"+s.ID)
	el.Set("type", "text")
	el.Set("autocomplete", "off")
	el.Set("spellcheck", s.Kind != FieldCode)
	if s.Max > 0 {
		el.Set("maxLength", s.Max)
	}
	if s.Lang != "" {
		el.Set("lang", s.Lang)
	}
	if s.Kind == FieldCode {
		el.Set("autocapitalize", "characters")
		el.Call("setAttribute", "autocorrect", "off")
		el.Set("inputMode", "text")
		el.Call("setAttribute", "enterkeyhint", "go")
	} else {
		el.Call("setAttribute", "enterkeyhint", "done")
	}
	id := s.ID
	onInput := js.FuncOf(func(this js.Value, args []js.Value) any {
		b.events = append(b.events, FieldEvent{ID: id, Value: this.Get("value").String()})
		wake()
		return nil
	})
	onKey := js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := args[0]
		switch ev.Get("key").String() {
		case "Enter":
			ev.Call("preventDefault")
			b.events = append(b.events, FieldEvent{ID: id, Value: this.Get("value").String(), Submit: true})
			wake()
		case "Tab", "Escape":
			// Keyboard players move on from a field as from anything else:
			// the keys go back to the game's canvas.
			ev.Call("preventDefault")
			key := ev.Get("key").String()
			if key == "Tab" && ev.Get("shiftKey").Bool() {
				key = "ShiftTab"
			}
			if c := b.doc.Call("querySelector", "canvas"); c.Truthy() {
				c.Call("focus")
			}
			b.events = append(b.events, FieldEvent{ID: id, Value: this.Get("value").String(), Key: key})
			wake()
		}
		ev.Call("stopPropagation")
		return nil
	})
	onFocus := js.FuncOf(func(this js.Value, args []js.Value) any {
		b.events = append(b.events, FieldEvent{ID: id, Value: this.Get("value").String(), Focus: true})
		wake()
		return nil
	})
	el.Call("addEventListener", "input", onInput)
	el.Call("addEventListener", "keydown", onKey)
	el.Call("addEventListener", "focus", onFocus)
	b.funcs = append(b.funcs, onInput, onKey, onFocus)
	b.doc.Get("body").Call("appendChild", el)
	return el
}

// Focus puts the keyboard into a field.
func (b *Browser) Focus(id string) {
	if el, ok := b.fields[id]; ok {
		el.Call("focus")
	}
}

// FieldEvents returns what happened in the fields since the last call.
func (b *Browser) FieldEvents() []FieldEvent {
	ev := b.events
	b.events = nil
	return ev
}

// Mirror keeps the screen-reader mirror in step: a live region that reads
// what changed, and a list of the actions on screen as real buttons. Every
// change of either raises the actions container's data-seq by one, a state
// number tests wait on instead of sleeping.
func (b *Browser) Mirror(live string, actions []MirrorAction) {
	if !b.canvasOK {
		// Ebiten makes its canvas focusable with tabindex 1, which puts it
		// ahead of everything else in the tab order; 0 keeps it focusable
		// in the page's own order (the mirror's buttons come first).
		if c := b.doc.Call("querySelector", "canvas"); c.Truthy() {
			c.Call("setAttribute", "tabindex", 0)
			b.canvasOK = true
		}
	}
	if b.live.Truthy() && live != b.lastLive {
		b.lastLive = live
		b.live.Set("textContent", live)
		b.bumpSeq()
	}
	if !b.actions.Truthy() {
		return
	}
	var key strings.Builder
	for _, a := range actions {
		key.WriteString(a.ID + "\x00" + a.Label + "\x00" + strconv.Itoa(int(a.X)) + "," + strconv.Itoa(int(a.Y)))
		if !a.Enabled {
			key.WriteString("\x00off")
		}
		key.WriteByte(byte('0' + a.Pressed + 1))
		if a.Focused {
			key.WriteString("\x00f")
		}
		key.WriteByte('\n')
	}
	if key.String() == b.lastActs {
		return
	}
	b.lastActs = key.String()
	b.bumpSeq()
	b.actions.Set("textContent", "")
	for _, a := range actions {
		btn := b.doc.Call("createElement", "button")
		btn.Set("textContent", a.Label)
		btn.Set("id", "act-"+a.ID)
		// Where the action sits on the canvas, so tools and tests can find it.
		ds := btn.Get("dataset")
		ds.Set("x", a.X)
		ds.Set("y", a.Y)
		ds.Set("w", a.W)
		ds.Set("h", a.H)
		btn.Set("disabled", !a.Enabled)
		if a.Pressed >= 0 {
			btn.Call("setAttribute", "aria-pressed", a.Pressed == 1)
		}
		if a.Focused {
			ds.Set("focused", "1")
		}
		id := a.ID
		fn := js.FuncOf(func(this js.Value, args []js.Value) any {
			b.mirrored = append(b.mirrored, id)
			wake()
			return nil
		})
		b.funcs = append(b.funcs, fn)
		btn.Call("addEventListener", "click", fn)
		b.actions.Call("appendChild", btn)
	}
}

// bumpSeq raises the mirror's state number, data-seq on #sr-actions.
func (b *Browser) bumpSeq() {
	b.seq++
	if b.actions.Truthy() {
		b.actions.Get("dataset").Set("seq", b.seq)
	}
}

// Mirrored returns the actions activated through the mirror since the last
// call.
func (b *Browser) Mirrored() []string {
	m := b.mirrored
	b.mirrored = nil
	return m
}

// CanSpeak reports whether the browser can read text aloud.
func (b *Browser) CanSpeak() bool { return js.Global().Get("speechSynthesis").Truthy() }

// Speak reads text aloud in lang, stopping anything read before.
func (b *Browser) Speak(text, lang string) {
	ss := js.Global().Get("speechSynthesis")
	if !ss.Truthy() {
		return
	}
	ss.Call("cancel")
	u := js.Global().Get("SpeechSynthesisUtterance").New(text)
	u.Set("lang", map[string]string{"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[lang])
	ss.Call("speak", u)
}

// StopSpeaking stops reading aloud.
func (b *Browser) StopSpeaking() {
	if ss := js.Global().Get("speechSynthesis"); ss.Truthy() {
		ss.Call("cancel")
	}
}

// Save offers content as a file download on this device only.
func (b *Browser) Save(name, content string) string {
	blob := js.Global().Get("Blob").New(js.ValueOf([]any{content}), map[string]any{"type": "text/plain;charset=utf-8"})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := b.doc.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	b.doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	js.Global().Get("URL").Call("revokeObjectURL", url)
	return name
}

// Open opens a link (a help service's page) in a new tab.
func (b *Browser) Open(url string) {
	if strings.HasPrefix(url, "tel:") {
		// A call: the phone's dialler, without leaving the game's page.
		a := b.doc.Call("createElement", "a")
		a.Set("href", url)
		a.Call("click")
		return
	}
	js.Global().Call("open", url, "_blank", "noopener")
}

// Copy puts text on the clipboard, where the browser allows it.
func (b *Browser) Copy(text string) bool {
	cb := js.Global().Get("navigator").Get("clipboard")
	if !cb.Truthy() {
		return false
	}
	cb.Call("writeText", text)
	return true
}

var wakeFn func()

// OnWake sets what to call when the page has news for the game (a key in a
// text field, a mirror button), so a sleeping game draws a frame.
func OnWake(fn func()) { wakeFn = fn }

func wake() {
	if wakeFn != nil {
		wakeFn()
	}
}

// hurry is the page's elamanipeliHurry (main.js), read before Ebiten starts
// asking for animation frames.
var hurry = js.Global().Get("elamanipeliHurry")

// Hurry tells the page that the game has asked for a frame
// (ebiten.ScheduleFrame): while the game draws nothing, the page holds the
// browser's animation frames back, and this lets the next one come now.
func Hurry() {
	if hurry.Type() == js.TypeFunction {
		hurry.Invoke()
	}
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "px" }

// Mark records a moment in the page's performance timeline (the first frame,
// for measurements).
func (b *Browser) Mark(name string) {
	if perf := js.Global().Get("performance"); perf.Truthy() {
		perf.Call("mark", "elamanipeli-"+name)
	}
}

// PickFile lets the player choose a file on their device; done gets its name
// and contents. The browser asks only right after a tap or a key.
func (b *Browser) PickFile(accept string, done func(name string, data []byte)) bool {
	in := b.doc.Call("createElement", "input")
	in.Set("type", "file")
	in.Set("accept", accept)
	in.Get("style").Set("display", "none")
	var onChange js.Func
	onChange = js.FuncOf(func(this js.Value, args []js.Value) any {
		files := in.Get("files")
		in.Call("remove")
		onChange.Release()
		if files.Get("length").Int() == 0 {
			return nil
		}
		file := files.Index(0)
		name := file.Get("name").String()
		var onData js.Func
		onData = js.FuncOf(func(this js.Value, args []js.Value) any {
			onData.Release()
			arr := js.Global().Get("Uint8Array").New(args[0])
			data := make([]byte, arr.Get("length").Int())
			js.CopyBytesToGo(data, arr)
			go done(name, data)
			wake()
			return nil
		})
		file.Call("arrayBuffer").Call("then", onData)
		return nil
	})
	in.Call("addEventListener", "change", onChange)
	b.doc.Get("body").Call("appendChild", in)
	in.Call("click")
	return true
}

// Fetch gets path from the page's own server and gives done the status and
// the body (status 0: no answer, as offline).
func (b *Browser) Fetch(path string, done func(status int, body []byte)) {
	request(path, map[string]any{}, done)
}

// Post sends data to path on the page's own server with the seat's token
// (none when token is empty), and gives done the status and the body of the
// answer.
func (b *Browser) Post(path, token string, headers map[string]string, data []byte, done func(status int, body []byte)) {
	h := map[string]any{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	for k, v := range headers {
		h[k] = v
	}
	body := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(body, data)
	request(path, map[string]any{"method": "POST", "headers": h, "body": body, "cache": "no-store"}, done)
}

// request runs the browser's fetch of path with opts and gives done the
// status and the body, on a goroutine of its own (status 0: no answer).
func request(path string, opts map[string]any, done func(status int, body []byte)) {
	var onResp, onBody, onErr js.Func
	status := 0
	release := func() { onResp.Release(); onBody.Release(); onErr.Release() }
	onBody = js.FuncOf(func(this js.Value, args []js.Value) any {
		arr := js.Global().Get("Uint8Array").New(args[0])
		out := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(out, arr)
		release()
		go done(status, out)
		wake()
		return nil
	})
	onResp = js.FuncOf(func(this js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("arrayBuffer").Call("then", onBody).Call("catch", onErr)
		return nil
	})
	onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		release()
		go done(0, nil)
		wake()
		return nil
	})
	js.Global().Call("fetch", path, opts).Call("then", onResp).Call("catch", onErr)
}
