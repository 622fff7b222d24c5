package deckfile

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"

	"github.com/pore/elamanipeli/shared/deck"
)

// Bounds on what the YAML parser is given. Its memory grows with the nesting
// depth times the number of nodes (every node keeps its full path as a
// string) and with the square of the keys in one block mapping, so all of
// these are capped. The bundled decks use under 2,500 tokens, nest 6 deep,
// start no key past column 12 and have at most 11 keys in a mapping.
const (
	maxTokenStarts = 96 << 10 // places a token could start, counted before lexing
	maxTokens      = 32 << 10
	maxFlowDepth   = 6  // [ and { inside each other
	maxBlockColumn = 32 // a block key or "- " starting further right nests too deep
	maxKeyBytes    = 24
	maxMapKeys     = 64 // keys in one block mapping
)

// The keys each part of a deck file may have.
var (
	deckKeys    = []string{"id", "kind", "title", "description", "languages", "min_age", "minutes", "tags", "shuffle", "start", "cards"}
	cardKeys    = []string{"id", "kind", "theme", "answers", "tags", "part", "title", "text", "prompt", "note", "choices", "scale", "contact"}
	choiceKeys  = []string{"text", "next"}
	scaleKeys   = []string{"min", "max", "low", "high"}
	contactKeys = []string{"phone", "url", "hours"}
)

// decodeYAML reads a YAML deck. It reports what it cannot read; the checks of
// what it read come later, in check.
func decodeYAML(src string) (*deck.Deck, *index, Problems) {
	ix := newIndex()
	if line := prescan(src); line > 0 {
		return nil, ix, Problems{{Line: line, Code: CodeTooComplex}}
	}
	if line := tabIndent(src); line > 0 {
		return nil, ix, Problems{{Line: line, Code: CodeTab}}
	}
	tks, p := tokenize(src)
	if p != nil {
		return nil, ix, Problems{*p}
	}
	f, err := parser.Parse(tks, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, ix, Problems{syntaxProblem(err)}
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || isNull(doc.Body) {
			continue
		}
		if body != nil {
			line := lineOf(doc.Body)
			if doc.Start != nil && doc.Start.Position != nil {
				line = doc.Start.Position.Line
			}
			return nil, ix, Problems{{Line: line, Code: CodeManyDocs}}
		}
		body = doc.Body
	}
	if body == nil {
		return nil, ix, Problems{{Code: CodeEmpty}}
	}
	y := &yamlDecoder{ix: ix}
	d := &deck.Deck{}
	if !y.fields(body, "", deckKeys, func(key string, v ast.Node, p string, line int) { y.deckField(d, key, v, p, line) }) {
		return nil, ix, Problems{{Line: lineOf(body), Code: CodeNotADeck}}
	}
	return d, ix, y.ps
}

// prescan counts the places where a token could start (an indicator, or the
// first character after a space) and returns the line where there are too
// many to be a deck, or 0. It bounds the lexer's memory before it runs.
func prescan(src string) int {
	n, line, after := 0, 1, true
	for i := 0; i < len(src); i++ {
		switch b := src[i]; b {
		case '\n':
			line++
			after = true
		case ' ', '\t', '\r':
			after = true
		case '[', ']', '{', '}', ',', ':', '-', '?', '&', '*', '!', '|', '>', '\'', '"', '%', '#', '@', '`':
			n++
			after = true
		default:
			if after {
				n++
			}
			after = false
		}
		if n > maxTokenStarts {
			return line
		}
	}
	return 0
}

// keyStart is how a line that holds a key or a list item starts, once its
// indentation is gone.
var keyStart = regexp.MustCompile(`^(- |-$|[^\s:#'"{\[][^:#]{0,40}:(\s|$))`)

// tabIndent returns the first line whose indentation has a tab in it before
// a key or a list item, or 0. YAML does not allow tabs there, and the parser
// would read "\tfi: text" as one long key, a message about the wrong thing.
func tabIndent(src string) int {
	line := 0
	for l := range strings.SplitSeq(src, "\n") {
		line++
		rest := strings.TrimLeft(l, " \t")
		if strings.Contains(l[:len(l)-len(rest)], "\t") && keyStart.MatchString(rest) {
			return line
		}
	}
	return 0
}

