// Package tokenbucket is the server side of an API key's rate budget, as
// CloudConnexa enforces it: a burst of requests at once, then a steady
// refill. The fake server, the benchmarks' servers and the tests' servers
// all charge requests through it, so they agree on the arithmetic the
// client's limiter is measured against.
package tokenbucket

import (
	"math"
	"time"
)

// Bucket is one key's budget. It starts full. It is not safe for
// concurrent use: its owner serializes calls to Take.
type Bucket struct {
	burst     float64
	perSecond float64
	tokens    float64
	last      time.Time
}

// New returns a full bucket of burst tokens that refills perSecond tokens a
// second.
func New(burst, perSecond float64) *Bucket {
	return &Bucket{burst: burst, perSecond: perSecond, tokens: burst}
}

// Take charges one request arriving at now. ok reports whether a token was
// there; remaining is the whole tokens left; wait is how long until the next
// token, 0 when ok.
func (b *Bucket) Take(now time.Time) (ok bool, remaining int, wait time.Duration) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(b.burst, b.tokens+el.Seconds()*b.perSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, int(b.tokens), 0
	}
	return false, 0, time.Duration((1 - b.tokens) / b.perSecond * float64(time.Second))
}
