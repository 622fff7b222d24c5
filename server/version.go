package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/pore/elamanipeli/server/webclient"
)

// version and commit name a release; the release build sets them:
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=0123abc" ./server
//
// Without them they come from what Go stamped into the binary (the module's
// version and, in a checkout, the commit), when it did.
var version, commit string

// about is what -version prints and /healthz carries: which build this is,
// nothing secret and nothing of anybody's.
type about struct {
	Status  string `json:"status"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Client  string `json:"client,omitempty"` // the hash of the browser client served; empty until it is ready
	// Ready (only in /healthz) says whether the server has joined its
	// service and has its rooms back: a load balancer's readiness check,
	// and what a deploy waits for before it stops the next server.
	Ready *bool  `json:"ready,omitempty"`
	Node  string `json:"node,omitempty"` // this server's name in its service
}

// thisBuild describes the binary, with the client hash given.
func thisBuild(client string) about {
	a := about{Status: "ok", Version: version, Commit: commit, Client: client}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if a.Version == "" {
			a.Version = "unknown"
		}
		return a
	}
	if a.Version == "" {
		a.Version = info.Main.Version // "(devel)" in a checkout without stamping
	}
	if a.Commit == "" {
		modified := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				a.Commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if a.Commit != "" && modified {
			a.Commit += "-modified"
		}
	}
	return a
}

// printVersion is -version: the version, the commit and the client's hash.
func printVersion(w io.Writer) error {
	a := thisBuild(webclient.EmbeddedHash())
	client := a.Client
	if client == "" {
		client = "none inside: built from the source when the server starts"
	}
	commit := a.Commit
	if commit == "" {
		commit = "unknown"
	}
	_, err := fmt.Fprintf(w, "elamanipeli-server %s\ncommit %s\nclient %s\n%s\n", a.Version, commit, client, runtime.Version())
	return err
}
