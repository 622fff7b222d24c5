package deckfile

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pore/elamanipeli/assets"
	"github.com/pore/elamanipeli/shared/deck"
)

var update = flag.Bool("update", false, "rewrite the golden .want files in testdata/")

// TestBundledDecks reads every deck the game ships with, and checks on its
// own (not through the validator) that every card is complete and every path
// through every story reaches an ending.
func TestBundledDecks(t *testing.T) {
	entries, err := fs.ReadDir(assets.Decks, "decks")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[deck.DeckKind]int{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			data, err := fs.ReadFile(assets.Decks, "decks/"+e.Name())
			if err != nil {
				t.Fatal(err)
			}
			d, ps := Parse(e.Name(), data)
			if len(ps) > 0 {
				t.Fatalf("assets/decks/%s has problems:\n%v", e.Name(), ps)
			}
			kinds[d.Kind]++
			for _, c := range d.Cards {
				for _, l := range d.Languages {
					if c.Text[l] == "" {
						t.Errorf("deck %s, card %s: no text in %s", d.ID, c.ID, l)
					}
					if c.Note[l] == "" && c.Kind != deck.Help {
						t.Errorf("deck %s, card %s: no worker note in %s", d.ID, c.ID, l)
					}
				}
			}
			if d.Kind == deck.StoryDeck {
				paths, stuck := walkStory(d, 100000)
				for _, s := range stuck {
					t.Errorf("deck %s: %s", d.ID, s)
				}
				if paths == 0 {
					t.Errorf("deck %s: no path from %q reaches an ending", d.ID, d.Start)
				}
			}
		})
	}
	if kinds[deck.HelpDeck] == 0 {
		t.Errorf("no help deck is bundled: the summary needs one")
	}
	decks, err := LoadFS(assets.Decks, "decks")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if len(decks) == 0 {
		t.Fatal("LoadFS found no decks")
	}
}

// walkStory follows every path from the start without repeating a scene, up
// to limit paths. A path is fine when it reaches an ending, or when it turns
// back to a scene already on it from which an ending can still be reached (a
// loop with a way out). It returns how many paths were fine and a line for
// each that was not.
func walkStory(d *deck.Deck, limit int) (int, []string) {
	// Which scenes can reach an ending, found by walking backwards.
	canEnd := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, c := range d.Cards {
			if canEnd[c.ID] {
				continue
			}
			ok := c.Ending()
			for _, ch := range c.Choices {
				ok = ok || canEnd[ch.Next]
			}
			if ok {
				canEnd[c.ID], changed = true, true
			}
		}
	}
	paths := 0
	var stuck []string
	var walk func(id string, path []string)
	walk = func(id string, path []string) {
		if paths+len(stuck) >= limit {
			return
		}
		path = append(path, id)
		c := d.Card(id)
		switch {
		case c == nil:
			stuck = append(stuck, "path "+strings.Join(path, " → ")+" leads to a card that does not exist")
			return
		case c.Ending():
			paths++
			return
		case len(c.Choices) < 2 || len(c.Choices) > 3:
			stuck = append(stuck, "scene "+id+" has "+strconv.Itoa(len(c.Choices))+" choices")
		}
		for _, ch := range c.Choices {
			if slices.Contains(path, ch.Next) {
				if !canEnd[ch.Next] {
					stuck = append(stuck, "path "+strings.Join(path, " → ")+" → "+ch.Next+" loops with no way out")
				} else {
					paths++
				}
				continue
			}
			walk(ch.Next, path)
		}
	}
	walk(d.Start, nil)
	return paths, stuck
}

