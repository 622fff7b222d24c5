package deck

import (
	"strconv"
	"strings"
)

// Problem is one thing the deck checker (server/deckfile) found in a deck
// file. Code is stable and crosses the wire; Args fill in its words (a key, a
// value quoted from the file, a number). The words themselves live in the
// translation catalogs (assets/i18n) under "check." and the code, so the
// server and the client say the same in every language.
type Problem struct {
	Line int      `json:"line,omitempty"` // 1-based; 0 means the whole file
	Code string   `json:"code"`
	Args []string `json:"args,omitempty"`
}

// Lookup finds a catalog's text for a key.
type Lookup func(key string) (string, bool)

// Text says what the problem is in the words lookup gives, without the line.
func (p Problem) Text(lookup Lookup) string {
	tmpl, ok := lookup("check." + p.Code)
	if !ok {
		tmpl, _ = lookup("check.unknown")
		return strings.ReplaceAll(tmpl, "{0}", strings.TrimSpace(p.Code+" '"+strings.Join(p.Args, "', '")+"'"))
	}
	return Expand(tmpl, p.Args, lookup)
}

// Message is Text after the line it is on ("rivi 12: …").
func (p Problem) Message(lookup Lookup) string { return p.prefix(p.Text(lookup), lookup) }

// WarningMessage is Message for a warning: "rivi 12: huomio: …".
func (p Problem) WarningMessage(lookup Lookup) string {
	body := p.Text(lookup)
	if w, ok := lookup("check.warning"); ok {
		body = strings.ReplaceAll(w, "{0}", body)
	}
	return p.prefix(body, lookup)
}

// prefix puts body after p's line, if it has one.
func (p Problem) prefix(body string, lookup Lookup) string {
	if p.Line <= 0 {
		return body
	}
	line, ok := lookup("check.line")
	if !ok {
		line = "{0}: {1}"
	}
	return strings.NewReplacer("{0}", strconv.Itoa(p.Line), "{1}", body).Replace(line)
}

// CheckResult is what the checker found in one deck file, as the server
// sends it to the page (POST /check, JSON) for the client to say in the
// worker's language.
type CheckResult struct {
	Deck     string    `json:"deck,omitempty"`  // the deck's id, when the file has no problems
	Cards    int       `json:"cards,omitempty"` // and its number of cards
	Problems []Problem `json:"problems,omitempty"`
	Warnings []Problem `json:"warnings,omitempty"`
}

// Summary says on one line what the check found: how many problems the file
// has, or that the deck is fine, with how many warnings.
func (r CheckResult) Summary(lookup Lookup) string {
	if len(r.Problems) > 0 {
		return count(lookup, "check.problems", len(r.Problems))
	}
	s := Expand(say(lookup, "check.fine"), []string{r.Deck, strconv.Itoa(r.Cards)}, lookup)
	if len(r.Warnings) > 0 {
		s += "; " + count(lookup, "check.warnings", len(r.Warnings))
	}
	return s
}

// count says "1 problem" (key.one) or "3 problems" (key).
func count(lookup Lookup, key string, n int) string {
	if n == 1 {
		if s, ok := lookup(key + ".one"); ok {
			return s
		}
	}
	return strings.ReplaceAll(say(lookup, key), "{0}", strconv.Itoa(n))
}

func say(lookup Lookup, key string) string {
	if s, ok := lookup(key); ok {
		return s
	}
	return key
}

// Expand fills in a message template. Besides the {0}, {1}… of every
// catalog text, a template may hold
//
//	{1?…}      the text … only when argument 1 is not empty
//	{1!…}      the text … only when argument 1 is empty
//	{1@pre.}   the catalog's text for "pre." and argument 1 (the name of a
//	           language, the shape a value should have), or the argument
//	           itself when the catalog has none
//	{0*}       arguments 0, 1… in quotes, listed with the catalog's
//	           "check.and"
//
// where … may hold placeholders of its own. A template with a brace out of
// place, or an argument that is not there, reads as if it were empty, so
// that no message ever fails to show.
func Expand(tmpl string, args []string, lookup Lookup) string {
	var b strings.Builder
	expand(&b, tmpl, args, lookup, 0)
	return b.String()
}

func expand(b *strings.Builder, s string, args []string, lookup Lookup, depth int) {
	arg := func(i int) string {
		if i < 0 || i >= len(args) {
			return ""
		}
		return args[i]
	}
	for len(s) > 0 {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:open])
		s = s[open:]
		end := closing(s)
		if end < 0 || depth > 4 {
			b.WriteString(s) // an unmatched brace is text
			return
		}
		inner := s[1:end]
		s = s[end+1:]
		digits := 0
		for digits < len(inner) && inner[digits] >= '0' && inner[digits] <= '9' {
			digits++
		}
		n, err := strconv.Atoi(inner[:digits])
		if digits == 0 || err != nil {
			b.WriteString("{" + inner + "}")
			continue
		}
		rest := inner[digits:]
		switch {
		case rest == "":
			b.WriteString(arg(n))
		case rest[0] == '?':
			if arg(n) != "" {
				expand(b, rest[1:], args, lookup, depth+1)
			}
		case rest[0] == '!':
			if arg(n) == "" {
				expand(b, rest[1:], args, lookup, depth+1)
			}
		case rest[0] == '@':
			if t, ok := lookup(rest[1:] + arg(n)); ok {
				b.WriteString(t)
			} else {
				b.WriteString(arg(n))
			}
		case rest == "*":
			var items []string
			for i := n; i < len(args); i++ {
				items = append(items, "'"+args[i]+"'")
			}
			and, _ := lookup("check.and")
			b.WriteString(listWith(items, and))
		default:
			b.WriteString("{" + inner + "}")
		}
	}
}

// closing returns the index of the brace that closes the one s starts with,
// or -1.
func closing(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// listWith lists items as "a, b and c".
func listWith(items []string, and string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	if and == "" {
		and = "&"
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}