// tokenize lexes src and refuses what a deck never needs and the parser
// handles badly: aliases, explicit and complex keys, long keys, deep nesting
// and too many tokens.
func tokenize(src string) (token.Tokens, *Problem) {
	var s scanner.Scanner
	s.Init(src)
	var tks token.Tokens
	for range len(src) + 2 { // each Scan consumes input; this only guards against a library bug
		sub, err := s.Scan()
		if errors.Is(err, io.EOF) {
			break
		}
		tks.Add(sub...)
		if len(tks) > maxTokens {
			break
		}
	}
	depth := 0
	var prev *token.Token
	type mapping struct{ column, keys int }
	var open []mapping // the block mappings around the current token, by column
	closeAt := func(column int) {
		for len(open) > 0 && open[len(open)-1].column > column {
			open = open[:len(open)-1]
		}
	}
	for i, tk := range tks {
		if i >= maxTokens {
			return nil, &Problem{Line: tokenLine(tk), Code: CodeTooComplex}
		}
		switch tk.Type {
		case token.CommentType:
			continue
		case token.AliasType:
			name := ""
			if i+1 < len(tks) {
				name = tks[i+1].Value
			}
			return nil, &Problem{Line: tokenLine(tk), Code: CodeAlias, Args: []string{quote(name)}}
		case token.SequenceStartType, token.MappingStartType:
			if depth++; depth > maxFlowDepth {
				return nil, &Problem{Line: tokenLine(tk), Code: CodeTooComplex}
			}
		case token.SequenceEndType, token.MappingEndType:
			depth = max(0, depth-1)
		case token.MappingKeyType:
			return nil, &Problem{Line: tokenLine(tk), Code: CodeTooComplex}
		case token.DocumentHeaderType:
			open = open[:0]
		case token.SequenceEntryType:
			if depth == 0 && tk.Position != nil {
				if tk.Position.Column > maxBlockColumn {
					return nil, &Problem{Line: tokenLine(tk), Code: CodeTooComplex}
				}
				closeAt(tk.Position.Column)
			}
		case token.MappingValueType:
			if prev == nil {
				break
			}
			switch {
			case prev.Type == token.SequenceEndType || prev.Type == token.MappingEndType:
				return nil, &Problem{Line: tokenLine(prev), Code: CodeTooComplex}
			case len(prev.Value) > maxKeyBytes:
				return nil, &Problem{Line: tokenLine(prev), Code: CodeLongKey, Args: []string{quote(string([]rune(prev.Value)[:min(30, len([]rune(prev.Value)))])) + "…"}}
			case depth == 0 && prev.Position != nil && prev.Position.Column > maxBlockColumn:
				return nil, &Problem{Line: tokenLine(prev), Code: CodeTooComplex}
			case depth == 0 && prev.Position != nil:
				col := prev.Position.Column
				closeAt(col)
				if n := len(open); n > 0 && open[n-1].column == col {
					if open[n-1].keys++; open[n-1].keys > maxMapKeys {
						return nil, &Problem{Line: tokenLine(prev), Code: CodeTooComplex}
					}
				} else {
					open = append(open, mapping{column: col, keys: 1})
				}
			}
		}
		prev = tk
	}
	return tks, nil
}

func tokenLine(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

// syntaxProblem turns the parser's error into a problem. It reads the
// message and the token rather than calling Error, which quotes the source
// around the token and is slow on a long line.
func syntaxProblem(err error) Problem {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		line, msg := tokenLine(ye.GetToken()), ye.GetMessage()
		// The commonest slips get a message of their own.
		switch {
		case strings.HasPrefix(msg, "mapping value is not allowed"):
			return Problem{Line: line, Code: CodeColonInText}
		case strings.Contains(msg, "'\t'"):
			return Problem{Line: line, Code: CodeTab}
		case strings.HasPrefix(msg, "value is not allowed in this context"):
			return Problem{Line: line, Code: CodeIndent}
		}
		return Problem{Line: line, Code: CodeSyntax, Args: []string{"YAML", msg}}
	}
	return Problem{Code: CodeSyntax, Args: []string{"YAML", "the file could not be read"}}
}