// TestBrokenDecks checks that each broken sample in testdata gets exactly the
// messages in its .want file, and the codes named here.
func TestBrokenDecks(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	oversized := append(append([]byte(nil), valid...), "# "+strings.Repeat("x", MaxUpload)+"\n"...)
	tests := []struct {
		name  string
		file  string
		data  []byte // instead of the file's contents
		codes []string
	}{
		{"unknown key", "unknown-key.yaml", nil, []string{CodeUnknownKey}},
		{"missing language", "missing-language.yaml", nil, []string{CodeMissingText, CodeMissingKey, CodeBadLanguage}},
		{"choice to a missing card", "missing-next.yaml", nil, []string{CodeNoSuchCard}},
		{"unreachable scene", "unreachable.yaml", nil, []string{CodeUnreachable}},
		{"loop without exit", "loop.yaml", nil, []string{CodeLoop}},
		{"bad tag", "bad-tag.yaml", nil, []string{CodeBadTag}},
		{"too long", "too-long.yaml", nil, []string{CodeTooLong}},
		{"syntax error", "syntax.yaml", nil, []string{CodeSyntax}},
		{"alias bomb", "alias-bomb.yaml", nil, []string{CodeAlias}},
		{"oversized", "oversized.yaml", oversized, []string{CodeTooLarge}},
		{"colon in text", "colon-in-text.yaml", nil, []string{CodeLongKey}},
		{"comma in text", "comma-in-text.yaml", nil, []string{CodeCommaInText}},
		{"indentation", "indent.yaml", nil, []string{CodeIndent}},
		{"colon in a short text", "colon-in-short-text.yaml", nil, []string{CodeColonInText}},
		{"tab", "tab.yaml", nil, []string{CodeTab}},
		{"dead end", "dead-end.yaml", nil, []string{CodeNoSuchCard, CodeDeadEnd}},
		{"empty", "empty.yaml", []byte("# nothing yet\n"), []string{CodeEmpty}},
		{"not a deck", "not-a-deck.yaml", []byte("Mikä naurattaa?\n"), []string{CodeNotADeck}},
		{"csv without rows", "csv-empty.csv", []byte("text_fi,note_fi\n"), []string{CodeNoCards}},
		{"deep nesting", "deep.yaml", nil, []string{CodeTooComplex}},
		{"two documents", "many-docs.yaml", nil, []string{CodeManyDocs}},
		{"ids", "dup-id.yaml", nil, []string{CodeBadID, CodeDupID, CodeDupKey, CodeMissingKey}},
		{"kinds", "kinds.yaml", nil, []string{CodeNotForDeck, CodeBadKind, CodeKindMismatch, CodeBadAnswerer, CodeNotForKind}},
		{"story shape", "story-shape.yaml", nil, []string{CodeNoStart, CodeNotForDeck, CodeNoEnding, CodeMissingText, CodeLoop, CodeChoicesCount, CodeMissingKey}},
		{"reflection", "reflection.yaml", nil, []string{CodeBadScale, CodeBadTheme, CodeNotForKind}},
		{"help", "help.yaml", nil, []string{CodeMissingText, CodeNoContact, CodeBadURL, CodeBadPhone}},
		{"wrong types", "types.yaml", nil, []string{CodeBadType}},
		{"csv unknown column", "csv-unknown-column.csv", nil, []string{CodeUnknownKey}},
		{"csv semicolons", "csv-semicolon.csv", nil, []string{CodeBadTag, CodeMissingText, CodeExtraCells, CodeBadID}},
		{"csv quote", "csv-quote.csv", nil, []string{CodeCSVQuote}},
		{"csv not utf-8", "csv-latin1.csv", nil, []string{CodeNotUTF8}},
		{"csv without text", "csv-no-text.csv", nil, []string{CodeNoTextColumn}},
		{"csv with headers in another language", "csv-foreign-header.csv", nil, []string{CodeForeignHeader}},
		{"a tab before a key", "tab-before-key.yaml", nil, []string{CodeTab}},
		{"an empty card, said once", "empty-card.yaml", nil, []string{CodeEmptyCard}},
		{"parts out of order", "parts.yaml", nil, []string{CodePartOrder, CodeBadType}},
		{"an age the game is not for", "age.yaml", nil, []string{CodeBadAge}},
		{"a part in a story", "part-in-story.yaml", nil, []string{CodeNotForKind}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if data == nil {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			d, ps := Parse(tt.file, data)
			if d != nil {
				t.Fatalf("Parse returned a deck despite %d problems", len(ps))
			}
			var codes []string
			for _, p := range ps {
				if !slices.Contains(codes, p.Code) {
					codes = append(codes, p.Code)
				}
			}
			slices.Sort(codes)
			want := slices.Clone(tt.codes)
			slices.Sort(want)
			if !slices.Equal(codes, want) {
				t.Errorf("codes = %v, want %v", codes, want)
			}
			if !slices.IsSortedFunc(ps, func(a, b Problem) int { return a.Line - b.Line }) {
				t.Errorf("problems are not sorted by line")
			}
			got := inEveryLanguage(ps)
			golden := filepath.Join("testdata", strings.TrimSuffix(tt.file, filepath.Ext(tt.file))+".want")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantText, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./server/deckfile -update to write it)", err)
			}
			if got != string(wantText) {
				t.Errorf("messages differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, wantText)
			}
		})
	}
}

