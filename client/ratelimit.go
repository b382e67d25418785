package client

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Rate-limit response headers of the CloudConnexa API, in the canonical
// form net/http stores them under ("RateLimit" canonicalizes to
// "Ratelimit"): http.Header.Get returns a canonical key as it is, but builds
// a canonical copy of any other on every call.
const (
	headerRemaining     = "X-Ratelimit-Remaining"
	headerReplenishRate = "X-Ratelimit-Replenish-Rate"
	headerReplenishTime = "X-Ratelimit-Replenish-Time"
	headerBurst         = "X-Ratelimit-Burst-Capacity"
)

// Bounds of believable header values; anything outside is ignored.
const (
	maxHeaderCount    = 1e9       // remaining, rate and burst
	maxReplenishTime  = 7 * 86400 // seconds
	maxHeaderValueLen = 20        // characters
	maxLimiterWait    = 1e9       // seconds; bounds a computed delay
)

// rateInfo is what one response says about the API key's budget. Fields
// whose header was missing or malformed are left unset.
type rateInfo struct {
	remaining    float64
	hasRemaining bool
	burst        float64
	hasBurst     bool
	rate         float64 // tokens per second; 0 when unknown
}

// perToken is how long the server takes to add one token, 0 when unknown.
func (ri rateInfo) perToken() time.Duration {
	if ri.rate <= 0 {
		return 0
	}
	return secondsToDuration(1 / ri.rate)
}

// parseRateLimitHeaders reads the X-RateLimit-* headers. It never fails:
// missing, malformed, negative or absurdly large values are ignored. The
// rate needs both Replenish-Rate and Replenish-Time.
func parseRateLimitHeaders(h http.Header) rateInfo {
	var ri rateInfo
	if v, ok := parseCount(h.Get(headerRemaining)); ok {
		ri.remaining, ri.hasRemaining = v, true
	}
	if v, ok := parseCount(h.Get(headerBurst)); ok && v >= 1 {
		ri.burst, ri.hasBurst = v, true
	}
	rate, okRate := parseCount(h.Get(headerReplenishRate))
	period, okPeriod := parseCount(h.Get(headerReplenishTime))
	if okRate && okPeriod && rate > 0 && period > 0 && period <= maxReplenishTime {
		ri.rate = rate / period
	}
	return ri
}

// parseCount accepts a plain non-negative decimal number ("12", "0.5"): no
// sign, exponent, hex, Inf or NaN, at most maxHeaderCount.
func parseCount(s string) (float64, bool) {
	if s == "" || len(s) > maxHeaderValueLen {
		return 0, false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v > maxHeaderCount {
		return 0, false
	}
	return v, true
}

// learnedRateShare is the share of the server's advertised replenish rate
// the limiter paces at. Our clock and the server's differ by when requests
// arrive; pacing exactly at the server's rate turns any delay on the way
// into an occasional 429, which costs a whole second of Retry-After, while
// 2 % of margin costs 2 % of throughput.
const learnedRateShare = 0.98

// limiter is a token bucket shared by every request of one Client. It works
// like golang.org/x/time/rate's reservations (the budget may go negative and
// each caller waits for its own turn, first come first served) but its rate,
// capacity and level are corrected from the server's headers, and waiting
// callers recompute their turn when the rate changes.
//
// Bookkeeping uses two counters: issued counts tokens handed out (including
// to callers still waiting) and avail counts tokens made available, so the
// bucket level is avail-issued and the caller holding ticket n may go once
// avail >= n.
//
// avail never exceeds the ceiling done+capacity, done being issued-inflight:
// the tickets whose requests have finished or were given back. The server's bucket is charged
// when a request arrives, not when we let it go, and it stops refilling
// while full: if requests we released are still on their way (a connection
// being set up, a busy machine), the server's full bucket loses the refill
// that our own clock would have counted, and the requests we release next
// would be early and get 429s. A request that has finished has certainly
// arrived, so done+capacity is a ceiling the server's budget cannot be
// below.
type limiter struct {
	now func() time.Time

	mu       sync.Mutex
	rate     float64 // tokens per second
	capacity float64
	avail    float64
	issued   float64
	last     time.Time     // when avail was last advanced
	inflight int           // callers between acquire and release
	started  bool          // an attempt has completed; see advanceLocked
	changed  chan struct{} // closed and replaced when turns move earlier
}

func newLimiter(burst int, every time.Duration, now func() time.Time) *limiter {
	return &limiter{
		now:      now,
		rate:     1 / every.Seconds(),
		capacity: float64(burst),
		avail:    float64(burst),
		last:     now(),
		changed:  make(chan struct{}),
	}
}

// advanceLocked adds the tokens earned since the last call, up to capacity.
// Nothing is earned before the first attempt completes: the server's
// bucket starts refilling when our first request reaches it, which can be a
// connection set-up later than our first reservation, and starting our clock
// early would send the first queued requests ahead of its schedule.
func (l *limiter) advanceLocked(now time.Time) {
	if !l.started {
		l.last = now
		return
	}
	if dt := now.Sub(l.last).Seconds(); dt > 0 {
		l.avail = math.Min(l.avail+dt*l.rate, l.ceilingLocked())
		l.last = now
	}
}

// ceilingLocked is the most avail may be; see limiter.
func (l *limiter) ceilingLocked() float64 {
	return l.issued - float64(l.inflight) + l.capacity
}

// delayLocked is how long ticket n still has to wait.
func (l *limiter) delayLocked(n float64) time.Duration {
	deficit := n - l.avail
	if deficit <= 1e-9 {
		return 0
	}
	return secondsToDuration(deficit / l.rate)
}

func (l *limiter) broadcastLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// reserve takes the next ticket and returns it with its current delay and
// the channel that announces earlier turns. The caller counts as in flight
// until release or cancel.
func (l *limiter) reserve() (ticket float64, delay time.Duration, changed <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.advanceLocked(l.now())
	l.inflight++
	l.issued++
	return l.issued, l.delayLocked(l.issued), l.changed
}

// recheck recomputes a waiting ticket's delay after a wake-up.
func (l *limiter) recheck(ticket float64) (time.Duration, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.advanceLocked(l.now())
	return l.delayLocked(ticket), l.changed
}

// cancel returns an unused ticket's token to the bucket and ends the
// caller's flight.
func (l *limiter) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.advanceLocked(l.now())
	l.avail++
	l.inflight--
	l.broadcastLocked()
}

