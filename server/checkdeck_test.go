package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/server/deckfile"
)

// TestCheckDeck runs -check-deck on a broken and a sound file and checks
// that it speaks the language it is asked for (-lang, else the
// environment's, else Finnish), one problem a line and the summary on a line
// of its own after them.
func TestCheckDeck(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "rikki.yaml")
	fine := filepath.Join(dir, "ehja.csv")
	write := func(name, s string) {
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(broken, "id: rikki\nkind: questions\nlanguages: [fi]\ntitle: {fi: Rikki}\ncards:\n  - id: a\n    tekst: {fi: Hei}\n  - id: a\n    text: {fi: Moi}\n    note: {fi: n}\n")
	// One question the bundled warm-up asks almost word for word.
	write(fine, "text_fi,note_fi\nMikä saa sinut nauramaan ihan kunnolla?,Kuuntele.\nMitä söit tänään aamupalaksi?,Kevyt.\n")
	bundled, err := deckfile.LoadFS(assets.Decks, "decks")
	if err != nil {
		t.Fatal(err)
	}
	report := func(name string) deckfile.Report {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return deckfile.Check(name, data, bundled)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		lang string
	}{
		{"-lang sv", []string{"-lang", "sv"}, nil, "sv"},
		{"-lang over the environment", []string{"-lang", "en"}, map[string]string{"LANG": "sv_FI.UTF-8"}, "en"},
		{"the environment's language", nil, map[string]string{"LC_ALL": "en_US.UTF-8"}, "en"},
		{"Finnish by default", nil, map[string]string{"LANG": "C"}, "fi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }

			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"-check-deck", broken}, tt.args...), getenv, &stdout, &stderr)
			r := report(broken)
			if err == nil || len(r.Problems) < 2 {
				t.Fatalf("error %v with %d problems", err, len(r.Problems))
			}
			var want []string
			for _, m := range r.Problems.Messages(tt.lang) {
				want = append(want, broken+": "+m)
			}
			if got := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", stderr.String(), strings.Join(want, "\n"))
			}
			if sum := broken + ": " + r.Result().Summary(deckfile.Words(tt.lang)); err.Error() != sum || strings.Contains(sum, "\n") {
				t.Errorf("summary %q, want %q", err, sum)
			}
			if stdout.Len() > 0 {
				t.Errorf("a broken deck said on stdout: %q", stdout.String())
			}

			stdout.Reset()
			stderr.Reset()
			if err := run(context.Background(), append([]string{"-check-deck", fine}, tt.args...), getenv, &stdout, &stderr); err != nil {
				t.Fatalf("a sound deck: %v (%s)", err, stderr.String())
			}
			r = report(fine)
			if len(r.Warnings) != 1 || r.Warnings[0].Code != deckfile.CodeNearDuplicate {
				t.Fatalf("warnings %v, want one near-duplicate", r.Warnings)
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			want = []string{
				fine + ": " + r.Warnings.WarningMessages(tt.lang)[0],
				fine + ": " + r.Result().Summary(deckfile.Words(tt.lang)),
			}
			if strings.Join(lines, "\n") != strings.Join(want, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), strings.Join(want, "\n"))
			}
		})
	}
}