func TestValidYAML(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, ps := Parse("valid.yaml", data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"id", d.ID, "pieni-pakka"},
		{"kind", d.Kind, deck.Questions},
		{"languages", strings.Join(d.Languages, ","), "fi,sv,en"},
		{"deck tags are the union, sorted", strings.Join(d.Tags, ","), "debt,loneliness"},
		{"card tags once each", strings.Join(d.Cards[1].Tags, ","), "debt"},
		{"shuffle", d.Shuffle, true},
		{"min age", d.MinAge, 16},
		{"minutes", d.Minutes, 10},
		{"card kind from the deck", d.Cards[0].Kind, deck.Question},
		{"card kind given", d.Cards[3].Kind, deck.Blank},
		{"answerer given", d.Cards[0].Answerer, deck.Turn},
		{"answerer left to the rules", d.Cards[1].Answerer, deck.Answerer("")},
		{"block text trimmed", d.Cards[1].Text["fi"], "Mihin käyttäisit sata euroa?"},
		{"reflection scale", [2]int{d.Cards[2].Scale.Min, d.Cards[2].Scale.Max}, [2]int{0, 10}},
		{"no scale on a question", d.Cards[0].Scale == nil, true},
		{"description", d.Description["sv"], "En testkortlek."},
		{"no part is the first", d.Cards[0].InPart(), 1},
		{"part", d.Cards[2].Part, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}

	story, err := os.ReadFile("testdata/valid-story.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, ps := Parse("valid-story.yaml", story)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if paths, stuck := walkStory(s, 1000); paths == 0 || len(stuck) > 0 {
		t.Errorf("story: %d paths, stuck: %v", paths, stuck)
	}
	if s.MinAge != deck.YoungestAge {
		t.Errorf("a deck that names no age is for the game's youngest, %d: got %d", deck.YoungestAge, s.MinAge)
	}
	if s.Cards[2].Kind != deck.Story || !s.Cards[2].Ending() {
		t.Errorf("the last scene should be a story ending: %+v", s.Cards[2])
	}
}

// TestFileForms checks that the same deck reads the same whatever an editor
// did to the file: a byte order mark, Windows line ends, a document marker.
func TestFileForms(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, ps := Parse("valid.yaml", valid)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	tests := []struct {
		name string
		file string
		data []byte
	}{
		{"byte order mark", "valid.yaml", append([]byte("\ufeff"), valid...)},
		{"windows line ends", "valid.yaml", bytes.ReplaceAll(valid, []byte("\n"), []byte("\r\n"))},
		{"document markers", "valid.yaml", append(append([]byte("---\n"), valid...), "...\n"...)},
		{"yml", "valid.yml", valid},
		{"a path with folders", `C:\\decks\\valid.YAML`, valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ps := Parse(tt.file, tt.data)
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			if d.ID != want.ID || len(d.Cards) != len(want.Cards) || d.Cards[1].Text["fi"] != want.Cards[1].Text["fi"] || d.Cards[3].Note["en"] != want.Cards[3].Note["en"] {
				t.Errorf("read differently: %+v", d)
			}
		})
	}
	csvTests := []struct{ name, file, data string }{
		{"csv with windows line ends", "k.csv", "text_fi,note_fi\r\nMikä naurattaa?,Kuuntele.\r\n"},
		{"csv in capitals", "K.CSV", "TEXT_FI;Note_FI\nMikä naurattaa?;Kuuntele.\n"},
		{"csv with tabs", "k.csv", "text_fi\tnote_fi\nMikä naurattaa?\tKuuntele.\n"},
	}
	for _, tt := range csvTests {
		t.Run(tt.name, func(t *testing.T) {
			d, ps := Parse(tt.file, []byte(tt.data))
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			if got := d.Cards[0].Text["fi"] + "|" + d.Cards[0].Note["fi"]; got != "Mikä naurattaa?|Kuuntele." {
				t.Errorf("read %q", got)
			}
		})
	}
}

