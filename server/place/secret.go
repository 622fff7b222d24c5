package place

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"strings"
)

// CodeAlphabet has no characters that look alike (0/O, 1/I/L, 2/Z, 5/S,
// 6/G, 8/B), so a code read aloud or from a projector is typed right.
const CodeAlphabet = "ACDEFHJKMNPRTUVWXY3479"

// Code lengths: a room code is typed by people; a spectator code lets its
// holder watch without knocking, so it is longer.
const (
	CodeLen  = 6
	WatchLen = 10
)

// NewCode returns n characters of CodeAlphabet from r, without modulo bias.
func NewCode(r io.Reader, n int) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	limit := byte(256 - 256%len(CodeAlphabet))
	for b.Len() < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		if buf[0] >= limit {
			continue
		}
		b.WriteByte(CodeAlphabet[int(buf[0])%len(CodeAlphabet)])
	}
	return b.String(), nil
}

// NormalizeCode turns what a person typed into a code: upper case, without
// the spaces and dashes that make a code easier to read.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r != ' ' && r != '-' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NewToken returns a seat token: 128 random bits, URL-safe.
func NewToken(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Key is what the server keeps of a token: its hash, so that a stored room
// never holds a seat's secret.
type Key [sha256.Size]byte

// KeyOf returns the key of token.
func KeyOf(token string) Key { return sha256.Sum256([]byte(token)) }