// unwrap looks through anchors and tags to the value they mark.
func unwrap(n ast.Node) ast.Node {
	for range 8 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

func isNull(n ast.Node) bool {
	switch unwrap(n).(type) {
	case nil, *ast.NullNode:
		return true
	}
	return false
}

// lineOf is the line a node starts on; for a block mapping, its first key.
func lineOf(n ast.Node) int {
	switch v := n.(type) {
	case nil:
		return 0
	case *ast.MappingNode:
		if v == nil {
			return 0
		}
		if len(v.Values) > 0 && v.Values[0] != nil && v.Values[0].Key != nil {
			return lineOf(v.Values[0].Key)
		}
		return tokenLine(v.Start)
	}
	return tokenLine(n.GetToken())
}

// scalar is a scalar's text as written: numbers and booleans keep their
// spelling, so "fi: 7.40" stays 7.40. Null reads as "".
func scalar(n ast.Node) (string, bool) {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, true
		}
		return "", true
	}
	return "", false
}

// index remembers the line of every key and list item by path, and which
// paths could not be read (so that a check does not report them again).
type index struct {
	lines  map[string]int
	broken map[string]bool
}

func newIndex() *index { return &index{lines: map[string]int{}, broken: map[string]bool{}} }

func (ix *index) set(path string, line int) { ix.lines[path] = line }

