//go:build !js

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"

	"github.com/pore/elamanipeli/internal/gametest"
	"github.com/pore/elamanipeli/server/webclient"
)

// TestProfileStart profiles the page from navigation to the first frame with
// Chromium's sampling profiler and prints where the time goes, by function.
// It builds a client with its symbols kept. Run it by hand:
//
//	E2E_PROFILE=1 go test -run TestProfileStart -v ./internal/e2e
func TestProfileStart(t *testing.T) {
	if os.Getenv("E2E_PROFILE") == "" {
		t.Skip("set E2E_PROFILE=1 to profile the client's start")
	}
	needBrowser(t)
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-gcflags=all=-l", "-o", filepath.Join(dir, "app.wasm"), "../../client")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	exec.Command("cp", filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"), dir).Run()
	c, err := webclient.New(context.Background(), webclient.Options{Log: zerolog.Nop(), Prebuilt: dir, CacheDir: t.TempDir(), BrotliQuality: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	srv := gametest.Start(t, gametest.Options{Client: c})
	b := browser(t)
	tab, cancelTab := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancelTab()
	var prof *profiler.Profile
	start := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 500}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, profiler.Start, cdp.Empty{})
		return err
	})
	idle := os.Getenv("E2E_PROFILE") == "idle" // profile 8 s of an idle start screen instead
	p := &Page{t: t, ctx: tab, name: "profile", w: 768, h: 1024}
	if idle {
		err = chromedp.Do(tab, chromedp.EmulateViewport(768, 1024), chromedp.Navigate(srv.URL+"/"))
		p.waitFor("the first frame", `performance.getEntriesByName("elamanipeli-first-frame").length > 0`)
		time.Sleep(3 * time.Second)
		if err == nil {
			err = chromedp.Do(tab, start)
		}
		time.Sleep(8 * time.Second)
	} else {
		err = chromedp.Do(tab, chromedp.EmulateViewport(768, 1024), start, chromedp.Navigate(srv.URL+"/"))
		p.waitFor("the first frame", `performance.getEntriesByName("elamanipeli-first-frame").length > 0`)
	}
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, profiler.Stop, cdp.Empty{})
		prof = res.Profile
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("timings %v", p.timings())
	t.Logf("profile of %v", time.Duration(prof.EndTime-prof.StartTime)*time.Microsecond)
	// Self time per function: samples × interval.
	self := map[string]float64{}
	byID := map[int64]*profiler.ProfileNode{}
	for _, n := range prof.Nodes {
		byID[n.ID] = n
	}
	step := float64(prof.EndTime-prof.StartTime) / float64(len(prof.Samples)) / 1000 // ms
	for _, id := range prof.Samples {
		n := byID[id]
		self[n.CallFrame.FunctionName+" "+filepath.Base(n.CallFrame.URL)] += step
	}
	type kv struct {
		k string
		v float64
	}
	var top []kv
	for k, v := range self {
		top = append(top, kv{k, v})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
	for _, e := range top[:min(40, len(top))] {
		t.Logf("%8.1f ms  %s", e.v, e.k)
	}
}
