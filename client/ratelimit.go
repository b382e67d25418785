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
	maxHeaderCount    = 1e9 // remaining, rate and burst
	maxHeaderValueLen = 20  // characters
	maxLimiterWait    = 1e9 // seconds; bounds a computed delay
)

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

// Learning the budget of a server that answers 429 without rate-limit
// headers: additive increase, multiplicative decrease around the rate the
// server was seen to accept.
const (
	// slowStartGrowth is the relative growth of the learned rate per second
	// of pacing until the first decrease: it finds the rate again quickly
	// after a cautious start.
	slowStartGrowth = 3
	// additiveGrowth is, after a decrease, the growth per second as a share
	// of the rate set by the decrease: it probes slowly for more.
	additiveGrowth = 0.01
	// maxWindow bounds the successes remembered to estimate a rate.
	maxWindow = 4096
	// minLearnedRate is the slowest pace learned from 429s.
	minLearnedRate = 1.0 / 60
)

// serverMode is what the limiter knows about the server's budget.
type serverMode int

const (
	// modeGuess: nothing is known yet; the conservative initial budget
	// covers the first burst until the first response.
	modeGuess serverMode = iota
	// modeOpen: the server answered without rate-limit headers and without
	// 429s; it is not paced.
	modeOpen
	// modeHeaders: the server's X-RateLimit-* headers give the budget.
	modeHeaders
	// modeLearned: the server answers 429 without rate-limit headers; the
	// budget is learned from its 429s.
	modeLearned
)

func (m serverMode) reason() WaitReason {
	switch m {
	case modeGuess:
		return WaitInitialBudget
	case modeHeaders:
		return WaitRateHeaders
	case modeLearned:
		return WaitLearned429
	}
	return ""
}

// bucket is a token bucket: level tokens now (it may be negative after a
// 429), refilled at rate per second up to capacity.
type bucket struct {
	rate     float64
	capacity float64
	level    float64
}

// advance adds the tokens earned in dt seconds, up to ceiling.
func (b *bucket) advance(dt, ceiling float64) {
	if dt > 0 && b.level < ceiling {
		b.level = math.Min(b.level+dt*b.rate, ceiling)
	}
}

// until is how long until the bucket holds n tokens, ignoring its ceiling.
func (b *bucket) until(n float64) time.Duration {
	deficit := n - b.level
	if deficit <= 1e-9 {
		return 0
	}
	return secondsToDuration(deficit / b.rate)
}

// limiter is the default [RateLimiter]: the adaptive limiter shared by every
// request of one Client. It paces only on evidence:
//
//   - a budget the user set with WithRateLimit (explicit), always;
//   - the server's X-RateLimit-* headers (modeHeaders);
//   - a Retry-After of a 429 or 503, which pauses everyone until then;
//   - the 429s of a server without headers, from which it learns a rate
//     (modeLearned);
//   - before any response, a conservative initial guess (modeGuess), dropped
//     when a response without headers succeeds (modeOpen: no pacing).
//
// Callers queue first come, first served. Only the head of the queue waits
// on time; the others wait for their turn. A caller that gives up leaves
// the queue without taking a token, so nobody behind it goes earlier than
// the time the budget allows, and the order is kept. When new evidence
// pushes a waiter's turn past what it can wait, it is told at once.
//
// The server bucket never holds more than its capacity minus the requests
// in flight: the server charges a request when it arrives and stops
// refilling while full, so refill our clock would count while released
// requests are still on their way may never exist at the server. Before the
// first response nothing is earned, for the same reason: the server's
// bucket starts when our first request reaches it.
type limiter struct {
	now      func() time.Time
	maxPause time.Duration // longer Retry-Afters do not pause everyone

	mu       sync.Mutex
	explicit *bucket // WithRateLimit; nil when not set
	server   bucket
	mode     serverMode
	started  bool      // a response has been seen; the server bucket refills
	last     time.Time // when the buckets were last advanced
	paused   time.Time // no request goes before; from Retry-After
	inflight int       // permits not yet released
	seq      uint64    // permits granted so far; a Permit's ID is its number
	solo     uint64    // the last permit granted while no other was in flight
	queue    []*waiter
	timer    *time.Timer // armed for the head's turn

	// Learning from 429s (modeLearned).
	opened       time.Time // when the server was last found open (modeOpen)
	openSucc     float64   // successes since then
	slowStart    bool
	baseRate     float64     // the rate the last decrease set
	decreasedAt  uint64      // seq when the rate was last decreased
	windowStart  time.Time   // since the last pause ended
	window       []time.Time // successes since windowStart, at most maxWindow
	windowBurst  float64     // tokens the server held at windowStart
	lastIncrease time.Time
}