func TestValidCSV(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		id        string
		title     string
		languages string
		ids       string
		texts     []string // in the first language
		notes     []string
		tags      string
	}{
		{
			name: "with a header", file: "valid-header.csv",
			id: "valid-header", title: "valid-header", languages: "fi,sv",
			ids:   "q-1,oma-id,q-3",
			texts: []string{"Mikä naurattaa?", "Mihin käyttäisit rahasi?", "Mitä, jos voisit lentää?"},
			notes: []string{"Kevyt aloitus.", "", ""},
			tags:  "debt,loneliness",
		},
		{
			name: "with Finnish column names", file: "csv-finnish.csv",
			id: "csv-finnish", title: "csv-finnish", languages: "fi",
			ids:   "kevyt,q-2",
			texts: []string{"Mikä naurattaa?", "Mihin käyttäisit sata euroa?"},
			notes: []string{"Kevyt alku.", "Raha voi olla arka aihe."},
		},
		{
			name: "with Swedish column names", file: "csv-swedish.csv",
			id: "csv-swedish", title: "csv-swedish", languages: "sv",
			ids:   "q1",
			texts: []string{"Vad får dig att skratta?"},
			notes: []string{"En lätt start."},
		},
		{
			name: "without a header", file: "Omat kysymykset.csv",
			id: "omat-kysymykset", title: "Omat kysymykset", languages: "fi",
			ids:   "q-1,q-2,q-3",
			texts: []string{"Mikä naurattaa?", "Mitä teet, kun olet väsynyt?", `Mikä on "hyvä päivä"?`},
			notes: []string{"", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, ps := Parse(tt.file, data)
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			var ids, texts, notes []string
			for _, c := range d.Cards {
				ids = append(ids, c.ID)
				texts = append(texts, c.Text[d.Languages[0]])
				notes = append(notes, c.Note[d.Languages[0]])
				if c.Kind != deck.Question {
					t.Errorf("card %s: kind %q, want question", c.ID, c.Kind)
				}
			}
			checks := []struct{ what, got, want string }{
				{"id", d.ID, tt.id},
				{"kind", string(d.Kind), string(deck.Questions)},
				{"title", d.Title[d.Languages[0]], tt.title},
				{"languages", strings.Join(d.Languages, ","), tt.languages},
				{"card ids", strings.Join(ids, ","), tt.ids},
				{"texts", strings.Join(texts, "|"), strings.Join(tt.texts, "|")},
				{"notes", strings.Join(notes, "|"), strings.Join(tt.notes, "|")},
				{"tags", strings.Join(d.Tags, ","), tt.tags},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestIDFromName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Omat kysymykset", "omat-kysymykset"},
		{"Äidin_ÖISET kysymykset (2)", "aidin-oiset-kysymykset-2"},
		{"---", "deck"},
		{"", "deck"},
		{strings.Repeat("ab-", 30), strings.TrimRight(strings.Repeat("ab-", 16), "-")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := idFromName(tt.name)
			if got != tt.want {
				t.Errorf("idFromName(%q) = %q, want %q", tt.name, got, tt.want)
			}
			if !idPattern.MatchString(got) {
				t.Errorf("idFromName(%q) = %q is not a valid id", tt.name, got)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		word    string
		options []string
		want    string
	}{
		{"txt", cardKeys, "text"},
		{"Text", cardKeys, "text"},
		{"answerer", cardKeys, "answers"},
		{"teksti", cardKeys, "text"},
		{"muistiinpano", cardKeys, "note"},
		{"colour", cardKeys, ""},
		{"violense", deck.Tags, "violence"},
		{"drugs", deck.Tags, ""},
		{"yuoth", kindsAsStrings(deck.Answerers), "youth"},
		{"langauges", deckKeys, "languages"},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := suggest(tt.word, tt.options); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

// inEveryLanguage is the golden form of a file's problems: its messages in
// Finnish, Swedish and English, one a line, each language under a heading.
func inEveryLanguage(ps Problems) string {
	var b strings.Builder
	for _, l := range deck.Languages {
		b.WriteString("== " + l + "\n")
		for _, m := range ps.Messages(l) {
			b.WriteString(m + "\n")
		}
	}
	return b.String()
}

// TestEveryCodeHasWords checks that every code has words in every catalog,
// that the list of codes is complete, that no catalog keeps the words of a
// code that is gone, and that each message reads fully in every language.
func TestEveryCodeHasWords(t *testing.T) {
	// Every Code… constant in the package is in Codes.
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Values) != len(vs.Names) {
				return true
			}
			for i, id := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(id.Name, "Code") {
					if v, _ := strconv.Unquote(lit.Value); !slices.Contains(Codes, v) {
						t.Errorf("%s = %s is not in Codes", id.Name, lit.Value)
					}
				}
			}
			return true
		})
	}
	// Keys under "check." are a code's words or one of these.
	others := regexp.MustCompile(`^check\.(line|and|unknown|warning|fine|(problems|warnings)(\.one)?|in\.[a-z]+|want\.[a-z-]+|ui\.[a-z.-]+)$`)
	for _, l := range deck.Languages {
		c := catalogs()[l]
		if len(c) == 0 {
			t.Fatalf("no catalog for %s", l)
		}
		for k := range c {
			if code, ok := strings.CutPrefix(k, "check."); ok && !slices.Contains(Codes, code) && !others.MatchString(k) {
				t.Errorf("%s: %q is no code's words", l, k)
			}
		}
	}
	prefixes := map[string]string{"fi": "rivi 7: ", "sv": "rad 7: ", "en": "line 7: "}
	sample := []string{"arvo", "toinen", "3", "10"}
	placeholder := regexp.MustCompile(`\{[0-9]`)
	for _, code := range Codes {
		t.Run(code, func(t *testing.T) {
			for _, args := range [][]string{nil, sample} {
				seen := map[string]string{}
				for lang, prefix := range prefixes {
					if _, ok := Words(lang)("check." + code); !ok {
						t.Fatalf("%s: no words for %q", lang, code)
					}
					m := Message(Problem{Line: 7, Code: code, Args: args}, lang)
					if !strings.HasPrefix(m, prefix) || len(m) <= len(prefix)+3 || placeholder.MatchString(m) {
						t.Errorf("%s: %q", lang, m)
					}
					if other, dup := seen[m]; dup {
						t.Errorf("%s and %s say the same: %q", lang, other, m)
					}
					seen[m] = lang
					if whole := Message(Problem{Code: code, Args: args}, lang); whole != strings.TrimPrefix(m, prefix) {
						t.Errorf("%s: line 0 should have no line prefix: %q", lang, whole)
					}
				}
			}
			if fi, other := Message(Problem{Code: code}, "fi"), Message(Problem{Code: code}, "de"); fi != other {
				t.Errorf("a language the game lacks should read Finnish: %q", other)
			}
		})
	}
}

// TestWordsUseTheSameArguments checks that the three languages of a message
// use the same arguments, so that no language drops what the others say.
func TestWordsUseTheSameArguments(t *testing.T) {
	arg := regexp.MustCompile(`\{([0-9]+)`)
	for _, code := range Codes {
		var want string
		for i, l := range deck.Languages {
			tmpl, _ := Words(l)("check." + code)
			used := map[string]bool{}
			for _, m := range arg.FindAllStringSubmatch(tmpl, -1) {
				used[m[1]] = true
			}
			keys := slices.Sorted(maps.Keys(used))
			if i == 0 {
				want = strings.Join(keys, ",")
			} else if got := strings.Join(keys, ","); got != want {
				t.Errorf("%s: %s uses arguments {%s}, fi uses {%s}", code, l, got, want)
			}
		}
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		{Code: CodeNoCards},
		{Line: 42, Code: CodeNoSuchCard, Args: []string{"soita äidille", "scene-9"}},
	}
	want := "the deck has no cards\nline 42: choice 'soita äidille' leads to card 'scene-9', which does not exist"
	if got := ps.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := ps.Messages("fi")[1]; got != "rivi 42: valinta 'soita äidille' vie korttiin 'scene-9', jota ei ole" {
		t.Errorf("fi: %q", got)
	}
	if got := ps.Messages("sv")[1]; got != "rad 42: valet 'soita äidille' leder till kortet 'scene-9', som inte finns" {
		t.Errorf("sv: %q", got)
	}
}

func TestLanguageFrom(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "fi"},
		{"LANG Swedish", map[string]string{"LANG": "sv_FI.UTF-8"}, "sv"},
		{"LANG English", map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{"LC_ALL first", map[string]string{"LANG": "en_GB.UTF-8", "LC_ALL": "sv_SE.UTF-8"}, "sv"},
		{"LC_MESSAGES before LANG", map[string]string{"LANG": "sv_FI", "LC_MESSAGES": "en_US"}, "en"},
		{"C locale", map[string]string{"LANG": "C.UTF-8"}, "fi"},
		{"a language the game lacks", map[string]string{"LANG": "de_DE.UTF-8"}, "fi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LanguageFrom(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	story, err := os.ReadFile("testdata/valid-story.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken, err := os.ReadFile("testdata/missing-next.yaml")
	if err != nil {
		t.Fatal(err)
	}
	csvDeck := []byte("text_fi\nMikä naurattaa?\n")
	huge := bytes.Repeat([]byte("# x\n"), MaxUpload)
	tests := []struct {
		name  string
		files fstest.MapFS
		ids   []string
		err   string // every line of the error, if one is expected
	}{
		{
			name:  "valid decks sorted by name, other files left alone",
			files: fstest.MapFS{"decks/b.yaml": {Data: valid}, "decks/a.yml": {Data: story}, "decks/c.csv": {Data: csvDeck}, "decks/README.md": {Data: []byte("# hi")}},
			ids:   []string{"pieni-tarina", "pieni-pakka", "c"},
		},
		{
			name:  "two decks with one id",
			files: fstest.MapFS{"decks/a.yaml": {Data: valid}, "decks/b.yaml": {Data: valid}},
			err:   "decks/b.yaml: line 2: deck id 'pieni-pakka' is already used by decks/a.yaml",
		},
		{
			name:  "every problem of every file",
			files: fstest.MapFS{"decks/a.yaml": {Data: broken}, "decks/b.yaml": {Data: valid}, "decks/c.yaml": {Data: []byte("id: x\n")}, "decks/d.yaml": {Data: huge}},
			err: "decks/a.yaml: line 13: choice 'soita äidille' leads to card 'scene-9', which does not exist\n" +
				"decks/c.yaml: 'kind' is missing\n" +
				"decks/c.yaml: 'languages' is missing\n" +
				// With no languages there is no text to ask for.
				"decks/c.yaml: the deck has no cards\n" +
				"decks/d.yaml: the file is " + strconv.Itoa(len(huge)) + " bytes; a deck file may be at most 262144 bytes (256 KiB)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decks, err := LoadFS(tt.files, "decks")
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want:\n%s", tt.err)
				}
				if err.Error() != tt.err {
					t.Fatalf("error:\n%s\nwant:\n%s", err, tt.err)
				}
				if decks != nil {
					t.Errorf("decks returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range decks {
				ids = append(ids, d.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids = %v, want %v", ids, tt.ids)
			}
		})
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pakka.yaml"), valid, 0o644); err != nil {
		t.Fatal(err)
	}
	if decks, err := LoadDir(dir); err != nil || len(decks) != 1 {
		t.Fatalf("LoadDir: %v, %d decks", err, len(decks))
	}
	if err := os.WriteFile(filepath.Join(dir, "rikki.yaml"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadDir(dir)
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "rikki.yaml")+": line 13: ") {
		t.Fatalf("LoadDir: %v", err)
	}
	if _, err := LoadDir(filepath.Join(dir, "nowhere")); err == nil {
		t.Fatal("LoadDir of a missing folder: no error")
	}
}

// TestHostileInputStaysSmall feeds files built to make a parser work hard and
// checks that each is refused quickly without much memory.
func TestHostileInputStaysSmall(t *testing.T) {
	n := MaxUpload - 64 // room for a header
	lines := func(line string) string { return strings.Repeat(line, n/len(line)) }
	// The deepest and longest path the guards let through, then as many
	// nodes under it as the token budget allows.
	deepKeys := ""
	for i := range maxBlockColumn - 1 {
		deepKeys += strings.Repeat(" ", i) + strings.Repeat("k", maxKeyBytes) + ":\n"
	}
	deep := strings.Repeat(" ", maxBlockColumn-1)
	items := maxTokens/2 - 2*maxBlockColumn - 20
	tests := []struct {
		name string
		src  string
	}{
		{"deep keys over a long flow list", deepKeys + deep + "x: " + strings.Repeat("[", maxFlowDepth) + strings.Repeat("a,", items) + "a" + strings.Repeat("]", maxFlowDepth)},
		{"deep keys over a long block list", deepKeys + strings.Repeat(deep+"- a\n", (n-len(deepKeys))/(len(deep)+4))},
		{"deep keys over many flow pairs", deepKeys + deep + "x: {" + strings.Repeat("a: b, ", items/2) + "}"},
		{"a block mapping with many keys", strings.Repeat("a: b\n", maxTokens/3)},
		{"a flow mapping with many pairs", "{" + strings.Repeat("a: b, ", maxTokens/4) + "}"},
		{"many one-pair flow mappings", "[" + strings.Repeat("a: b, ", maxTokens/4) + "]"},
		{"a list of mappings", strings.Repeat("- a: b\n", maxTokens/4)},
		{"the token budget of list items", strings.Repeat("- a\n", maxTokens/2-10)},
		{"nested flow sequences", strings.Repeat("[", n/2) + strings.Repeat("]", n/2)},
		{"nested flow mappings", strings.Repeat("{a: ", n/4)},
		{"nested block sequences", strings.Repeat("- ", n/2) + "x"},
		{"nested block mappings", func() string {
			var b strings.Builder
			for i := 0; b.Len() < n-1000; i++ {
				b.WriteString(strings.Repeat(" ", i) + "a:\n")
			}
			return b.String()
		}()},
		{"one long key", strings.Repeat("k", n-10) + ": v"},
		{"many tokens", lines("- a\n")},
		{"many flow items", "[" + strings.Repeat("a,", n/2-1) + "]"},
		{"many quotes", strings.Repeat(`"`, n)},
		{"many anchors", lines("- &a b\n")},
		{"many aliases", "a: &a x\nb: [" + strings.Repeat("*a,", n/3-10) + "]"},
		{"many comments", lines("#\n")},
		{"many documents", lines("---\n")},
		{"many cards", "id: x\nkind: questions\nlanguages: [fi]\ncards:\n" + lines("- {id: a, text: {fi: b}}\n")},
		{"csv of commas", strings.Repeat(",", n)},
		{"csv of quotes", strings.Repeat(`"`, n)},
		{"csv of lines", lines("a\n")},
	}
	for _, tt := range tests {
		for _, name := range []string{"f.yaml", "f.csv"} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				if len(tt.src) > MaxUpload {
					t.Fatalf("sample is %d bytes, over MaxUpload", len(tt.src))
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				d, ps := Parse(name, []byte(tt.src))
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				alloc := after.TotalAlloc - before.TotalAlloc
				t.Logf("%d bytes: %v, %d KiB allocated, %d problems", len(tt.src), took, alloc>>10, len(ps))
				if d == nil && len(ps) == 0 {
					t.Errorf("no deck and no problems")
				}
				if limit := uint64(48 << 20); alloc > limit {
					t.Errorf("allocated %d MiB, over %d MiB", alloc>>20, limit>>20)
				}
				if took > 5*time.Second {
					t.Errorf("took %v", took)
				}
			})
		}
	}
}

