package clientaddr

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Counter counts what each address does against an allowance: Allowance
// does it in this process, and a service of several servers shares one
// (package cluster).
type Counter interface {
	// Has reports whether addr has any allowance left.
	Has(addr string) bool
	// Spend takes one from addr's allowance, whether there was one or not.
	Spend(addr string)
	// Take takes one from addr's allowance, and reports whether there was
	// one.
	Take(addr string) bool
}

// Allowance is a token bucket for each client address (a key made by a
// Keyer, never the address itself): honest use never empties it, abuse
// always does. An address whose bucket is full again is forgotten about a
// minute later. It is safe for concurrent use.
type Allowance struct {
	burst  int
	refill time.Duration
	now    func() time.Time

	mu   sync.Mutex
	by   map[string]*rate.Limiter
	last time.Time // last sweep
}

// NewAllowance gives each address burst at once, refilled at one per
// refill; now is the clock (nil: time.Now).
func NewAllowance(burst int, refill time.Duration, now func() time.Time) *Allowance {
	if now == nil {
		now = time.Now
	}
	return &Allowance{burst: burst, refill: refill, now: now, by: map[string]*rate.Limiter{}}
}

// Has reports whether addr has any allowance left.
func (l *Allowance) Has(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.by[addr]
	return lim == nil || lim.TokensAt(l.now()) >= 1
}

// Spend takes one from addr's allowance, whether there was one or not: a
// wrong guess counts even when the allowance is gone.
func (l *Allowance) Spend(addr string) { l.Take(addr) }

// Take takes one from addr's allowance, and reports whether there was one.
func (l *Allowance) Take(addr string) bool {
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