// waiter is one caller in the queue.
type waiter struct {
	deadline time.Time     // the latest it may be granted
	ready    chan struct{} // closed when granted or refused
	granted  bool
	grantID  uint64 // the permit's ID once granted
	refusal  *RateLimitError
	reason   WaitReason // what holds it back
}

// newLimiter returns a limiter. With burst > 0 the budget of burst requests,
// then one per every, always applies (WithRateLimit); otherwise the initial
// guess DefaultRateLimitBurst / DefaultRateLimitEvery covers the first burst
// until the first response. maxPause bounds a Retry-After that pauses every
// caller.
func newLimiter(burst int, every time.Duration, maxPause time.Duration, now func() time.Time) *limiter {
	l := &limiter{now: now, maxPause: maxPause, last: now(), slowStart: true}
	if burst > 0 {
		l.explicit = &bucket{rate: 1 / every.Seconds(), capacity: float64(burst), level: float64(burst)}
		l.mode = modeOpen
		l.opened = l.last
	} else {
		l.server = bucket{rate: 1 / DefaultRateLimitEvery.Seconds(), capacity: DefaultRateLimitBurst, level: DefaultRateLimitBurst}
	}
	return l
}

// paces reports whether the server bucket limits requests.
func (l *limiter) paces() bool { return l.mode != modeOpen }

// advanceLocked brings the buckets up to now.
func (l *limiter) advanceLocked(now time.Time) {
	dt := now.Sub(l.last).Seconds()
	if dt <= 0 {
		return
	}
	l.last = now
	if !l.started {
		// Nothing is earned before the first response (or the first
		// request's end): the server's bucket starts when our first
		// request reaches it, which may be a connection set-up later, and
		// a budget that ran from our start would send the next requests
		// ahead of its schedule.
		return
	}
	if l.explicit != nil {
		l.explicit.advance(dt, l.explicit.capacity)
	}
	if l.paces() {
		l.server.advance(dt, l.server.capacity-float64(l.inflight))
	}
}

// turnLocked is how long until the k-th waiter from now (k from 1) may go,
// and what holds it, ignoring the server bucket's ceiling (which only a
// release lifts; see heldByEventsLocked).
func (l *limiter) turnLocked(now time.Time, k float64) (d time.Duration, reason WaitReason) {
	if p := l.paused.Sub(now); p > 0 {
		d, reason = p, WaitRetryAfter
	}
	if l.explicit != nil {
		if e := l.explicit.until(k); e > d {
			d, reason = e, WaitExplicitBudget
		}
	}
	if l.paces() {
		// Before the first response nothing is earned; the estimate is what
		// the guess's rate would take.
		s := l.server.until(k)
		if reason == WaitRetryAfter && s <= d+time.Millisecond {
			// A turn within a millisecond of the pause's end is the
			// pause's: Retry-After is the reason to report.
			s = 0
		}
		if s > d {
			d, reason = s, l.mode.reason()
		}
	}
	return d, reason
}

// takeLocked charges one request to the buckets.
func (l *limiter) takeLocked() Permit {
	if l.explicit != nil {
		l.explicit.level--
	}
	if l.paces() {
		l.server.level--
	}
	l.inflight++
	l.seq++
	if l.inflight == 1 {
		l.solo = l.seq
	}
	return Permit{ID: l.seq}
}

