package place

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// failLimiter counts wrong room codes and tokens per client address. Honest
// connections cost nothing: a whole classroom behind one address joins
// freely, while guessing codes is slowed to about one every few seconds.
//
// A guesser may share its address with a classroom (a school's NAT). Once
// the address has used up its allowance, its codes reach only the places
// that devices from the same address are already in (Directory.near), and every
// other code, right or wrong, is answered alike: rate-limited. The class
// keeps joining its trainer's rooms; the guesser learns nothing.
type failLimiter struct {
	burst  int
	refill time.Duration
	now    func() time.Time

	mu   sync.Mutex
	by   map[string]*rate.Limiter
	last time.Time // last sweep
}

func newFailLimiter(burst int, refill time.Duration, now func() time.Time) *failLimiter {
	return &failLimiter{burst: burst, refill: refill, now: now, by: map[string]*rate.Limiter{}}
}

// allow reports whether addr may try another code.
func (l *failLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.by[addr]
	return lim == nil || lim.TokensAt(l.now()) >= 1
}

// fail counts a wrong guess from addr.
func (l *failLimiter) fail(addr string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.by[addr]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.refill), l.burst)
		l.by[addr] = lim
	}
	lim.AllowN(now, 1)
	// Forget addresses whose allowance has filled up again.
	if now.Sub(l.last) > time.Minute {
		l.last = now
		for a, lim := range l.by {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.by, a)
			}
		}
	}
}
