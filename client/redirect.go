package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
	"strings"
	"sync/atomic"
)

// maxRedirects bounds the redirects followed in one call, over all its
// attempts: net/http's own limit, but per call instead of per attempt.
const maxRedirects = 10

// ErrRedirectRefused is wrapped by the error (a [*RequestError]) of a call
// whose answer was a redirect the client will not follow: from https to
// plain http, of a request with a body to another origin (scheme, host and
// port), or beyond 10 redirects in one call, counted over all its attempts.
// It is not retried. A CheckRedirect of the http.Client given with
// [WithHTTPClient] runs after these rules, so it can refuse more redirects,
// never allow one of these. The token is only ever sent to the base URL's
// origin (see package auth).
var ErrRedirectRefused = errors.New("cloudconnexa: redirect refused")

// exchange is one attempt's view of net/http: the connections it got (more
// than one per request when net/http retried on its own) and the redirects
// it followed. It travels in the attempt's context.
type exchange struct {
	call  *call
	conns atomic.Int32
	hops  atomic.Int32
	ct    httptrace.ClientTrace // in the exchange: one allocation less per attempt
}

type exchangeKey struct{}

// reset makes x the exchange of a new attempt of c.
func (x *exchange) reset(c *call) {
	x.call = c
	x.conns.Store(0)
	x.hops.Store(0)
	x.ct = httptrace.ClientTrace{}
}

// trace returns ctx carrying x and a ClientTrace counting connections.
func (x *exchange) trace(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, exchangeKey{}, x)
	x.ct.GotConn = x.gotConn
	return httptrace.WithClientTrace(ctx, &x.ct)
}

func (x *exchange) gotConn(httptrace.GotConnInfo) { x.conns.Add(1) }

// checkRedirect is the redirect policy of the pipeline's http.Client; next
// is the caller's CheckRedirect, nil for none.
func checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		hops := len(via)
		if x, ok := req.Context().Value(exchangeKey{}).(*exchange); ok {
			x.hops.Add(1)
			hops = int(x.call.hops.Add(1))
		}
		first, prev := via[0], via[len(via)-1]
		switch {
		case hops > maxRedirects:
			return fmt.Errorf("%w: more than %d redirects", ErrRedirectRefused, maxRedirects)
		case !strings.EqualFold(req.URL.Scheme, "https") && (strings.EqualFold(prev.URL.Scheme, "https") || strings.EqualFold(first.URL.Scheme, "https")):
			return fmt.Errorf("%w: from https to %s", ErrRedirectRefused, req.URL.Scheme)
		case hasBody(req) && httpsafe.Origin(req.URL) != httpsafe.Origin(first.URL):
			return fmt.Errorf("%w: a request with a body to another origin", ErrRedirectRefused)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

func hasBody(req *http.Request) bool {
	return req.GetBody != nil || req.ContentLength > 0 || req.Body != nil && req.Body != http.NoBody
}