// release ends a caller's flight after its response, if any, was observed.
func (l *limiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.startLocked(now)
	// Earn up to now under the old ceiling; the one this raises counts
	// from now on.
	l.advanceLocked(now)
	capped := l.avail >= l.ceilingLocked()
	l.inflight--
	if capped {
		// Waiters were held by the ceiling, not by time: let them
		// recompute their turns.
		l.broadcastLocked()
	}
}

func (l *limiter) startLocked(now time.Time) {
	if !l.started {
		l.advanceLocked(now)
		l.started = true
	}
}

// Acquire implements [RateLimiter]: it waits for a token, at most maxWait.
// Before any response has been seen the budget is only a guess, so a wait
// longer than maxWait is not refused up front: the caller waits for the
// first responses to correct it, up to maxWait.
func (l *limiter) Acquire(ctx context.Context, maxWait time.Duration) (Permit, error) {
	began := l.now()
	ticket, d, changed := l.reserve()
	waited := d > 0
	for d > 0 {
		left := maxWait - l.now().Sub(began)
		if d > left && (l.evidence() || left <= 0) {
			l.cancel()
			return Permit{}, &RateLimitError{Wait: d, MaxWait: maxWait, Reason: WaitRateHeaders}
		}
		t := time.NewTimer(min(d, left))
		select {
		case <-ctx.Done():
			t.Stop()
			l.cancel()
			return Permit{}, ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
		d, changed = l.recheck(ticket)
	}
	p := Permit{}
	if waited {
		p.Waited, p.Reason = l.now().Sub(began), WaitRateHeaders
	}
	return p, nil
}

// evidence reports whether a response has been seen.
func (l *limiter) evidence() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started
}

// Observe implements [RateLimiter].
func (l *limiter) Observe(_ context.Context, _ Permit, o RateObservation) error {
	ri := rateInfo{remaining: o.Remaining, hasRemaining: o.HasRemaining, burst: o.Burst, hasBurst: o.Burst > 0, rate: o.Rate}
	ra := time.Duration(-1)
	if o.HasRetryAfter {
		ra = o.RetryAfter
	}
	l.observe(ri, o.StatusCode, ra)
	return nil
}

// Release implements [RateLimiter].
func (l *limiter) Release(context.Context, Permit) error {
	l.release()
	return nil
}

// observe learns from a response: the server's rate, capacity and remaining
// budget, and a 429's Retry-After. retryAfter < 0 means none was given.
func (l *limiter) observe(ri rateInfo, status int, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.startLocked(now)
	l.advanceLocked(now)
	earlier := false
	if rate := ri.rate * learnedRateShare; rate > 0 && rate != l.rate {
		earlier = rate > l.rate
		l.rate = rate
	}
	switch {
	case ri.hasBurst:
		l.capacity = ri.burst
	case ri.hasRemaining:
		l.capacity = math.Max(l.capacity, ri.remaining+1)
	}
	tokens := l.avail - l.issued
	if ri.hasRemaining {
		if l.inflight <= 1 {
			// Nobody else is waiting or on the wire, so the server's count
			// is exact, and may let the estimate rise again.
			earlier = earlier || ri.remaining > tokens
			tokens = ri.remaining
		} else {
			tokens = math.Min(tokens, ri.remaining)
		}
	}
	if status == http.StatusTooManyRequests {
		switch {
		case retryAfter >= 0:
			// The next token arrives exactly when the server said.
			tokens = math.Min(tokens, 1-retryAfter.Seconds()*l.rate)
		case !ri.hasRemaining:
			tokens = math.Min(tokens, 0)
		}
	}
	l.avail = math.Min(l.issued+tokens, l.ceilingLocked())
	if earlier {
		l.broadcastLocked()
	}
}

// secondsToDuration converts, rounding up so a timer never fires before the
// token is there, and bounded so absurd inputs cannot overflow.
func secondsToDuration(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	if s > maxLimiterWait {
		s = maxLimiterWait
	}
	return time.Duration(math.Ceil(s * float64(time.Second)))
}
