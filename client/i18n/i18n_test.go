package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pore/elamanipeli/shared/deck"
	"github.com/pore/elamanipeli/shared/protocol"
	"github.com/pore/elamanipeli/shared/rules"
)

func TestEveryLanguageHasEveryKey(t *testing.T) {
	langs := Languages()
	if !slices.Equal(langs, []string{"fi", "sv", "en"}) {
		t.Fatalf("catalogs for %v, want fi, sv, en", langs)
	}
	all := map[string]bool{}
	for _, l := range langs {
		for _, k := range Keys(l) {
			all[k] = true
		}
	}
	for _, l := range langs {
		for k := range all {
			if s, ok := catalog(l)[k]; !ok || s == "" {
				t.Errorf("%s: missing %q", l, k)
			}
		}
	}
}

// TestEveryCodeAndNameIsTranslated checks the keys the client builds from
// the rules: error codes, kinds, tags, roles and reactions.
func TestEveryCodeAndNameIsTranslated(t *testing.T) {
	var need []string
	for _, c := range append(slices.Clone(rules.Codes), protocol.Codes...) {
		need = append(need, "err."+string(c))
	}
	for _, k := range deck.Kinds {
		need = append(need, "kind."+string(k))
	}
	for _, k := range deck.DeckKinds {
		need = append(need, "decks.kind."+string(k))
	}
	for _, tg := range deck.Tags {
		need = append(need, "tag."+tg)
	}
	for r := rules.Host; r <= rules.Spectator; r++ {
		need = append(need, "role."+r.String())
	}
	for _, r := range rules.Reactions {
		need = append(need, "react."+r)
	}
	for _, k := range need {
		if _, ok := catalog("fi")[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
}

// TestEveryKeyTheScreenUsesExists reads the ui's source for the keys it asks
// for by name.
func TestEveryKeyTheScreenUsesExists(t *testing.T) {
	files, err := filepath.Glob("../ui/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no ui sources: %v", err)
	}
	re := regexp.MustCompile(`\bt\.S\("([a-z0-9.-]*[a-z0-9])"`) // a key ending in "." is a prefix
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			n++
			if _, ok := catalog("fi")[string(m[1])]; !ok {
				t.Errorf("%s asks for %q, which no catalog has", filepath.Base(f), m[1])
			}
		}
	}
	if n < 50 {
		t.Fatalf("found only %d keys in the ui: is the pattern right?", n)
	}
}

func TestPlaceholders(t *testing.T) {
	if got := For("en").S("turn.of", "Aino"); got != "Turn: Aino" {
		t.Fatalf("got %q", got)
	}
	if got := For("xx").S("turn.yours"); got != "Sinun vuorosi" {
		t.Fatalf("unknown language falls back to Finnish: got %q", got)
	}
}

// TestDeckProblems says a checker's problem, warning and summary in every
// language: each reads fully (its arguments and line in it, no template
// left), and differently in each language.
func TestDeckProblems(t *testing.T) {
	p := deck.Problem{Line: 12, Code: "unknown-key", Args: []string{"tekst", "text", "id, text"}}
	w := deck.Problem{Line: 30, Code: "near-duplicate", Args: []string{"oma-1", "tt-10", "tutustutaan", ""}}
	r := deck.CheckResult{Problems: []deck.Problem{p, p}}
	fine := deck.CheckResult{Deck: "omat", Cards: 7, Warnings: []deck.Problem{w}}
	seen := map[string]string{}
	for _, l := range Languages() {
		tr := For(l)
		for _, m := range []string{tr.Problem(p), tr.Warning(w), tr.CheckSummary(r), tr.CheckSummary(fine)} {
			if strings.ContainsAny(m, "{}") || strings.Contains(m, "check.") {
				t.Errorf("%s: %q is not filled in", l, m)
			}
			if other, dup := seen[m]; dup {
				t.Errorf("%s and %s say the same: %q", l, other, m)
			}
			seen[m] = l
		}
		for _, want := range []string{"12", "tekst", "text"} {
			if !strings.Contains(tr.Problem(p), want) {
				t.Errorf("%s: %q lacks %q", l, tr.Problem(p), want)
			}
		}
		for _, want := range []string{"30", "oma-1", "tt-10", "tutustutaan"} {
			if !strings.Contains(tr.Warning(w), want) {
				t.Errorf("%s: %q lacks %q", l, tr.Warning(w), want)
			}
		}
		if s := tr.CheckSummary(r); !strings.Contains(s, "2") {
			t.Errorf("%s: %q does not count the problems", l, s)
		}
		if s := tr.CheckSummary(fine); !strings.Contains(s, "omat") || !strings.Contains(s, "7") {
			t.Errorf("%s: %q does not name the deck and its cards", l, s)
		}
	}
	if For("xx").Problem(p) != For("fi").Problem(p) {
		t.Errorf("a language the game lacks should read Finnish")
	}
}
