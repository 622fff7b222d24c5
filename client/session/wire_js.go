//go:build js

package session

import (
	"context"
	"errors"
	"sync"
	"syscall/js"
)

// browserWire is the page's own WebSocket. Callbacks from the browser never
// block: frames queue up and a reader takes them.
type browserWire struct {
	ws     js.Value
	notify chan struct{} // something arrived, or the connection ended
	funcs  []js.Func

	mu     sync.Mutex
	queue  [][]byte
	err    error // set once the connection has ended
	opened bool
}

var errBrowserWS = errors.New("session: the browser's WebSocket failed")

func dialWire(ctx context.Context, url string, _ map[string][]string) (wire, error) {
	ctor := js.Global().Get("WebSocket")
	if !ctor.Truthy() {
		return nil, errors.New("session: this browser has no WebSocket")
	}
	w := &browserWire{ws: ctor.New(url), notify: make(chan struct{}, 1)}
	w.ws.Set("binaryType", "arraybuffer")
	on := func(event string, fn func(ev js.Value)) {
		f := js.FuncOf(func(this js.Value, args []js.Value) any {
			fn(args[0])
			return nil
		})
		w.funcs = append(w.funcs, f)
		w.ws.Call("addEventListener", event, f)
	}
	on("open", func(js.Value) {
		w.mu.Lock()
		w.opened = true
		w.mu.Unlock()
		w.poke()
	})
	on("message", func(ev js.Value) {
		arr := js.Global().Get("Uint8Array").New(ev.Get("data"))
		b := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(b, arr)
		w.mu.Lock()
		w.queue = append(w.queue, b)
		w.mu.Unlock()
		w.poke()
	})
	on("close", func(ev js.Value) {
		w.end(&closeError{status: ev.Get("code").Int(), reason: ev.Get("reason").String()})
	})
	on("error", func(js.Value) { w.end(errBrowserWS) })

	for {
		w.mu.Lock()
		opened, err := w.opened, w.err
		w.mu.Unlock()
		switch {
		case opened:
			return w, nil
		case err != nil:
			w.release()
			return nil, err
		}
		select {
		case <-w.notify:
		case <-ctx.Done():
			w.CloseNow()
			return nil, ctx.Err()
		}
	}
}

func (w *browserWire) poke() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// end notes that the connection is over; the first reason wins.
func (w *browserWire) end(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	w.poke()
}

func (w *browserWire) Read(ctx context.Context) ([]byte, error) {
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			b := w.queue[0]
			w.queue[0] = nil
			w.queue = w.queue[1:]
			w.mu.Unlock()
			return b, nil
		}
		err := w.err
		w.mu.Unlock()
		if err != nil {
			w.release()
			return nil, err
		}
		select {
		case <-w.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (w *browserWire) Write(ctx context.Context, b []byte) error {
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	arr := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(arr, b)
	w.ws.Call("send", arr)
	return nil
}

// Close closes cleanly; a browser may only send 1000 or 3000–4999.
func (w *browserWire) Close(status int, reason string) {
	if status != 1000 && (status < 3000 || status > 4999) {
		status = 1000
	}
	w.ws.Call("close", status, reason)
	w.end(&closeError{status: status, reason: reason})
}

func (w *browserWire) CloseNow() {
	w.ws.Call("close")
	w.end(&closeError{status: 1000})
}

// release frees the callbacks once the connection is over and read out.
func (w *browserWire) release() {
	w.mu.Lock()
	funcs := w.funcs
	w.funcs = nil
	w.mu.Unlock()
	for _, f := range funcs {
		f.Release()
	}
}
