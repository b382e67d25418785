// The request path, in the order a call goes through it: call.go (the
// per-call state and its loop), pace.go (token and rate limiter), send.go
// (one attempt; redirect.go its redirect policy), classify.go (what an
// answer means), retry.go (whether and when to go again), log.go.

package client

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// pipeline is the gen.HTTPRequestDoer behind every generated method: per
// attempt it waits for the rate limiter, sends the request (its body
// replayed) through the auth-signing client, learns from the rate-limit
// headers, and turns non-2xx answers into *APIError named after the
// operation, retrying where that is safe.
type pipeline struct {
	http      *http.Client // Transport signs requests (auth.SigningTransport: a 401 comes back, for a paced resend)
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
