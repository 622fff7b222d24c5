package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthHandler answers /healthz: the server is up, which build it is
// (version, commit and the hash of the client it serves, so that the nodes
// behind one proxy can be compared), its name in its service and whether it
// is ready (joined, caught up with what the others wrote while it was away,
// its rooms back). /healthz?ready answers 503 until it is, for a load
// balancer's readiness check and for an update that goes one node at a
// time; plain /healthz answers 200 while the process runs.
func healthHandler(client func() string, node func() (name string, ready bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		a := thisBuild(client())
		name, ready := node()
		a.Node, a.Ready = name, &ready
		if !ready && r.URL.Query().Has("ready") {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(a)
	})
}

// checkHealth is -health: it asks the server listening on -addr (or $PORT)
// of this machine for /healthz and fails unless it answers 200. A container
// health check runs it, since a minimal image has no curl.
func checkHealth(ctx context.Context, cfg config, stdout io.Writer) error {
	host, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return fmt.Errorf("health: -addr %q: %w", cfg.addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	scheme := "http"
	hc := &http.Client{Timeout: 5 * time.Second}
	if cfg.tlsCert != "" {
		scheme = "https"
		// The certificate names the public host, not this loopback
		// address; the question is only whether the server answers.
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	url := scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", url, resp.Status)
	}
	stdout.Write(body)
	return nil
}
