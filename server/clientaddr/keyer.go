// Package clientaddr is what the server knows of a client's address: a key
// to count by, never the address itself. Limits per address (wrong codes,
// new rooms, knocks, deck checks) count by these keys.
package clientaddr

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
)

// Keyer turns requests into address keys: the client's address (or, with
// TrustProxy, the address the proxy saw), an IPv6 address by its /64 since
// one home or phone holds a whole /64, hashed with a salt that lives in
// memory only, so that no address is kept anywhere. A key is never logged.
type Keyer struct {
	salt       atomic.Pointer[[16]byte]
	trustProxy bool
}

// New makes a keyer with a salt of its own. trustProxy takes the address
// from the last X-Forwarded-For entry, which the server's own proxy sets:
// use it only when nothing but that proxy can reach the server.
func New(trustProxy bool) *Keyer {
	k := &Keyer{trustProxy: trustProxy}
	var salt [16]byte
	rand.Read(salt[:]) // never fails
	k.salt.Store(&salt)
	return k
}

// Share makes the keyer key addresses with salt, which the servers of a
// service share (it too lives only in memory: in NATS's, while the service
// runs), so that the limits they share count an address as one.
func (k *Keyer) Share(salt [16]byte) { k.salt.Store(&salt) }

// Key returns the key of r's client.
func (k *Keyer) Key(r *http.Request) string {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if k.trustProxy {
		// The proxy appends the address it saw; whatever comes before it
		// is what the client claimed, and anybody can claim anything.
		if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
			list := strings.Split(v[len(v)-1], ",")
			if last := strings.TrimSpace(list[len(list)-1]); last != "" {
				addr = last
			}
		}
	}
	if ip, ok := parseIP(addr); ok {
		ip = ip.Unmap().WithZone("")
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			addr = p.String()
		} else {
			addr = ip.String()
		}
	}
	salt := k.salt.Load()
	sum := sha256.Sum256(append(salt[:], addr...))
	return hex.EncodeToString(sum[:12])
}

// parseIP reads an address as proxies write it: bare, in brackets, or with
// a port.
func parseIP(s string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	return ip, err == nil
}
