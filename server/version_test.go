package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestVersion: -version prints the version and the commit a release build
// sets, and says that a build without the release tag has no client inside.
func TestVersion(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	for _, tt := range []struct {
		name, version, commit string
		want                  []string
	}{
		{"release", "v1.2.3", "0123abcd", []string{"elamanipeli-server v1.2.3\n", "commit 0123abcd\n", "client none inside"}},
		{"checkout", "", "", []string{"elamanipeli-server ", "commit ", "client none inside", "go1."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			version, commit = tt.version, tt.commit
			var out strings.Builder
			if err := run(context.Background(), []string{"-version"}, func(string) string { return "" }, &out, &out); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("-version printed %q, want it to contain %q", out.String(), w)
				}
			}
		})
	}
}

// TestHealth: /healthz says the server is up and which build and client it
// serves, and -health (a container's health check) asks it.
func TestHealth(t *testing.T) {
	defer func(v, c string) { version, commit = v, c }(version, commit)
	version, commit = "v1.2.3", "0123abcd"
	certFile, keyFile, _ := selfSigned(t, t.TempDir())
	for _, tt := range []struct {
		name string
		tls  []string
	}{
		{"http", nil},
		{"https", []string{"-tls-cert", certFile, "-tls-key", keyFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := startRun(t, tt.tls...)
			if tt.tls == nil {
				var a about
				deadline := time.Now().Add(time.Minute)
				for (a.Client == "" || a.Ready == nil || !*a.Ready) && time.Now().Before(deadline) { // the client is ready after the decks are read
					resp, err := http.Get(base + "/healthz")
					if err != nil {
						t.Fatal(err)
					}
					if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "application/json" {
						t.Fatalf("/healthz: %s, %q", resp.Status, ct)
					}
					a = about{}
					json.NewDecoder(resp.Body).Decode(&a)
					resp.Body.Close()
					time.Sleep(20 * time.Millisecond)
				}
				if a.Status != "ok" || a.Version != "v1.2.3" || a.Commit != "0123abcd" || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(a.Client) ||
					a.Ready == nil || !*a.Ready || a.Node != "elamanipeli" {
					t.Fatalf("/healthz = %+v", a)
				}
				resp, err := http.Get(base + "/client/status")
				if err != nil {
					t.Fatal(err)
				}
				var st struct{ Wasm string }
				json.NewDecoder(resp.Body).Decode(&st)
				resp.Body.Close()
				if st.Wasm != "/app."+a.Client[:12]+".wasm" {
					t.Errorf("/healthz names client %s, but %s is served", a.Client[:12], st.Wasm)
				}
			}

			_, port, _ := net.SplitHostPort(base[strings.LastIndex(base, "/")+1:])
			var out strings.Builder
			args := append([]string{"-health", "-addr", ":" + port}, tt.tls...)
			if err := run(context.Background(), args, func(string) string { return "" }, &out, &out); err != nil {
				t.Fatalf("-health: %v", err)
			}
			if !strings.Contains(out.String(), `"status":"ok"`) {
				t.Errorf("-health printed %q", out.String())
			}
			// $PORT is how a container says where the server listens.
			out.Reset()
			env := func(k string) string {
				if k == "PORT" {
					return port
				}
				return ""
			}
			if err := run(context.Background(), append([]string{"-health"}, tt.tls...), env, &out, &out); err != nil {
				t.Fatalf("-health with PORT: %v", err)
			}
		})
	}

	t.Run("nobody there", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		var out strings.Builder
		if err := run(context.Background(), []string{"-health", "-addr", addr}, func(string) string { return "" }, &out, &out); err == nil {
			t.Error("-health succeeded with no server listening")
		}
	})
}
