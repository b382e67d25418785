package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

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
	if headerValue(req.Header, "User-Agent") == "" {
		// Set once on gen's request, which the pipeline owns, rather than
		// on a clone per attempt. gen makes the header (never nil), and
		// the key is canonical.
		req.Header["User-Agent"] = []string{p.userAgent}
	}
	if err := makeReplayable(req); err != nil {
		return nil, c.fail(fmt.Errorf("read request body: %w", err), 0)
	}

	c.start = p.now()
	var delay time.Duration
	for {
		if c.attempts > 0 {
			if err := sleep(ctx, delay); err != nil {
				return nil, c.fail(err, c.attempts)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, c.fail(err, c.attempts)
		}
		now := c.start // the first attempt's wait begins as the call does
		if c.attempts > 0 {
			now = p.now()
		}
		resp, err := c.attempt(c.attempts+1, c.waitLeftAt(now))
		// Attempts net/http made on its own (a request on a reused
		// connection that failed before the answer) count too.
		c.attempts += 1 + c.extra
		c.extra = 0
		next := c.classify(resp, err)
		if next.done {
			return next.resp, next.err
		}
		if !c.mayRetry(next) {
			return nil, c.last
		}
		c.logRetry(resp, err, c.attempts, next.delay)
		delay = next.delay
	}
}

// waitLeft is how long the call may still wait before an attempt: what is
// left of the retry policy's MaxElapsed since start, and less than what is
// left before the context's deadline (a wait ending at the deadline would
// leave no time to send).
func (c *call) waitLeft() time.Duration { return c.waitLeftAt(c.p.now()) }

// waitLeftAt is waitLeft at the time now.
func (c *call) waitLeftAt(now time.Time) time.Duration {
	left := c.p.retry.MaxElapsed - now.Sub(c.start)
	if dl, ok := c.req.Context().Deadline(); ok {
		left = min(left, dl.Sub(now)-1)
	}
	return max(0, left)
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

// call is the state of one Do, explicit and in one place: the pipeline,
// gen's request, its operation once something needs it, and what the
// stages have learned so far. Only the call's own goroutine touches it,
// except hops, which the redirect policy counts.
type call struct {
	p     *pipeline
	req   *http.Request
	op    opInfo
	named bool

	start    time.Time // when the first attempt began to wait
	attempts int       // sends so far, net/http's own included
	resent   bool      // the one resend after a 401, with a fresh token, is made
	last     error     // what to return when retrying stops

	body    []byte // the last attempt's response body
	decoded any    // c.body decoded by the 2xx check, if it was
	limited io.LimitedReader
	extra   int          // attempts net/http made itself in the last attempt
	hops    atomic.Int32 // redirects followed over all attempts

	exchange exchange // the current attempt's (send)
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
