package client

import (
	"errors"
	"net/http"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// ErrTLSMisconfigured is wrapped by the error (a [*RequestError]) of a call
// that met a permanent TLS or protocol mismatch, with the API or its token
// endpoint: an https base URL to a plain-HTTP port, no TLS version or
// cipher suite in common, a client certificate required, a server
// certificate that does not verify. It is not retried; the error names the
// cause.
var ErrTLSMisconfigured = errors.New("cloudconnexa: TLS misconfigured")

// misconfiguredError is a failed attempt whose cause is a misconfiguration.
type misconfiguredError struct {
	cause string
	err   error // the transport's error
}

func (e *misconfiguredError) Error() string {
	return "TLS misconfigured: " + e.cause + " (" + rootCause(e.err).Error() + ")"
}

func (e *misconfiguredError) Unwrap() []error { return []error{ErrTLSMisconfigured, e.err} }

// rootCause is err without the token request's AuthenticationError around
// it: the misconfiguration is the connection's, not the credentials'.
func rootCause(err error) error {
	var authErr *AuthenticationError
	if errors.As(err, &authErr) && authErr.StatusCode == 0 && authErr.Err != nil {
		return authErr.Err
	}
	return err
}

// classifyFailure names a failed attempt's permanent misconfiguration, if
// it is one (see [ErrTLSMisconfigured]); any other error is returned as is.
func classifyFailure(err error) error {
	if cause := httpsafe.Misconfiguration(err); cause != "" {
		return &misconfiguredError{cause: cause, err: err}
	}
	return err
}

// next is what one attempt's outcome means for the call: done (with the
// call's result or error), or another attempt after delay if the retry
// policy allows it.
type next struct {
	done  bool
	resp  *http.Response
	err   error
	delay time.Duration
	retry bool // the answer may be retried (see retry.go)
	// resend: a 401 answered a token that was just invalidated; the
	// request goes once more, paced like any other, with a fresh token.
	// It is re-authentication, not a retry: the retry policy's attempts
	// do not count it.
	resend bool
}

// classify reads one attempt's outcome: a usable 2xx ends the call, a
// limiter that cannot let the attempt go in time or an ended context end
// it with an error, anything else becomes c.last and says whether and when
// to try again.
func (c *call) classify(resp *http.Response, err error) next {
	p, req, ctx := c.p, c.req, c.req.Context()
	var rlErr *RateLimitError
	switch {
	case errors.As(err, &rlErr):
		// The budget cannot let this attempt go in time: the answer that
		// made us retry (a 429, typically) says more than the limiter.
		if c.last != nil {
			return next{done: true, err: c.last}
		}
		return next{done: true, err: c.fail(err, c.attempts-1)}
	case err != nil:
		if ctxErr := ctx.Err(); ctxErr != nil {
			if !errors.Is(err, ctxErr) {
				err = ctxErr
			}
			return next{done: true, err: c.fail(err, c.attempts)}
		}
		err = classifyFailure(err)
		c.last = c.fail(err, c.attempts)
		return next{retry: retryableError(err, req.Method), delay: p.errorDelay(c.attempts, err)}
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if err := c.checkSuccess(resp, c.body, c.attempts); err != nil {
			return next{done: true, err: err}
		}
		resp.Body = newReadBody(c.body, c.decoded)
		return next{done: true, resp: resp}
	}
	o := NewRateObservation(resp.Header, resp.StatusCode, p.now())
	c.last = newAPIError(resp, c.body, req, c.operation(), c.attempts, o.RetryAfter, p.redact)
	if resp.StatusCode == http.StatusUnauthorized && !c.resent && ctx.Err() == nil {
		c.resent = true
		return next{retry: true, resend: true}
	}
	return next{
		retry: retryableStatus(resp.StatusCode, req.Method) && ctx.Err() == nil,
		delay: p.retryDelay(c.attempts, o),
	}
}
