package client

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// RateLimiter paces the API requests of a [Client]. The default is an
// adaptive limiter private to one Client (see docs/retries-and-rate-limits.md);
// [WithRateLimiter] supplies another, for example one that shares an API
// key's budget between processes through a network store.
//
// # Who calls what, when
//
// For every attempt of every API request (token requests are not paced) the
// Client calls, from the goroutine making the call:
//
//  1. Acquire, before sending. On success the attempt holds the returned
//     [Permit].
//  2. Observe, at most once per Permit, when a response (any status, 2xx,
//     429 and 5xx included) has arrived, with what its headers say. It is
//     not called when the attempt got no response (a network failure, the
//     context ending). A 429 or 503 with a Retry-After is the server's word
//     for every caller of the key: a limiter should hold every Acquire until
//     Received+RetryAfter, for at most a minute (the cap of every pause; see
//     docs/retries-and-rate-limits.md). The Client waits the Retry-After out
//     for the caller that got it, within that caller's MaxElapsed.
//  3. Release, exactly once per Permit that Acquire returned without error,
//     after Observe if there was a response, whatever the outcome.
//
// Methods are called concurrently from many goroutines and must be safe for
// that. Every method gets the call's context (a store round-trip should
// honour it) and may fail.
//
// # Acquire
//
// Acquire returns when one request may be sent. maxWait (>= 0) is the
// longest the caller can wait: what is left of the retry policy's
// MaxElapsed and of the context's deadline. If the budget will not allow
// the request within maxWait, Acquire must not wait at all: it returns at
// once a [*RateLimitError] (which matches [ErrRateLimited]) saying how long
// the budget is exhausted for, and takes nothing from the budget. If ctx
// ends while waiting, Acquire returns an error wrapping ctx.Err(), and the
// caller's place is given back without letting any other waiter go earlier
// than it would have; the order of the other waiters is kept.
//
// # Failures
//
// A failing limiter never fails calls. Any error from Acquire other than a
// *RateLimitError or the context's error means the limiter is broken: the
// Client logs a warning and paces that attempt with a local adaptive limiter
// instead (the one it would use by default), which also sees every
// response, so it is up to date when needed. Errors from Observe and
// Release are logged as warnings and otherwise ignored.
type RateLimiter interface {
	Acquire(ctx context.Context, maxWait time.Duration) (Permit, error)
	Observe(ctx context.Context, p Permit, o RateObservation) error
	Release(ctx context.Context, p Permit) error
}

// Permit is what [RateLimiter.Acquire] grants: the right to send one
// request, until it is released.
type Permit struct {
	// ID lets the limiter recognize the permit in Observe and Release; the
	// Client never looks at it.
	ID uint64
	// Waited is how long Acquire waited for the budget, 0 when it did not.
	Waited time.Duration
	// Reason says why it waited; empty when Waited is 0. The Client logs it.
	Reason WaitReason
}

// WaitReason names the evidence a limiter waited on.
type WaitReason string

// Reasons used by the default limiter; other implementations may use their own.
const (
	// WaitRateHeaders: the server's X-RateLimit-* headers say the budget is spent.
	WaitRateHeaders WaitReason = "rate-limit headers"
	// WaitRetryAfter: a 429 or 503 said Retry-After.
	WaitRetryAfter WaitReason = "Retry-After"
	// WaitLearned429: the rate learned from a server's 429s that sends no
	// rate-limit headers.
	WaitLearned429 WaitReason = "learned 429 rate"
	// WaitExplicitBudget: the budget set with [WithRateLimit].
	WaitExplicitBudget WaitReason = "WithRateLimit budget"
	// WaitInitialBudget: the conservative initial budget that covers the
	// first burst before any response has arrived.
	WaitInitialBudget WaitReason = "initial budget"
)

