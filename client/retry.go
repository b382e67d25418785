package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

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
// method may be repeated unless the credentials were refused; other
// transport failures may have reached the server, so only idempotent
// methods are repeated. Certificate problems, an oversized response and a
// refused redirect do not heal by retrying.
func retryableError(err error, method string) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostnameErr      x509.HostnameError
		invalidCert      x509.CertificateInvalidError
		verifyErr        *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) ||
		errors.As(err, &invalidCert) || errors.As(err, &verifyErr) ||
		errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrRedirectRefused) {
		return false
	}
	var authErr *AuthenticationError
	if errors.As(err, &authErr) {
		s := authErr.StatusCode
		return s == 0 || s == http.StatusTooManyRequests || s >= 500
	}
	return idempotent(method)
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