// Acquire implements [RateLimiter].
func (l *limiter) Acquire(ctx context.Context, maxWait time.Duration) (Permit, error) {
	if err := ctx.Err(); err != nil {
		return Permit{}, err
	}
	l.mu.Lock()
	now := l.now()
	l.advanceLocked(now)
	if len(l.queue) == 0 {
		if d, _ := l.turnLocked(now, 1); d == 0 {
			p := l.takeLocked()
			l.mu.Unlock()
			return p, nil
		}
	}
	d, reason := l.turnLocked(now, float64(len(l.queue)+1))
	if d > maxWait && l.evidenceLocked(reason) {
		l.mu.Unlock()
		return Permit{}, &RateLimitError{Wait: d, MaxWait: maxWait, Reason: reason}
	}
	w := &waiter{deadline: now.Add(maxWait), ready: make(chan struct{}), reason: reason}
	l.queue = append(l.queue, w)
	l.scheduleLocked(now)
	l.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		l.mu.Lock()
		if !w.granted && w.refusal == nil {
			l.removeLocked(w)
			l.scheduleLocked(l.now())
			l.mu.Unlock()
			return Permit{}, ctx.Err()
		}
		l.mu.Unlock()
		<-w.ready
	}
	if w.refusal != nil {
		return Permit{}, w.refusal
	}
	p := w.permit(now, l.now())
	if ctx.Err() != nil {
		// Granted as the caller gave up: the token goes to the next in line,
		// at the time it was due, so nobody goes early.
		l.giveBack()
		return Permit{}, ctx.Err()
	}
	return p, nil
}

// permit is the Permit of a granted waiter that queued at began.
func (w *waiter) permit(began, now time.Time) Permit {
	return Permit{ID: w.grantID, Waited: now.Sub(began), Reason: w.reason}
}

// evidenceLocked reports whether a wait for reason rests on evidence; a
// wait behind the initial guess before any response does not, and is not
// refused up front.
func (l *limiter) evidenceLocked(reason WaitReason) bool {
	return reason != WaitInitialBudget || l.started
}

// removeLocked takes w out of the queue.
func (l *limiter) removeLocked(w *waiter) {
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			return
		}
	}
}

// giveBack returns the token of a permit that was never used.
func (l *limiter) giveBack() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.advanceLocked(now)
	if l.explicit != nil {
		l.explicit.level++
	}
	if l.paces() {
		l.server.level++
	}
	l.inflight--
	l.scheduleLocked(now)
}

// scheduleLocked grants every waiter whose turn has come, refuses those
// whose turn now lies past their deadline, and arms the timer for the head.
func (l *limiter) scheduleLocked(now time.Time) {
	l.advanceLocked(now)
	for len(l.queue) > 0 {
		head := l.queue[0]
		d, reason := l.turnLocked(now, 1)
		if d > 0 {
			head.reason = reason
			break
		}
		l.queue = l.queue[1:]
		head.granted = true
		head.grantID = l.takeLocked().ID
		close(head.ready)
	}
	// Waiters whose turn the latest evidence pushed past their deadline
	// learn it now rather than at their deadline.
	kept := l.queue[:0]
	for _, w := range l.queue {
		d, reason := l.turnLocked(now, float64(len(kept)+1))
		if now.Add(d).After(w.deadline) && (l.evidenceLocked(reason) || !now.Before(w.deadline)) {
			w.refusal = &RateLimitError{Wait: d, MaxWait: max(0, w.deadline.Sub(now)), Reason: reason}
			close(w.ready)
			continue
		}
		kept = append(kept, w)
	}
	clear(l.queue[len(kept):])
	l.queue = kept
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.queue) == 0 {
		return
	}
	// The timer wakes the head at its turn, unless only a response or a
	// release can bring it (the guess before any response, the server
	// bucket at its ceiling), and any waiter at its deadline.
	d, _ := l.turnLocked(now, 1)
	if l.heldByEventsLocked() {
		d = maxLimiterWait * time.Second
	}
	for _, w := range l.queue {
		d = min(d, max(0, w.deadline.Sub(now)))
	}
	l.timer = time.AfterFunc(d, l.wake)
}

