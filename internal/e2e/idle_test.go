//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

// busy returns how long the page's main thread has spent on tasks so far.
func (p *Page) busy() time.Duration {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	var d time.Duration
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, performance.Enable, performance.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, t, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, m := range res.Metrics {
			if m.Name == "TaskDuration" {
				d = time.Duration(m.Value * float64(time.Second))
			}
		}
		return nil
	}))
	if err != nil {
		p.t.Fatalf("%s: metrics: %v", p.name, err)
	}
	return d
}

// idleShare measures the share of a window of d the main thread is busy.
func (p *Page) idleShare(d time.Duration) float64 {
	before := p.busy()
	time.Sleep(d)
	return float64(p.busy()-before) / float64(d)
}

// rested is what the page's rest (main.js) has counted so far: the
// animation frames the game asked the browser for, how many of them waited
// because the game drew nothing, and how each of those came in the end: the
// game asked for a frame (hurried), or the rest ran out (rested).
type rested struct{ Frames, Held, Hurried, Rested int }

func (p *Page) rested() rested {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.elamanipeliRest || null)`))
	if err != nil {
		p.t.Fatalf("%s: the page's rest: %v", p.name, err)
	}
	var r *rested
	if err := json.Unmarshal([]byte(s), &r); err != nil || r == nil {
		p.t.Fatalf("%s: the page counts no rest (%q, %v)", p.name, s, err)
	}
	return *r
}

func TestIdleLook(t *testing.T) {
	if os.Getenv("E2E_LOOK") == "" && !measuring() {
		t.Skip("set E2E_LOOK=1")
	}
	needBrowser(t)
	srv := gameServer(t)
	b := browser(t)
	p := open(t, b, "idle", srv.URL+"/", 768, 1024, true)
	t.Logf("first visit, ms after navigation: %v", p.timings())
	time.Sleep(3 * time.Second) // let the page settle
	t.Logf("busy %.1f%% of an idle 8 s", 100*p.idleShare(8*time.Second))
	p.shot("idle")
	// A second visit: the wasm comes from the HTTP cache, compiled code
	// perhaps from the browser's code cache.
	p.run(chromedp.Reload())
	p.waitFor("the game again", `performance.getEntriesByName("elamanipeli-first-frame").length > 0`)
	t.Logf("second visit, ms after navigation: %v", p.timings())
}
