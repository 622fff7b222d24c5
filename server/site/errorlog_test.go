package site

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestErrorLogCarriesNoAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http: TLS handshake error from 203.0.113.7:51234: remote error: tls: bad certificate",
			"http: TLS handshake error from (address): remote error: tls: bad certificate"},
		{"http: TLS handshake error from [2001:db8::1]:443: EOF", "http: TLS handshake error from (address): EOF"},
		{"http: panic serving [::1]:6060: boom", "http: panic serving (address): boom"},
		{"http: panic serving 127.0.0.1:80: boom", "http: panic serving (address): boom"},
		{"fe80::1%eth0 and ::ffff:10.0.0.1", "(address) and (address)"},
		{"http: Accept error: too many open files; retrying in 5ms", "http: Accept error: too many open files; retrying in 5ms"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		ErrorLog(zerolog.New(&buf).Level(zerolog.DebugLevel)).Print(tt.in)
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("logged %s, want %q in it", buf.String(), tt.want)
		}
	}
}
