package client

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
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
)

// parseCount accepts a plain non-negative decimal number ("12", "0.5"): no
// sign, exponent, hex, Inf or NaN, at most maxHeaderCount.
func parseCount(s string) (float64, bool) {
	if s == "" || len(s) > maxHeaderValueLen {
		return 0, false
	}
	dot := false
	var n uint64 // the value so far, while s has only digits
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + uint64(c-'0')
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return 0, false
		}
	}
	if !dot && len(s) <= 15 {
		// Fewer than 16 digits are exact in a float64: ParseFloat's
		// result, without its cost on every response.
		if v := float64(n); v <= maxHeaderCount {
			return v, true
		}
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v > maxHeaderCount {
		return 0, false
	}
	return v, true
}

// limiter is the default [RateLimiter]: a thin adapter that applies the
// pacing rules of internal/pacing to the requests of one Client. It owns
// the clock, the lock and the queue; every decision is the core's.
//
// Callers queue first come, first served. Only the head of the queue waits
// on time; the others wait for their turn. A caller that gives up leaves
// the queue without taking a token, so nobody behind it goes earlier than
// the time the budget allows, and the order is kept. When new evidence
// pushes a waiter's turn past what it can wait, it is told at once.
type limiter struct {
	now func() time.Time

	mu    sync.Mutex
	s     pacing.State
	queue []*waiter
	timer *time.Timer // armed for the head's turn
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
// until the first response.
func newLimiter(burst int, every time.Duration, now func() time.Time) *limiter {
	return &limiter{now: now, s: pacing.New(now(), burst, every, DefaultRateLimitBurst, DefaultRateLimitEvery)}
}

// turnLocked is the core's Turn with the client's reason.
func (l *limiter) turnLocked(now time.Time, k int) (time.Duration, WaitReason) {
	d, r := l.s.Turn(now, float64(k))
	return d, WaitReason(r)
}

// Acquire implements [RateLimiter].
func (l *limiter) Acquire(ctx context.Context, maxWait time.Duration) (Permit, error) {
	if err := ctx.Err(); err != nil {
		return Permit{}, err
	}
	l.mu.Lock()
	now := l.now()
	l.s.Advance(now)
	if len(l.queue) == 0 {
		if d, _ := l.turnLocked(now, 1); d == 0 {
			id := l.s.Take()
			l.mu.Unlock()
			return Permit{ID: id}, nil
		}
	}
	d, reason := l.turnLocked(now, len(l.queue)+1)
	if d > maxWait && pacing.IsEvidence(pacing.Reason(reason)) {
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
	p := Permit{ID: w.grantID, Waited: l.now().Sub(now), Reason: w.reason}
	if ctx.Err() != nil {
		// Granted as the caller gave up: the token goes to the next in line,
		// at the time it was due, so nobody goes early.
		l.mu.Lock()
		now := l.now()
		l.s.GiveBack(now)
		l.scheduleLocked(now)
		l.mu.Unlock()
		return Permit{}, ctx.Err()
	}
	return p, nil
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

// scheduleLocked grants every waiter whose turn has come, refuses those
// whose turn now lies past their deadline, and arms the timer for the head.
func (l *limiter) scheduleLocked(now time.Time) {
	l.s.Advance(now)
	for len(l.queue) > 0 {
		head := l.queue[0]
		d, reason := l.turnLocked(now, 1)
		if d > 0 {
			head.reason = reason
			break
		}
		l.queue = l.queue[1:]
		head.granted = true
		head.grantID = l.s.Take()
		close(head.ready)
	}
	// Waiters whose turn the latest evidence pushed past their deadline
	// learn it now rather than at their deadline.
	kept := l.queue[:0]
	for _, w := range l.queue {
		d, reason := l.turnLocked(now, len(kept)+1)
		if pacing.Refused(now, d, pacing.Reason(reason), w.deadline) {
			w.refusal = &RateLimitError{Wait: d, MaxWait: max(0, w.deadline.Sub(now)), Reason: reason}
			close(w.ready)
			continue
		}
		kept = append(kept, w)
	}
	clear(l.queue[len(kept):])
	l.queue = kept
	l.s.Waiting = len(l.queue)
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.queue) == 0 {
		return
	}
	// The timer wakes the head at its turn, unless only a response or a
	// release can bring it, and any waiter at its deadline.
	d, _ := l.turnLocked(now, 1)
	if l.s.HeldByEvents() {
		d = pacing.Seconds(pacing.MaxWait)
	}
	for _, w := range l.queue {
		d = min(d, max(0, w.deadline.Sub(now)))
	}
	l.timer = time.AfterFunc(d, l.wake)
}

func (l *limiter) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scheduleLocked(l.now())
}

// Observe implements [RateLimiter]: the core learns from a response.
func (l *limiter) Observe(_ context.Context, p Permit, o RateObservation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.s.Observe(now, o.evidence(p))
	l.scheduleLocked(now)
	return nil
}

// Release implements [RateLimiter].
func (l *limiter) Release(context.Context, Permit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.s.Release(now)
	l.scheduleLocked(now)
	return nil
}
