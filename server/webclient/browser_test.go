package webclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// contentSecurityPolicy is the site's policy (site.ContentSecurityPolicy),
// copied so that this package's tests do not depend on the site's.
const contentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
	"img-src 'self' data: blob:; style-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// TestBrowserLoadsTheClient opens the page in a headless Chromium under the
// site's Content-Security-Policy while the client is being built: the page
// must say so, then download the stand-in client with a moving progress bar
// and run it, breaking no rule of the policy. Skipped without Chromium.
func TestBrowserLoadsTheClient(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium or Chrome installed")
	}

	gate := make(chan struct{})
	mod, cache := sharedBuild(t)
	c, _ := start(t, Options{ModuleDir: mod, CacheDir: cache, After: gate})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		c.ServeHTTP(w, r)
	}))
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var console, exceptions []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				console = append(console, string(a.Value))
			}
		case *runtime.EventExceptionThrown:
			text := e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil {
				text += " " + x.Description
			}
			exceptions = append(exceptions, text)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Record policy violations and every value the progress bar takes.
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.violations = [];
		window.progressValues = [];
		document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective + ' ' + e.blockedURI));
		document.addEventListener('DOMContentLoaded', () => {
			const p = document.getElementById('progress');
			if (p) {
				new MutationObserver(() => progressValues.push(p.getAttribute('value'))).observe(p, {attributes: true});
			}
		});`})
	if err != nil {
		t.Fatal(err)
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(eval(`document.getElementById('status-fi').textContent`), "Peliä valmistellaan") {
		if time.Now().After(deadline) {
			t.Fatalf("while building the page says %q", eval(`document.getElementById('status-fi').textContent`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if en := eval(`document.getElementById('status-en').textContent`); en != "Preparing the game… (first start builds the client)" {
		t.Errorf("while building the English line says %q", en)
	}

	close(gate)
	// The stand-in prints and exits at once, so the page ends up saying
	// that the game stopped.
	deadline = time.Now().Add(2 * time.Minute)
	for !strings.HasPrefix(eval(`document.getElementById('status-fi').textContent`), "Peli pysähtyi") {
		if time.Now().After(deadline) {
			t.Fatalf("the client did not run; the page says %q", eval(`document.getElementById('status-fi').textContent`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// What the page printed and threw so far, read without holding the
	// lock across an eval (which may end the test).
	seen := func() (string, []string) {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(console, "\n"), slices.Clone(exceptions)
	}
	out, thrown := seen()
	if !strings.Contains(out, "hei maailma") {
		t.Errorf("the stand-in client's output is not on the console: %q", out)
	}
	if len(thrown) > 0 {
		t.Errorf("exceptions: %q", thrown)
	}
	if v := eval(`JSON.stringify(violations)`); v != "[]" {
		t.Errorf("Content-Security-Policy violations: %s", v)
	}
	// The client was fetched and compiled by the page's worker, under the
	// policy, not by the page after the worker failed.
	if v := eval(`String(performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length) + ' ' + JSON.stringify(performance.getEntriesByName('elamanipeli-compiled')[0].detail)`); !strings.HasPrefix(v, "0 ") || strings.Contains(out, "compiling on the page") {
		t.Errorf("the page fetched the client itself (wasm fetches on the page and the compile's bytes: %s; console %q)", v, out)
	}
	values := eval(`progressValues.join(' ')`)
	if !strings.HasSuffix(values, "100") || len(strings.Fields(values)) < 3 {
		t.Errorf("the progress bar took the values %q; want it to move up to 100", values)
	}

	// At an invitation's door, the stand-in starts at the knock and stops:
	// the door goes, and the page's failure is there to read, not kept
	// out of sight as the door's loading line was once the client was
	// ready.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/#join=ABCDEF")); err != nil {
		t.Fatal(err)
	}
	const ready = `!document.getElementById('door').hidden && getComputedStyle(document.getElementById('progress')).visibility === 'hidden'`
	for deadline = time.Now().Add(time.Minute); eval(`String(`+ready+`)`) != "true"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no door with its client ready; the page says %q", eval(`document.getElementById('status-fi').textContent`))
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#door-knock"))); err != nil {
		t.Fatal(err)
	}
	const stopped = `String(document.getElementById('door').hidden && getComputedStyle(document.getElementById('status-fi')).visibility === 'visible' && document.getElementById('status-fi').textContent.startsWith('Peli pysähtyi'))`
	for deadline = time.Now().Add(time.Minute); eval(stopped) != "true"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after the knock the page says %q, visible: %s", eval(`document.getElementById('status-fi').textContent`), eval(`getComputedStyle(document.getElementById('status-fi')).visibility`))
		}
	}
	if _, all := seen(); len(all) > len(thrown) {
		t.Errorf("exceptions at the door: %q", all[len(thrown):])
	}
}
