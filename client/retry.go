package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// mayRetry is the retry decision: the answer may be retried, the policy's
// attempts are not spent (a 401 resend does not count), and the delay fits
// in what is left of MaxElapsed and the context's deadline.
func (c *call) mayRetry(n next) bool {
	retries := c.attempts
	if c.resent {
		retries--
	}
	switch {
	case !n.retry:
		return false
	case !n.resend && retries >= c.p.retry.MaxAttempts:
		return false
	}
	return n.delay <= c.waitLeft()
}

// backoff is exponential backoff with equal jitter: a random duration in
// [c/2, c) for c = min(MaxDelay, BaseDelay*2^(attempt-1)); attempt counts
// from 1. Half of each delay is fixed, so the attempts of a call spread over
// a known time (0.25+0.5+1+2 s before the fifth under the default policy,
// which outlasts a one-second blip), half random, so concurrent callers do
// not retry in step.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < attempt && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxDelay)
	if ceiling <= 1 {
		return max(0, ceiling)
	}
	half := ceiling / 2
	return half + rand.N(ceiling-half)
}

// idempotent reports whether repeating a request with this method cannot
// change the outcome (RFC 9110 section 9.2.2).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableStatus reports whether a response status may be retried. 429 and
// 503 mean the server did not act, so any method may be repeated; 500, 502
// and 504 leave that open, so only idempotent methods are.
func retryableStatus(status int, method string) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent(method)
	}
	return false
}

// retryableError reports whether a failed attempt (no response) may be
// retried. A token failure means the API request was never sent, so any
// method may be repeated unless the credentials were refused; so may a
// request whose connection was never made (refused, unresolved). Other
// transport failures may have reached the server, so only idempotent
// methods are repeated. A TLS or protocol misconfiguration, an oversized
// response and a refused redirect do not heal by retrying.
func retryableError(err error, method string) bool {
	if errors.Is(err, ErrTLSMisconfigured) || errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrRedirectRefused) {
		return false
	}
	var authErr *AuthenticationError
	if errors.As(err, &authErr) {
		s := authErr.StatusCode
		return s == 0 || s == http.StatusTooManyRequests || s >= 500
	}
	return idempotent(method) || httpsafe.NothingSent(err)
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryDelay picks the wait before retrying a non-2xx answer: the server's
// Retry-After; else, when the rate-limit headers say the budget is spent,
// the time for one request (left to the limiter, which has just learned it,
// when there is one); else exponential backoff.
func (p *pipeline) retryDelay(attempt int, o RateObservation) time.Duration {
	if o.HasRetryAfter {
		return o.RetryAfter
	}
	if o.HasRemaining && o.Remaining < 1 && o.Rate > 0 {
		if p.limiter != nil {
			return 0
		}
		return o.PerRequest()
	}
	return p.retry.backoff(attempt)
}

// errorDelay picks the wait before retrying an attempt that got no API
// answer: a token response's Retry-After, else exponential backoff.
func (p *pipeline) errorDelay(attempt int, err error) time.Duration {
	var authErr *AuthenticationError
	if errors.As(err, &authErr) && authErr.RetryAfter > 0 {
		return authErr.RetryAfter
	}
	return p.retry.backoff(attempt)
}
