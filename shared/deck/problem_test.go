package deck

import "testing"

func TestExpand(t *testing.T) {
	words := map[string]string{
		"check.and": "ja", "want.text": "teksti", "check.line": "rivi {0}: {1}",
		"check.bad": "'{0}' ei käy{1? – tarkoititko '{1}'?}{1!; käy: {2}}", "check.unknown": "virhe {0}",
	}
	lookup := func(k string) (string, bool) { s, ok := words[k]; return s, ok }
	tests := []struct {
		name, tmpl string
		args       []string
		want       string
	}{
		{"plain", "avain '{0}' rivillä {1}", []string{"x", "3"}, "avain 'x' rivillä 3"},
		{"when given", "a{1? ja {1}}", []string{"x", "y"}, "a ja y"},
		{"when not given", "a{1? ja {1}}", []string{"x"}, "a"},
		{"when empty", "{0!ei mitään}{0?jotain: {0}}", nil, "ei mitään"},
		{"nested", "{1!{2?; käy: {2}}}", []string{"a", "", "b, c"}, "; käy: b, c"},
		{"a word from the catalog", "pitää olla {0@want.}", []string{"text"}, "pitää olla teksti"},
		{"a word the catalog lacks", "pitää olla {0@want.}", []string{"kuva"}, "pitää olla kuva"},
		{"a list", "kohtaukset {0*}", []string{"a", "b", "c"}, "kohtaukset 'a', 'b' ja 'c'"},
		{"a list from the second", "{1*}", []string{"a", "b"}, "'b'"},
		{"braces that are text", "{ } ja {x}", nil, "{ } ja {x}"},
		{"an unmatched brace", "a {0", []string{"x"}, "a {0"},
		{"a missing argument", "'{3}'", []string{"x"}, "''"},
		{"an argument with braces stays as it is", "{0}", []string{"{1?x}"}, "{1?x}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Expand(tt.tmpl, tt.args, lookup); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	p := Problem{Line: 7, Code: "bad", Args: []string{"kuva", "", "fi, sv"}}
	if got := p.Message(lookup); got != "rivi 7: 'kuva' ei käy; käy: fi, sv" {
		t.Errorf("message %q", got)
	}
	if got := (Problem{Code: "nope", Args: []string{"a"}}).Message(lookup); got != "virhe nope 'a'" {
		t.Errorf("an unknown code: %q", got)
	}
	words["check.fine"] = "pakka '{0}' on kunnossa, kortteja {1}"
	words["check.problems"], words["check.problems.one"] = "{0} ongelmaa", "1 ongelma"
	words["check.warnings"], words["check.warnings.one"] = "{0} huomiota", "1 huomio"
	words["check.warning"] = "huomio: {0}"
	sums := []struct {
		name string
		r    CheckResult
		want string
	}{
		{"fine", CheckResult{Deck: "oma", Cards: 12}, "pakka 'oma' on kunnossa, kortteja 12"},
		{"fine with a warning", CheckResult{Deck: "oma", Cards: 1, Warnings: []Problem{{}}}, "pakka 'oma' on kunnossa, kortteja 1; 1 huomio"},
		{"problems", CheckResult{Problems: []Problem{{}, {}, {}}, Warnings: []Problem{{}}}, "3 ongelmaa"},
		{"one problem", CheckResult{Problems: []Problem{{}}}, "1 ongelma"},
	}
	for _, tt := range sums {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Summary(lookup); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := (Problem{Line: 3, Code: "bad", Args: []string{"x", "y"}}).WarningMessage(lookup); got != "rivi 3: huomio: 'x' ei käy – tarkoititko 'y'?" {
		t.Errorf("warning %q", got)
	}
}
