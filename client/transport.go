package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// maxDrain bounds how much of an error body is read past maxErrorBody so
// the connection can be reused.
const maxDrain = 256 << 10

// pipeline is the gen.HTTPRequestDoer behind every generated method: per
// attempt it waits for the rate limiter, sends the request (its body
// replayed) through the auth-signing client, learns from the rate-limit
// headers, and turns non-2xx answers into *APIError named after the
// operation, retrying where that is safe.
type pipeline struct {
	http      *http.Client // Transport signs requests (auth.Transport)
	limiter   RateLimiter  // nil without client-side rate limiting
	fallback  RateLimiter  // paces when limiter fails; nil when limiter is the local one
	retry     RetryPolicy
	logger    *slog.Logger
	basePath  string // escaped path prefix of the base URL, "" or "/prefix"
	userAgent string
	maxBody   int64
	now       func() time.Time
	timeout   time.Duration                         // per attempt, 0 for none
	token     func(context.Context) (string, error) // the Authenticator's
	// redact is the Authenticator's Redact, applied to every text built
	// from a server's answer.
	redact func(string) string
	// limiterFailing is set from limiter's first failure until it works
	// again: one warning per outage, not one per call.
	limiterFailing atomic.Bool
}

// Do implements gen.HTTPRequestDoer. A non-2xx answer returns (nil,
// *APIError); a request that got no answer returns (nil, *RequestError) or,
// for a token failure, (nil, *RequestError wrapping *AuthenticationError).
func (p *pipeline) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	c := &call{p: p, req: req}
	if err := c.checkIDs(); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, c.fail(err, 0)
	}
	if req.Header.Get("User-Agent") == "" {
		// Set once on gen's request, which the pipeline owns, rather than
		// on a clone per attempt.
		req.Header.Set("User-Agent", p.userAgent)
	}
	if err := makeReplayable(req); err != nil {
		return nil, c.fail(fmt.Errorf("read request body: %w", err), 0)
	}

	start := p.now()
	var (
		last  error // what to return when retrying stops
		delay time.Duration
	)
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := sleep(ctx, delay); err != nil {
				return nil, c.fail(err, attempt-1)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, c.fail(err, attempt-1)
		}

		resp, err := c.attempt(attempt, c.waitLeft(start))
		// Attempts net/http made on its own (a request on a reused
		// connection that failed before the answer) count too.
		attempt += c.extra
		c.extra = 0
		var retry bool
		var rlErr *RateLimitError
		switch {
		case errors.As(err, &rlErr):
			// The budget cannot let this attempt go in time: the answer
			// that made us retry (a 429, typically) says more than the
			// limiter does.
			if last != nil {
				return nil, last
			}
			return nil, c.fail(err, attempt-1)
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					err = ctxErr
				}
				return nil, c.fail(err, attempt)
			}
			err = classifyFailure(err)
			last = c.fail(err, attempt)
			retry = retryableError(err, req.Method)
			delay = p.errorDelay(attempt, err)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			if err := c.checkSuccess(resp, c.body, attempt); err != nil {
				return nil, err
			}
			resp.Body = newReadBody(c.body, c.decoded)
			return resp, nil
		default:
			o := NewRateObservation(resp.Header, resp.StatusCode, p.now())
			last = newAPIError(resp, c.body, req, c.operation(), attempt, o.RetryAfter, p.redact)
			retry = retryableStatus(resp.StatusCode, req.Method) && ctx.Err() == nil
			delay = p.retryDelay(attempt, o)
		}
		if !retry || attempt >= p.retry.MaxAttempts || delay > c.waitLeft(start) {
			return nil, last
		}
		c.logRetry(resp, err, attempt, delay)
	}
}

// waitLeft is how long the call may still wait before an attempt: what is
// left of the retry policy's MaxElapsed since start, and less than what is
// left before the context's deadline (a wait ending at the deadline would
// leave no time to send).
func (c *call) waitLeft(start time.Time) time.Duration {
	now := c.p.now()
	left := c.p.retry.MaxElapsed - now.Sub(start)
	if dl, ok := c.req.Context().Deadline(); ok {
		left = min(left, dl.Sub(now)-1)
	}
	return max(0, left)
}