// at returns the line of path, or of its nearest parent in the file.
func (ix *index) at(path string) int {
	for path != "" {
		if l, ok := ix.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (ix *index) has(path string) bool { _, ok := ix.lines[path]; return ok }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func item(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

type yamlDecoder struct {
	ix *index
	ps Problems
}

func (y *yamlDecoder) add(line int, code string, args ...string) {
	y.ps = append(y.ps, Problem{Line: line, Code: code, Args: args})
}

// bad reports a value of the wrong shape and marks its path as read.
func (y *yamlDecoder) bad(path, key string, line int, want string) {
	y.ix.broken[path] = true
	y.add(line, CodeBadType, key, want)
}

// fields calls each for every known key of the mapping n and reports the
// unknown and repeated ones. It returns false if n is not a mapping.
func (y *yamlDecoder) fields(n ast.Node, path string, keys []string, each func(key string, v ast.Node, p string, line int)) bool {
	return y.fieldsOr(n, path, keys, CodeUnknownKey, each)
}

// fieldsOr is fields with the code for an unknown key: CodeBadLanguage where
// the keys are languages.
func (y *yamlDecoder) fieldsOr(n ast.Node, path string, keys []string, unknown string, each func(key string, v ast.Node, p string, line int)) bool {
	var pairs []*ast.MappingValueNode
	flow := false
	switch v := unwrap(n).(type) {
	case *ast.MappingNode:
		if v == nil {
			return false
		}
		pairs, flow = v.Values, v.IsFlowStyle
	case *ast.MappingValueNode:
		if v == nil {
			return false
		}
		pairs = []*ast.MappingValueNode{v}
	default:
		return false
	}
	seen := map[string]int{}
	var meant []string // keys that a misspelt key was probably meant to be
	for _, mv := range pairs {
		if mv == nil || mv.Key == nil {
			continue
		}
		line := lineOf(mv.Key)
		key, ok := scalar(mv.Key)
		if _, merge := unwrap(mv.Key).(*ast.MergeKeyNode); merge {
			key, ok = "<<", true
		}
		if !ok {
			y.add(line, CodeUnknownKey, quote(mv.Key.String()), "", strings.Join(keys, ", "))
			continue
		}
		if !contains(keys, key) {
			if flow && isNull(mv.Value) && strings.ContainsAny(key, " .?!") {
				// {fi: Hei, mitä kuuluu?} reads "mitä kuuluu?" as a key.
				y.add(line, CodeCommaInText, quote(key))
				continue
			}
			s := suggest(key, keys)
			if unknown == CodeBadLanguage {
				y.add(line, CodeBadLanguage, quote(key), s)
			} else {
				y.add(line, CodeUnknownKey, quote(key), s, strings.Join(keys, ", "))
			}
			if s != "" {
				meant = append(meant, s)
			}
			continue
		}
		if first, dup := seen[key]; dup {
			y.add(line, CodeDupKey, key, strconv.Itoa(first))
			continue
		}
		seen[key] = line
		p := join(path, key)
		y.ix.set(p, line)
		each(key, mv.Value, p, line)
	}
	// A misspelt key is reported once, not again as the key it meant
	// being missing.
	for _, k := range meant {
		if _, ok := seen[k]; !ok {
			y.ix.broken[join(path, k)] = true
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// str reads a single text.
func (y *yamlDecoder) str(v ast.Node, p, key string, line int) string {
	s, ok := scalar(v)
	if !ok {
		y.bad(p, key, lineOr(v, line), "text")
		return ""
	}
	return strings.TrimSpace(s)
}

func lineOr(n ast.Node, line int) int {
	if l := lineOf(n); l > 0 {
		return l
	}
	return line
}

// text reads a text per language: a mapping from language code to text.
func (y *yamlDecoder) text(v ast.Node, p, key string, line int) deck.Text {
	if isNull(v) {
		return nil
	}
	t := deck.Text{}
	ok := y.fieldsOr(v, p, deck.Languages, CodeBadLanguage, func(lang string, v ast.Node, lp string, line int) {
		t[lang] = y.str(v, lp, lang, line)
	})
	if !ok {
		y.bad(p, key, lineOr(v, line), "texts")
		return nil
	}
	return t
}

// list reads a list of words; "a, b" and a lone word are lists too.
func (y *yamlDecoder) list(v ast.Node, p, key string, line int) []string {
	var out []string
	switch n := unwrap(v).(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		if n == nil {
			return nil
		}
		for i, e := range n.Values {
			s, ok := scalar(e)
			ip := item(p, i)
			y.ix.set(ip, lineOr(e, line))
			if !ok {
				y.bad(ip, key, lineOr(e, line), "text")
				continue
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	s, ok := scalar(v)
	if !ok {
		y.bad(p, key, lineOr(v, line), "list")
		return nil
	}
	for i, w := range splitWords(s) {
		y.ix.set(item(p, i), lineOr(v, line))
		out = append(out, w)
	}
	return out
}

// splitWords splits "a, b; c d" into words.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' })
}

// number reads a whole number; lo and hi bound it.
func (y *yamlDecoder) number(v ast.Node, p, key string, line int, lo, hi int) (int, bool) {
	return y.numberAs(v, p, key, line, lo, hi, "number")
}

// numberAs is number with the shape a wrong value is told it should have.
func (y *yamlDecoder) numberAs(v ast.Node, p, key string, line int, lo, hi int, want string) (int, bool) {
	s, ok := scalar(v)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if !ok || err != nil || n < lo || n > hi {
		y.bad(p, key, lineOr(v, line), want)
		return 0, false
	}
	return n, true
}

func (y *yamlDecoder) boolean(v ast.Node, p, key string, line int) bool {
	s, _ := scalar(v)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off", "":
		return false
	}
	y.bad(p, key, lineOr(v, line), "yes-no")
	return false
}

func (y *yamlDecoder) deckField(d *deck.Deck, key string, v ast.Node, p string, line int) {
	switch key {
	case "id":
		d.ID = y.str(v, p, key, line)
	case "kind":
		d.Kind = deck.DeckKind(y.str(v, p, key, line))
	case "title":
		d.Title = y.text(v, p, key, line)
	case "description":
		d.Description = y.text(v, p, key, line)
	case "languages":
		d.Languages = y.list(v, p, key, line)
	case "min_age":
		d.MinAge, _ = y.number(v, p, key, line, 0, 999)
	case "minutes":
		d.Minutes, _ = y.number(v, p, key, line, 0, 999)
	case "tags":
		d.Tags = y.list(v, p, key, line)
	case "shuffle":
		d.Shuffle = y.boolean(v, p, key, line)
	case "start":
		d.Start = y.str(v, p, key, line)
	case "cards":
		y.cards(d, v, p, line)
	}
}

func (y *yamlDecoder) cards(d *deck.Deck, v ast.Node, p string, line int) {
	if isNull(v) {
		return
	}
	seq, ok := unwrap(v).(*ast.SequenceNode)
	if !ok || seq == nil {
		y.bad(p, "cards", lineOr(v, line), "items")
		return
	}
	if len(seq.Values) > MaxCards {
		// The decoder reads no more than a deck may hold.
		y.add(lineOr(v, line), CodeTooManyCards, strconv.Itoa(len(seq.Values)), strconv.Itoa(MaxCards))
	}
	for i, e := range seq.Values[:min(len(seq.Values), MaxCards)] {
		cp := item(p, i)
		cl := lineOr(e, line)
		y.ix.set(cp, cl)
		// A card that cannot be read stays as a placeholder so that card k
		// is still at path cards[k]; check skips it.
		var c deck.Card
		if !y.fields(e, cp, cardKeys, func(key string, v ast.Node, p string, line int) { y.cardField(&c, key, v, p, line) }) {
			y.bad(cp, "cards", cl, "card")
		}
		d.Cards = append(d.Cards, c)
	}
}

func (y *yamlDecoder) cardField(c *deck.Card, key string, v ast.Node, p string, line int) {
	switch key {
	case "id":
		c.ID = y.str(v, p, key, line)
	case "kind":
		c.Kind = deck.Kind(y.str(v, p, key, line))
	case "theme":
		c.Theme = y.str(v, p, key, line)
	case "answers":
		c.Answerer = deck.Answerer(y.str(v, p, key, line))
	case "tags":
		c.Tags = y.list(v, p, key, line)
	case "part":
		c.Part, _ = y.numberAs(v, p, key, line, 1, maxPart, "part")
	case "title":
		c.Title = y.text(v, p, key, line)
	case "text":
		c.Text = y.text(v, p, key, line)
	case "prompt":
		c.Prompt = y.text(v, p, key, line)
	case "note":
		c.Note = y.text(v, p, key, line)
	case "choices":
		y.choices(c, v, p, line)
	case "scale":
		c.Scale = &deck.Scale{Min: 0, Max: 10}
		if isNull(v) {
			return
		}
		if !y.fields(v, p, scaleKeys, func(key string, v ast.Node, p string, line int) {
			switch key {
			case "min":
				c.Scale.Min, _ = y.number(v, p, key, line, -999, 999)
			case "max":
				c.Scale.Max, _ = y.number(v, p, key, line, -999, 999)
			case "low":
				c.Scale.Low = y.text(v, p, key, line)
			case "high":
				c.Scale.High = y.text(v, p, key, line)
			}
		}) {
			y.bad(p, key, lineOr(v, line), "keys")
		}
	case "contact":
		c.Contact = &deck.Contact{}
		if isNull(v) {
			return
		}
		if !y.fields(v, p, contactKeys, func(key string, v ast.Node, p string, line int) {
			switch key {
			case "phone":
				c.Contact.Phone = y.str(v, p, key, line)
			case "url":
				c.Contact.URL = y.str(v, p, key, line)
			case "hours":
				c.Contact.Hours = y.text(v, p, key, line)
			}
		}) {
			y.bad(p, key, lineOr(v, line), "keys")
		}
	}
}

func (y *yamlDecoder) choices(c *deck.Card, v ast.Node, p string, line int) {
	if isNull(v) {
		return
	}
	seq, ok := unwrap(v).(*ast.SequenceNode)
	if !ok || seq == nil {
		y.bad(p, "choices", lineOr(v, line), "items")
		return
	}
	c.Choices = []deck.Choice{}
	for i, e := range seq.Values {
		chp := item(p, i)
		cl := lineOr(e, line)
		y.ix.set(chp, cl)
		var ch deck.Choice
		if !y.fields(e, chp, choiceKeys, func(key string, v ast.Node, p string, line int) {
			switch key {
			case "text":
				ch.Text = y.text(v, p, key, line)
			case "next":
				ch.Next = y.str(v, p, key, line)
			}
		}) {
			y.bad(chp, "choices", cl, "choice")
		}
		c.Choices = append(c.Choices, ch)
	}
}
