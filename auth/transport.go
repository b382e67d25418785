package auth

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// maxDrain bounds how much of a discarded 401 body is read so the connection
// can be reused.
const maxDrain = 64 << 10

// Transport returns a RoundTripper that signs requests like
// [Authenticator.EditRequest]. When the API answers 401, the token used is
// invalidated, a new one is fetched, and the request is sent once more with
// its body replayed through req.GetBody; a request whose body cannot be
// replayed gets the 401 response as is, and so does a retry that is
// rejected again. Failing to obtain a token returns the
// *[AuthenticationError].
//
// Only requests to the base URL's origin (scheme, host and port) are signed;
// others, such as a redirect to another host, pass through untouched so the
// token never leaves the tenant. The caller's request is never modified, and
// the Request of a returned response is the caller's, without the
// Authorization header.
// A nil base means http.DefaultTransport.
func (a *Authenticator) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{auth: a, base: base, resend: true}
}

// SigningTransport is [Authenticator.Transport] without the resend: a 401
// invalidates the token the request carried and is returned as is, so that
// a caller that paces its requests (package client) sends the request once
// more through its own pacing, with the fresh token the next signing
// fetches.
func (a *Authenticator) SigningTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{auth: a, base: base}
}

type transport struct {
	auth   *Authenticator
	base   http.RoundTripper
	resend bool // send once more, at once, after a 401
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || !t.auth.sameOrigin(req.URL) {
		return t.base.RoundTrip(req)
	}
	ctx := req.Context()
	tok, gen, err := t.auth.token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base.RoundTrip(t.auth.signedClone(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return unsigned(resp, req), err
	}

	// The server rejected a token we believed valid: drop it (unless a
	// concurrent request already did) so the next caller fetches afresh.
	t.auth.invalidateGen(gen)
	if !t.resend {
		return unsigned(resp, req), nil
	}

	body, ok := replayBody(req)
	if !ok {
		return resp, nil
	}
	tok, _, err = t.auth.token(ctx)
	if err != nil {
		if body != nil {
			body.Close()
		}
		discard(resp)
		return nil, err
	}
	discard(resp)
	t.auth.opts.logger.DebugContext(ctx, "cloudconnexa auth: retrying after 401 with a new token",
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path))

	retry := t.auth.signedClone(req, tok)
	if body != nil {
		retry.Body = body
	}
	resp, err = t.base.RoundTrip(retry)
	return unsigned(resp, req), err
}

// unsigned points resp.Request at the caller's request instead of the
// signed clone, so no Authorization header is reachable from a response.
func unsigned(resp *http.Response, req *http.Request) *http.Response {
	if resp != nil {
		resp.Request = req
	}
	return resp
}

// CloseIdleConnections closes the idle connections of the wrapped
// RoundTripper, if it has such a method (http.Client.CloseIdleConnections
// relies on it).
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (a *Authenticator) signedClone(req *http.Request, token string) *http.Request {
	// A shallow copy with its own header is all signing needs: nothing
	// else of the request is modified, and a deep copy (Request.Clone)
	// would cost more allocations per request.
	r := new(http.Request)
	*r = *req
	r.Header = a.signedHeader(req.Header, token)
	return r
}

// signedHeader is what req.Header.Clone() followed by sign gives, in three
// allocations (the map, every value, the bearer string) instead of five,
// without canonicalizing the two keys on every request.
func (a *Authenticator) signedHeader(h http.Header, token string) http.Header {
	n := 1 // Authorization
	if a.opts.userAgent != "" {
		n++
	}
	for _, vv := range h {
		n += len(vv)
	}
	values := make([]string, n)
	signed := make(http.Header, len(h)+2)
	for k, vv := range h {
		if vv == nil {
			signed[k] = nil // as Header.Clone keeps it
			continue
		}
		m := copy(values, vv)
		signed[k] = values[:m:m]
		values = values[m:]
	}
	values[0] = a.bearer(token)
	signed["Authorization"] = values[:1:1]
	if a.opts.userAgent != "" {
		values[1] = a.opts.userAgent
		signed["User-Agent"] = values[1:2:2]
	}
	return signed
}

// bearer returns "Bearer " + token, built once per token rather than once
// per request.
func (a *Authenticator) bearer(token string) string {
	if b := a.lastBearer().Load(); b != nil && b.token == token {
		return b.value
	}
	b := &bearerValue{token: token, value: "Bearer " + token}
	a.lastBearer().Store(b)
	return b.value
}

// bearerValue is an Authorization value and the token it carries.
type bearerValue struct{ token, value string }

// replayBody returns a fresh copy of req's body, nil for a bodyless request,
// and false when the body cannot be replayed.
func replayBody(req *http.Request) (io.ReadCloser, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	return body, true
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
}

// closeBody honours the RoundTripper contract of closing the request body
// even when the request is never sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// sameOrigin reports whether u has the base URL's origin. The common case,
// a URL built from the base URL itself, is decided without allocating.
func (a *Authenticator) sameOrigin(u *url.URL) bool {
	if u.Scheme == a.baseScheme && u.Host == a.baseHost {
		return true
	}
	return httpsafe.Origin(u) == a.origin
}