// heldByEventsLocked reports whether the head waits for a response or a
// release rather than for time: nothing is earned before the first
// response, and the server bucket earns nothing beyond its ceiling.
func (l *limiter) heldByEventsLocked() bool {
	if !l.started {
		return l.explicit != nil && l.explicit.level < 1 || l.paces() && l.server.level < 1
	}
	return l.paces() && l.server.level < 1 && l.server.level >= l.server.capacity-float64(l.inflight)-1e-9
}

func (l *limiter) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scheduleLocked(l.now())
}

// Observe implements [RateLimiter]: it learns from a response.
func (l *limiter) Observe(_ context.Context, p Permit, o RateObservation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.advanceLocked(now)
	l.started = true
	// A Retry-After longer than the retry policy lets anyone wait is no
	// budget to pace by: it is returned to its caller and stalls nobody.
	pause := o.HasRetryAfter && o.RetryAfter <= l.maxPause &&
		(o.StatusCode == http.StatusTooManyRequests || o.StatusCode == http.StatusServiceUnavailable)

	switch {
	case o.Rate > 0:
		l.observeHeaders(p, o)
	case l.mode == modeHeaders:
		// A response without headers from a server that sends them (a
		// proxy's answer, say) says nothing about the budget; a 429 says
		// it is spent.
		if o.StatusCode == http.StatusTooManyRequests && !pause {
			l.server.level = math.Min(l.server.level, 0)
		}
	case o.StatusCode == http.StatusTooManyRequests:
		l.observeLearned429(p, o, now, pause)
	case o.StatusCode < 500:
		// Any other answer without headers: the server took the request.
		l.observeSuccess(now)
	}
	if pause {
		if until := o.Received.Add(o.RetryAfter); until.After(l.paused) {
			l.paused = until
		}
		if l.paces() && o.StatusCode == http.StatusTooManyRequests {
			// The next request may go when the server said, not a refill
			// period later, and the rest at the pace; a learned bucket also
			// has its refill during the pause (its headers would say so).
			ra := o.RetryAfter.Seconds()
			end := 1.0
			if l.mode == modeLearned {
				end = l.refilledLocked(ra)
			}
			l.server.level = end - ra*l.server.rate
		}
	}
	l.scheduleLocked(now)
	return nil
}

// observeHeaders takes the budget from the X-RateLimit-* headers.
func (l *limiter) observeHeaders(p Permit, o RateObservation) {
	from := l.mode
	l.mode = modeHeaders
	l.server.rate = o.Rate * learnedRateShare
	switch {
	case o.Burst > 0:
		l.server.capacity = o.Burst
	case o.HasRemaining && from == modeHeaders:
		l.server.capacity = math.Max(l.server.capacity, o.Remaining+1)
	case o.HasRemaining:
		l.server.capacity = o.Remaining + 1
	}
	if !o.HasRemaining {
		if from != modeHeaders {
			l.server.level = math.Min(l.server.level, l.server.capacity)
		}
		return
	}
	// Requests of ours other than this one that are on the wire will be
	// charged too.
	others := float64(max(0, l.inflight-1))
	switch {
	case l.inflight == 1 && p.ID == l.seq && p.ID == l.solo:
		// The request was alone on the wire from its grant to now, so the
		// server's count is exact, and may let the estimate rise again.
		// (With others, even finished ones, its answer may be older than
		// theirs.)
		l.server.level = o.Remaining
	case from == modeHeaders:
		// The estimate already counts the others; some may not have
		// arrived yet.
		l.server.level = math.Min(l.server.level, o.Remaining)
	default:
		l.server.level = o.Remaining - others
	}
}

// observeSuccess learns from a response without headers that was not a
// 429 or a 5xx: the guess is dropped, and a learned rate grows.
func (l *limiter) observeSuccess(now time.Time) {
	switch l.mode {
	case modeGuess:
		l.mode, l.opened, l.openSucc = modeOpen, now, 1
	case modeOpen:
		l.openSucc++
	case modeLearned:
		if len(l.window) < maxWindow {
			l.window = append(l.window, now)
		}
		dt := now.Sub(l.lastIncrease).Seconds()
		l.lastIncrease = now
		if dt <= 0 || (len(l.queue) == 0 && l.server.level >= 1) {
			// Not using the budget: no reason to believe in more.
			return
		}
		dt = math.Min(dt, 1)
		if l.slowStart {
			l.server.rate *= 1 + slowStartGrowth*dt
		} else {
			l.server.rate += additiveGrowth * l.baseRate * dt
		}
	}
}