// RateObservation is what one API response says about the API key's budget,
// parsed once by the Client so implementations of [RateLimiter] need not
// read headers. A shared store can order observations from several
// processes by ServerDate, then Received ("newest wins").
type RateObservation struct {
	// Received is when the response headers arrived, by the Client's clock.
	Received time.Time
	// ServerDate is the response's Date header (second resolution), zero
	// when absent or malformed.
	ServerDate time.Time
	// StatusCode is the response's HTTP status.
	StatusCode int

	// RetryAfter is the response's Retry-After (delta-seconds or HTTP-date,
	// relative to Received; a past date is 0), valid when HasRetryAfter.
	// Values over 24 hours are treated as absent.
	RetryAfter    time.Duration
	HasRetryAfter bool

	// Remaining is X-RateLimit-Remaining, valid when HasRemaining.
	Remaining    float64
	HasRemaining bool
	// Burst is X-RateLimit-Burst-Capacity, 0 when absent or invalid (it is
	// at least 1 when set).
	Burst float64
	// Rate is the refill rate in requests per second,
	// X-RateLimit-Replenish-Rate / X-RateLimit-Replenish-Time; 0 when either
	// is absent or invalid, or when it is slower than one request per hour
	// (no real budget means that, and honouring it could stall callers for
	// days).
	Rate float64
}

// evidence is what the pacing core learns from the observation of the
// response to permit p.
func (o RateObservation) evidence(p Permit) pacing.Evidence {
	return pacing.Evidence{
		Permit: p.ID, Received: o.Received, Status: o.StatusCode,
		RetryAfter: o.RetryAfter, HasRetryAfter: o.HasRetryAfter,
		Remaining: o.Remaining, HasRemaining: o.HasRemaining,
		Burst: o.Burst, Rate: o.Rate,
	}
}

// HasRateHeaders reports whether the response carried any usable
// X-RateLimit-* value: evidence that the server paces by headers.
func (o RateObservation) HasRateHeaders() bool {
	return o.HasRemaining || o.Burst > 0 || o.Rate > 0
}

// PerRequest is how long the server takes to add one request to the budget,
// 0 when the rate is unknown.
func (o RateObservation) PerRequest() time.Duration {
	if o.Rate <= 0 {
		return 0
	}
	return pacing.Seconds(1 / o.Rate)
}

// NewRateObservation parses the headers of a response with the given status
// received at received. It never fails: missing, malformed, negative or
// absurd values are left unset.
func NewRateObservation(h http.Header, status int, received time.Time) RateObservation {
	o := RateObservation{Received: received, StatusCode: status}
	if d := headerValue(h, "Date"); d != "" && len(d) <= 64 {
		if t, err := http.ParseTime(d); err == nil {
			o.ServerDate = t
		}
	}
	o.RetryAfter, o.HasRetryAfter = httpsafe.ParseRetryAfter(headerValue(h, "Retry-After"), received)
	if v, ok := parseCount(headerValue(h, headerRemaining)); ok {
		o.Remaining, o.HasRemaining = v, true
	}
	if v, ok := parseCount(headerValue(h, headerBurst)); ok && v >= 1 {
		o.Burst = v
	}
	rate, okRate := parseCount(headerValue(h, headerReplenishRate))
	period, okPeriod := parseCount(headerValue(h, headerReplenishTime))
	if okRate && okPeriod && rate > 0 && period > 0 {
		if r := rate / period; r >= pacing.MinHeaderRate {
			o.Rate = r
		}
	}
	return o
}

// headerValue is h.Get(key) for a key already in canonical form (as every
// key here is; TestRateHeadersCanonical), without canonicalizing it again
// on every response.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// RateLimitError reports that the client-side budget would make a call wait
// longer than it may: past its context's deadline or its retry policy's
// MaxElapsed. The call was not sent (again). It matches [ErrRateLimited].
type RateLimitError struct {
	// Wait is how long the budget is exhausted for: when the request could
	// have been sent, from now.
	Wait time.Duration
	// MaxWait is how long the call could still wait.
	MaxWait time.Duration
	// Reason is the evidence behind the wait.
	Reason WaitReason
}

// Error formats the error as
// "cloudconnexa: rate limit budget exhausted for 12s (Retry-After), more than the call may wait (3s)".
func (e *RateLimitError) Error() string {
	s := "cloudconnexa: rate limit budget exhausted for " + e.Wait.Round(time.Millisecond).String()
	if e.Reason != "" {
		s += " (" + string(e.Reason) + ")"
	}
	return s + ", more than the call may wait (" + e.MaxWait.Round(time.Millisecond).String() + ")"
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// WithRateLimiter replaces the default adaptive limiter with l (see
// [RateLimiter]). The budget of [WithRateLimit], if given, then applies to
// the local limiter the Client falls back on when l fails.
func WithRateLimiter(l RateLimiter) Option {
	return func(c *config) {
		if l == nil {
			c.fail("WithRateLimiter: limiter is nil (use WithoutRateLimit to disable pacing)")
			return
		}
		c.rateLimiter = l
	}
}
