package site

import (
	stdlog "log"
	"regexp"
	"strings"

	"github.com/rs/zerolog"
)

// ErrorLog is the http.Server's error log, written through log. net/http
// names the client's address in its messages ("TLS handshake error from
// 203.0.113.7:51234"), and logs carry no address: every address is taken
// out. Failed TLS handshakes are the internet's background noise and go to
// debug; the rest is a warning.
func ErrorLog(log zerolog.Logger) *stdlog.Logger {
	return stdlog.New(httpErrors{log}, "", 0)
}

type httpErrors struct{ log zerolog.Logger }

func (e httpErrors) Write(p []byte) (int, error) {
	msg := Scrub(strings.TrimSpace(string(p)))
	ev := e.log.Warn()
	if strings.Contains(msg, "TLS handshake error") {
		ev = e.log.Debug()
	}
	ev.Str("http", msg).Msg("http server")
	return len(p), nil
}

// addrPattern matches IPv4 and IPv6 addresses (also IPv4-mapped, in
// brackets, with a zone or a port). It matches some clock times too, which
// a log can spare.
var addrPattern = func() *regexp.Regexp {
	v4 := `\d{1,3}(?:\.\d{1,3}){3}`
	v6 := `(?:[0-9A-Fa-f]{0,4}:){2,7}(?:` + v4 + `|[0-9A-Fa-f]{1,4})?(?:%[0-9A-Za-z]+)?`
	return regexp.MustCompile(`\[?(?:` + v6 + `|` + v4 + `)\]?(?::\d+)?`)
}()

// Scrub replaces every IP address in s with "(address)".
func Scrub(s string) string {
	return addrPattern.ReplaceAllString(s, "(address)")
}
