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
	"time"
)

// maxDrain bounds how much of an error body is read past maxErrorBody so
// the connection can be reused.
const maxDrain = 256 << 10

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
	// The attempt's exchange lives in the call: one allocation per call,
	// not one more per attempt. net/http is done with the previous
	// attempt's (its GotConn and redirect checks run inside Do).
	x := &c.exchange
	x.reset(c)
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

	// The attempt's duration is only for its Debug record: no clock
	// reads when that is off.
	var began time.Time
	timed := p.logger.Enabled(req.Context(), slog.LevelDebug)
	if timed {
		began = time.Now()
	}
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
	var took time.Duration
	if timed {
		took = time.Since(began)
	}
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
