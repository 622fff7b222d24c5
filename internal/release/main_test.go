package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestRefusesBadArguments: what goes into -ldflags is checked before
// anything is built.
func TestRefusesBadArguments(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a version with a space", []string{"-version", "v1 -X main.commit=x"}, "letters, digits"},
		{"a commit with a quote", []string{"-commit", `abc"`}, "letters, digits"},
		{"a stray argument", []string{"server"}, "unexpected arguments"},
		{"an unknown flag", []string{"-tags", "x"}, "flag provided but not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"-o", t.TempDir()}, tt.args...), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error saying %q", tt.args, err, tt.want)
			}
		})
	}
}