// attempt waits for the rate limiter, then sends. The token is fetched
// before queueing, so the limiter's timeline starts when requests can really
// go out, as the server's does, and a token failure costs no budget.
// maxWait bounds the limiter wait; a longer one fails at once with a
// *RateLimitError.
func (c *call) attempt(n int, maxWait time.Duration) (*http.Response, error) {
	p, ctx := c.p, c.req.Context()
	if p.limiter == nil {
		return c.send(n, nil, Permit{})
	}
	began := time.Now()
	if _, err := p.token(ctx); err != nil {
		c.logAttempt(nil, err, time.Since(began), n, Permit{})
		return nil, err
	}
	lim := p.limiter
	acquiring := time.Now()
	permit, err := lim.Acquire(ctx, maxWait)
	var rlErr *RateLimitError
	switch {
	case p.fallback == nil:
	case err == nil || errors.As(err, &rlErr):
		c.limiterWorks()
	case ctx.Err() == nil:
		// A broken limiter must not fail the call: pace locally, within
		// what is left of the wait.
		c.logLimiterFailure("acquire", err)
		lim = p.fallback
		permit, err = lim.Acquire(ctx, max(0, maxWait-time.Since(acquiring)))
	}
	if err != nil {
		return nil, err
	}
	c.logWait(permit)
	defer func() {
		if err := lim.Release(ctx, permit); err != nil {
			c.logLimiterFailure("release", err)
		}
	}()
	return c.send(n, lim, permit)
}

// send makes one attempt, with a fresh copy of the body if there is one,
// under the per-attempt timeout, lets the limiter learn from the response
// headers, and reads the response body into c.body: reading is part of the
// attempt, so a failure while reading is retried like one before the
// headers. A 2xx body is read up to the response cap (ErrResponseTooLarge
// beyond it), any other up to maxErrorBody, with a bounded rest drained.
func (c *call) send(attempt int, lim RateLimiter, permit Permit) (*http.Response, error) {
	p, req := c.p, c.req
	ctx := req.Context()
	var cancel context.CancelFunc
	if p.timeout > 0 {
		// The per-attempt timeout, covering the body read too, as
		// http.Client.Timeout would, but without the goroutine and timer
		// per request that http.Client needs for a wrapped Transport.
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	x := &exchange{call: c}
	ctx = x.trace(ctx)
	// The request needs no deep copy per attempt: auth.Transport signs a
	// clone and http.Client leaves it alone, except for adding a Jar's
	// cookies to its header. The first attempt sends the body the request
	// was built with (gen's, or makeReplayable's); every later one a fresh
	// copy.
	var r *http.Request
	if p.http.Jar != nil {
		r = req.Clone(ctx)
	} else {
		r = req.WithContext(ctx)
	}
	if req.GetBody != nil && attempt > 1 {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replay request body: %w", err)
		}
		r.Body = body
	}

	began := time.Now()
	resp, err := p.http.Do(r)
	if err == nil && lim != nil {
		c.observe(lim, permit, NewRateObservation(resp.Header, resp.StatusCode, p.now()))
	}
	if err == nil {
		c.body, err = c.readBody(resp)
		if err != nil {
			resp = nil
		}
	}
	took := time.Since(began)
	if n := int(x.conns.Load()) - 1 - int(x.hops.Load()); n > 0 {
		c.extra = n
	}
	if err != nil {
		// url.Error repeats the full URL; the RequestError names the
		// operation instead.
		var ue *url.Error
		if errors.As(err, &ue) && ue.Err != nil {
			err = ue.Err
		}
	}
	c.logAttempt(resp, err, took, attempt, permit)
	return resp, err
}

// observe shows a response to the limiter that paced it and, when that is
// a limiter other than the local fallback, to the fallback too, so the
// fallback knows the budget when it is needed.
func (c *call) observe(lim RateLimiter, permit Permit, o RateObservation) {
	ctx := c.req.Context()
	if err := lim.Observe(ctx, permit, o); err != nil {
		c.logLimiterFailure("observe", err)
	}
	if fb := c.p.fallback; fb != nil && fb != lim {
		_ = fb.Observe(ctx, Permit{}, o)
	}
}

// logWait logs a limiter wait over a second at Info, with its reason.
func (c *call) logWait(permit Permit) {
	p, ctx := c.p, c.req.Context()
	if permit.Waited <= time.Second || !p.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	p.logger.LogAttrs(ctx, slog.LevelInfo, "cloudconnexa: waited for the rate limit budget",
		slog.String("operation", c.operation().ID),
		slog.Duration("wait", permit.Waited),
		slog.String("reason", string(permit.Reason)))
}

// logLimiterFailure reports that a RateLimiter method failed; the call goes
// on. The first failure of an outage is a warning, the rest Debug records.
func (c *call) logLimiterFailure(method string, err error) {
	p, ctx := c.p, c.req.Context()
	level := slog.LevelWarn
	if p.limiterFailing.Swap(true) {
		level = slog.LevelDebug
	}
	if !p.logger.Enabled(ctx, level) {
		return
	}
	p.logger.LogAttrs(ctx, level, "cloudconnexa: rate limiter failed; pacing locally",
		slog.String("operation", c.operation().ID),
		slog.String("method", method),
		slog.String("error", c.p.redact(err.Error())))
}

