package ui

import (
	"strings"
	"unicode/utf8"
)

// sentences joins what a screen reader should hear into one text. Each part
// is a sentence: it gets a full stop unless it ends with punctuation of its
// own (a question stays a question, also inside quotes; a colon leads on),
// and empty parts are
// left out, so that a joined text never reads "sanalla.." or "osaat?." and
// never runs two sentences together.
func sentences(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
		if !endsSentence(p) {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// endsSentence reports whether s ends with a sentence's punctuation, before
// any closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, "\"'”’»)] ")
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?…:", r)
}
