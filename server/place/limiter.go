package place

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// perAddress is a token bucket for each client address (a hashed key,
// never the address itself): honest use never empties it, abuse always
// does. An address whose bucket is full again is forgotten about a minute
// later.
//
// Wrong room codes and tokens are counted this way, and so are new places
// and the knocks and spectators that reach a place. A guesser may share its
// address with a classroom (a school's NAT): once the address has used up
// its allowance for wrong codes, its codes reach only the places that
// devices from the same address are already in (Directory.near), and every
// other code, right or wrong, is answered alike: rate-limited. The class
// keeps joining its trainer's rooms; the guesser learns nothing.
type perAddress struct {
	burst  int
	refill time.Duration
	now    func() time.Time

	mu   sync.Mutex
	by   map[string]*rate.Limiter
	last time.Time // last sweep
}

func newPerAddress(burst int, refill time.Duration, now func() time.Time) *perAddress {
	return &perAddress{burst: burst, refill: refill, now: now, by: map[string]*rate.Limiter{}}
}

// has reports whether addr has any allowance left.
func (l *perAddress) has(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.by[addr]
	return lim == nil || lim.TokensAt(l.now()) >= 1
}

// spend takes one from addr's allowance, whether there was one or not: a
// wrong guess counts even when the allowance is gone.
func (l *perAddress) spend(addr string) { l.take(addr) }

// take takes one from addr's allowance, and reports whether there was one.
func (l *perAddress) take(addr string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.by[addr]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.refill), l.burst)
		l.by[addr] = lim
	}
	ok := lim.AllowN(now, 1)
	// Forget addresses whose allowance has filled up again.
	if now.Sub(l.last) > time.Minute {
		l.last = now
		for a, lim := range l.by {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.by, a)
			}
		}
	}
	return ok
}