// limiterWorks notes that the RateLimiter answered; after an outage it
// logs, once, that pacing is shared again.
func (c *call) limiterWorks() {
	p, ctx := c.p, c.req.Context()
	if !p.limiterFailing.Load() || !p.limiterFailing.Swap(false) {
		return
	}
	p.logger.LogAttrs(ctx, slog.LevelInfo, "cloudconnexa: rate limiter works again",
		slog.String("operation", c.operation().ID))
}

// logAttempt writes the Debug record of one attempt: never headers, bodies
// or the query, which the caller may consider private.
func (c *call) logAttempt(resp *http.Response, err error, took time.Duration, attempt int, permit Permit) {
	p, req, ctx := c.p, c.req, c.req.Context()
	if !p.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	op := c.operation()
	attrs := []slog.Attr{
		slog.String("operation", op.ID),
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.p.redact(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Duration("duration", took), slog.Int("attempt", attempt), slog.Duration("wait", permit.Waited))
	if permit.Reason != "" {
		attrs = append(attrs, slog.String("wait_reason", string(permit.Reason)))
	}
	p.logger.LogAttrs(ctx, slog.LevelDebug, "cloudconnexa: request", attrs...)
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

func (c *call) logRetry(resp *http.Response, err error, attempt int, delay time.Duration) {
	p, ctx := c.p, c.req.Context()
	if !p.logger.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := []slog.Attr{slog.String("operation", c.operation().ID)}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.p.redact(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Int("attempt", attempt), slog.Duration("delay", delay))
	p.logger.LogAttrs(ctx, slog.LevelWarn, "cloudconnexa: retrying", attrs...)
}

// checkIDs refuses a request with an invalid path segment (see
// ErrInvalidID), naming its operation as if the segment were valid.
func (c *call) checkIDs() error {
	path := c.req.URL.EscapedPath()
	rest, ok := strings.CutPrefix(path, c.p.basePath)
	if !ok {
		return nil
	}
	bad, id, err := checkPath(rest)
	if err == nil {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	segs[bad] = "-"
	c.op = operations().lookup(c.req.Method, "/"+strings.Join(segs, "/"))
	c.op.ResourceID, c.named = id, true
	return err
}

// call is one Do: the pipeline, gen's request, and the request's operation
// once something needs it.
type call struct {
	p     *pipeline
	req   *http.Request
	op    opInfo
	named bool

	body    []byte // the last attempt's response body
	decoded any    // c.body decoded by the 2xx check, if it was
	limited io.LimitedReader
	extra   int          // attempts net/http made itself in the last attempt
	hops    atomic.Int32 // redirects followed over all attempts
}

// operation names the call's operation on first use: the lookup walks the
// operation table, and only errors and log records need the name.
func (c *call) operation() opInfo {
	if !c.named {
		c.op, c.named = c.p.operation(c.req), true
	}
	return c.op
}

// fail wraps err, the reason the call got no answer, in a *RequestError.
func (c *call) fail(err error, attempts int) error {
	op := c.operation()
	return &RequestError{Operation: op.ID, ResourceID: op.ResourceID, Method: c.req.Method, Path: c.req.URL.Path, Attempts: attempts, Err: err}
}

// operation names the operation behind req from its method and path.
func (p *pipeline) operation(req *http.Request) opInfo {
	path := req.URL.EscapedPath()
	if p.basePath != "" {
		rest, ok := strings.CutPrefix(path, p.basePath)
		if !ok {
			return opInfo{}
		}
		path = rest
	}
	return operations().lookup(req.Method, path)
}

// makeReplayable makes sure every attempt can get a fresh body: requests
// built by gen carry GetBody already; any other body is buffered once.
func makeReplayable(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return nil
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.Body, _ = req.GetBody()
	req.ContentLength = int64(len(data))
	return nil
}

// readBody reads and closes an attempt's response body: a 2xx body up to
// the response cap, failing beyond it, any other up to maxErrorBody (a
// failure while reading it only shortens it), with a bounded rest drained so
// the connection can be reused.
func (c *call) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		return body, nil
	}
	limit := c.p.maxBody
	if resp.ContentLength > limit {
		return nil, c.tooLarge()
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		// Room for the body and the read that sees EOF, so the buffer
		// is allocated once and never copied.
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	c.limited = io.LimitedReader{R: resp.Body, N: limit + 1} // in c: not one more allocation
	n, err := buf.ReadFrom(&c.limited)
	c.limited.R = nil
	switch {
	case err != nil:
		return nil, fmt.Errorf("read response body: %w", err)
	case n > limit:
		return nil, c.tooLarge()
	}
	return buf.Bytes(), nil
}

func (c *call) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, c.p.maxBody)
}