// observeLearned429 learns from a 429 without rate-limit headers.
func (l *limiter) observeLearned429(p Permit, o RateObservation, now time.Time, pause bool) {
	pauseEnd, ra := now, 0.0
	if pause {
		pauseEnd, ra = o.Received.Add(o.RetryAfter), o.RetryAfter.Seconds()
	}
	switch {
	case l.mode != modeLearned:
		// First 429: the server accepted openSucc requests since it was
		// found open; at most that many form its burst, and its rate is at
		// most what it accepted per second (a second at least, or the
		// Retry-After, as the span).
		span := math.Max(now.Sub(l.opened).Seconds(), math.Max(1, ra))
		if l.mode == modeGuess {
			l.openSucc = 0
		}
		l.mode = modeLearned
		l.slowStart = true
		l.server.capacity = math.Max(1, l.openSucc)
		l.server.rate = math.Max(1, l.openSucc) / span
		l.baseRate = l.server.rate
	case p.ID > l.decreasedAt:
		// A 429 to a request sent at the learned pace: the rate is too
		// high. Pace a little below the slowest refill that could have
		// accepted every request since the last pause.
		rate := learnedRateShare * l.slowestRefill()
		if rate <= 0 || rate >= l.server.rate {
			rate = l.server.rate / 2
		}
		if l.server.level >= 1 {
			// We believed the server held tokens it did not: its burst is
			// smaller.
			l.server.capacity = math.Max(1, l.server.capacity-math.Floor(l.server.level))
		}
		l.server.rate = math.Max(minLearnedRate, rate)
		l.baseRate = l.server.rate
		l.slowStart = false
	default:
		// Part of the same overshoot as an earlier 429: already counted.
		l.server.level = math.Min(l.server.level, 0)
		return
	}
	l.decreasedAt = l.seq
	l.server.level = math.Min(l.server.level, 0) // Observe sets it from a Retry-After
	// The server's bucket refills during the pause, up to its capacity.
	l.windowStart = pauseEnd
	l.window = l.window[:0]
	l.windowBurst = l.refilledLocked(ra)
	l.lastIncrease = pauseEnd
}

// refilledLocked is what the learned bucket holds after a pause of ra
// seconds from empty: the refill, up to the capacity, and at least the one
// request the server's Retry-After promises.
func (l *limiter) refilledLocked(ra float64) float64 {
	return math.Max(1, math.Min(l.server.capacity, ra*l.server.rate))
}

// slowestRefill is the slowest refill rate, in requests per second, of a
// server bucket holding windowBurst at windowStart, with the learned
// capacity, that would have accepted every success in the window; 0 when
// the window is empty. It is found by bisection: a slower refill would have
// refused one of them.
func (l *limiter) slowestRefill() float64 {
	if len(l.window) == 0 {
		return 0
	}
	accepts := func(rate float64) bool {
		level, last := l.windowBurst, l.windowStart
		for _, t := range l.window {
			if dt := t.Sub(last).Seconds(); dt > 0 {
				level = math.Min(l.server.capacity, level+dt*rate)
				last = t
			}
			if level--; level < -1e-9 {
				return false
			}
		}
		return true
	}
	lo, hi := minLearnedRate, maxHeaderCount
	if !accepts(hi) {
		return 0
	}
	for range 60 {
		mid := math.Sqrt(lo * hi)
		if accepts(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// Release implements [RateLimiter].
func (l *limiter) Release(context.Context, Permit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// Earn up to now under the old ceiling; the one this raises counts from
	// now on.
	l.advanceLocked(now)
	l.inflight--
	// A request has ended, so one has reached the server (or never will):
	// its bucket runs.
	l.started = true
	l.scheduleLocked(now)
	return nil
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