// TestLargeValidDeck checks that a deck at the limits (the most cards, long
// texts in three languages, close to MaxUpload) is within the parser's bounds.
func TestLargeValidDeck(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: iso\nkind: questions\ntitle: {fi: Iso, sv: Stor, en: Big}\nlanguages: [fi, sv, en]\ncards:\n")
	prose := "Mitä sinä, joka luet tätä, ajattelet huomisesta? "
	for i := range MaxCards {
		b.WriteString("  - id: kortti-" + strconv.Itoa(i) + "\n    theme: everyday\n    answers: turn\n    tags: [grief]\n")
		for _, key := range []string{"text", "note"} {
			b.WriteString("    " + key + ":\n")
			for _, l := range deck.Languages {
				b.WriteString("      " + l + ": \"" + strings.Repeat(prose, 1)[:45] + "\"\n")
			}
		}
	}
	src := b.String()
	if len(src) > MaxUpload {
		t.Fatalf("sample is %d bytes", len(src))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, ps := Parse("iso.yaml", []byte(src))
	runtime.ReadMemStats(&after)
	if len(ps) > 0 {
		t.Fatalf("%d problems, first: %s", len(ps), Message(ps[0], "en"))
	}
	t.Logf("%d bytes, %d cards, %d KiB allocated", len(src), len(d.Cards), (after.TotalAlloc-before.TotalAlloc)>>10)
	if len(d.Cards) != MaxCards {
		t.Errorf("%d cards", len(d.Cards))
	}
	_, ps = Parse("iso.yaml", []byte(src+"  - id: yksi-liikaa\n    text: {fi: a, sv: b, en: c}\n    note: {fi: a, sv: b, en: c}\n"))
	if len(ps) != 1 || ps[0].Code != CodeTooManyCards {
		t.Errorf("one card too many: %v", ps)
	}
}

// FuzzParse checks that no input makes Parse panic, and that it returns
// either a deck or problems, never both or neither.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".want") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.HasSuffix(name, ".csv"))
	}
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		name := "fuzz.yaml"
		if csv {
			name = "fuzz.csv"
		}
		d, ps := Parse(name, data)
		if (d == nil) == (len(ps) == 0) {
			t.Fatalf("deck %v with %d problems", d != nil, len(ps))
		}
		for _, p := range ps {
			for _, lang := range []string{"fi", "sv", "en"} {
				if Message(p, lang) == "" {
					t.Fatalf("empty %s message for %+v", lang, p)
				}
			}
			if p.Code == CodeSyntax && strings.Contains(Message(p, "en"), "could not be read (") {
				// Parse recovered, but the parser should not panic at all.
				t.Fatalf("the parser panicked: %s", Message(p, "en"))
			}
		}
		if d == nil {
			return
		}
		if !idPattern.MatchString(d.ID) || len(d.Cards) == 0 || len(d.Cards) > MaxCards || len(d.Languages) == 0 {
			t.Fatalf("accepted a deck that breaks the rules: %+v", d)
		}
		for _, c := range d.Cards {
			if !idPattern.MatchString(c.ID) || !slices.Contains(deck.Kinds, c.Kind) {
				t.Fatalf("accepted a card that breaks the rules: %+v", c)
			}
			for _, ch := range c.Choices {
				if d.Card(ch.Next) == nil {
					t.Fatalf("accepted a choice to nowhere: %+v", ch)
				}
			}
		}
	})
}
