package client

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

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
	var began time.Time // for the Debug record of a token failure
	timed := p.logger.Enabled(ctx, slog.LevelDebug)
	if timed {
		began = time.Now()
	}
	if _, err := p.token(ctx); err != nil {
		var took time.Duration
		if timed {
			took = time.Since(began)
		}
		c.logAttempt(nil, err, took, n, Permit{})
		return nil, err
	}
	lim := p.limiter
	var acquiring time.Time // for the fallback's share of maxWait
	if p.fallback != nil {
		acquiring = time.Now()
	}
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
