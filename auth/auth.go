// Package auth owns CloudConnexa authentication: token acquisition, caching,
// refresh, request signing and 401 recovery.
//
// An [Authenticator] exchanges an API client id and secret for a bearer token
// at <base>/api/v1/oauth/token (OAuth2 client-credentials grant). The token is
// fetched lazily on first use, cached, and refreshed shortly before it
// expires. Requests are signed either with [Authenticator.EditRequest] (an
// oapi-codegen RequestEditorFn) or by wrapping an http.RoundTripper with
// [Authenticator.Transport], which also recovers once from a 401.
//
// The client secret and access tokens never appear in errors, log records or
// the formatted value of any type in this package.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// tokenPath is appended to the base URL to form the token endpoint.
const tokenPath = "/api/v1/oauth/token"

// Defaults, see the corresponding With* options.
const (
	defaultRefreshMargin = 5 * time.Minute
	defaultTokenLifetime = time.Hour
	defaultHTTPTimeout   = 30 * time.Second

	// fetchTimeout bounds a token request that runs detached from any single
	// caller, so an abandoned fetch cannot linger forever.
	fetchTimeout = 30 * time.Second

	// keptTokens is how many of the latest tokens Redact covers.
	keptTokens = 8

	// refreshRetry is how soon a failed early refresh is tried again while
	// the token is still valid (sooner when it expires sooner).
	refreshRetry = 10 * time.Second
	// expirySlack is how long before its expiry a token is no longer used:
	// a request signed with it must still reach the server in time.
	expirySlack = 10 * time.Second
)

// Configuration errors returned (wrapped) by [New].
var (
	// ErrMissingCredentials reports an empty client id or client secret.
	ErrMissingCredentials = errors.New("auth: client id and client secret are required")
	// ErrInvalidBaseURL reports a base URL that is not an absolute
	// http(s) URL with a host, or that carries userinfo, a query or a fragment.
	ErrInvalidBaseURL = errors.New("auth: invalid base URL")
	// ErrInsecureURL reports a base URL that does not use https (plain http
	// is only accepted for loopback hosts with [WithAllowInsecureLoopback]).
	ErrInsecureURL = errors.New("auth: base URL must use https")
)

// TokenStyle selects how the client credentials are sent to the token endpoint.
type TokenStyle int

const (
	// TokenStyleBasic sends the credentials as HTTP Basic authentication with
	// a form body "grant_type=client_credentials" (RFC 6749 section 2.3.1).
	// It is the default because the secret stays out of URLs and access logs.
	TokenStyleBasic TokenStyle = iota
	// TokenStyleQuery sends client_id, client_secret and grant_type as URL
	// query parameters of an empty POST, as in the vendor's documentation.
	TokenStyleQuery
)

// String returns "basic" or "query".
func (s TokenStyle) String() string {
	switch s {
	case TokenStyleBasic:
		return "basic"
	case TokenStyleQuery:
		return "query"
	default:
		return fmt.Sprintf("TokenStyle(%d)", int(s))
	}
}

// Option configures an [Authenticator].
type Option func(*options)

type options struct {
	httpClient    *http.Client
	style         TokenStyle
	margin        time.Duration
	lifetime      time.Duration
	now           func() time.Time
	userAgent     string
	logger        *slog.Logger
	allowLoopback bool
}

// WithHTTPClient sets the client used for token requests. The default is a
// client with a 30 second timeout that does not follow redirects.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.httpClient = c }
}

// WithTokenStyle selects how credentials are sent; the default is
// [TokenStyleBasic].
func WithTokenStyle(s TokenStyle) Option {
	return func(o *options) { o.style = s }
}

// WithRefreshMargin sets how long before expiry a token is refreshed; the
// default is 5 minutes. For short-lived tokens the margin is capped at half
// the token lifetime.
func WithRefreshMargin(d time.Duration) Option {
	return func(o *options) { o.margin = d }
}

// WithDefaultTokenLifetime sets the lifetime assumed when the token response
// has no (or a zero) expires_in; the default is 1 hour.
func WithDefaultTokenLifetime(d time.Duration) Option {
	return func(o *options) { o.lifetime = d }
}

// WithClock replaces time.Now, so tests can move time without sleeping.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithUserAgent sets the User-Agent of token requests and signed requests.
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}

// WithLogger enables debug logging of token fetches. Records never contain
// the client secret or any token.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithAllowInsecureLoopback permits an http:// base URL when its host is
// localhost, in 127.0.0.0/8 or ::1 (for local test servers). Any other http
// URL is still rejected.
func WithAllowInsecureLoopback() Option {
	return func(o *options) { o.allowLoopback = true }
}

// Authenticator obtains, caches and refreshes CloudConnexa access tokens and
// signs requests with them. It is safe for concurrent use. Create it with
// [New].
type Authenticator struct {
	tokenURL string
	origin   string // scheme://host:port of the base URL, for Transport
	// baseScheme and baseHost are the base URL's as written, for
	// sameOrigin's fast path.
	baseScheme, baseHost string
	clientID             string
	opts                 options

	// The secret and the token cache are reached through funcs: fmt prints a
	// func as an address under every verb, whereas it would print strings
	// and (via a bad verb such as %s) even pointed-to structs.
	cred  hidden[*credentials]
	state hidden[*tokenState]
	// lastBearer is the Authorization value of the token last used to
	// sign, reached like the token cache through a func (see above).
	lastBearer hidden[*atomic.Pointer[bearerValue]]
}

// hidden keeps a value out of reach of reflection-based printing.
type hidden[T any] func() T

func hide[T any](v T) hidden[T] { return func() T { return v } }

type credentials struct {
	secret string
	// redact replaces every encoding of the secret we send, in case a server
	// or a library echoes it back.
	redact *httpsafe.Redactor
}

type tokenState struct {
	mu        sync.Mutex
	token     string
	recent    []string // the last keptTokens tokens fetched, for redaction
	gen       uint64   // incremented per stored token; lets Transport invalidate precisely
	refreshAt time.Time
	// validUntil is when the token stops being usable (its expiry, less a
	// little slack for the request's way): until then a failed refresh
	// does not take it away.
	validUntil time.Time
	inflight   *fetchCall
	// A token response's Retry-After: until retryAt no token request is
	// made, and callers get retryErr with the time left.
	retryAt  time.Time
	retryErr *AuthenticationError
	// redact covers the secret and the recent tokens; nil until the first
	// token arrives.
	redact *httpsafe.Redactor
}

// fetchCall is one token request shared by every caller that needs a token
// while it runs.
type fetchCall struct {
	done  chan struct{}
	token string
	gen   uint64
	err   error
}

// New returns an Authenticator for the tenant at baseURL, for example
// "https://acme.api.openvpn.com" (a path prefix such as
// "https://proxy.example/cc" is kept; the token URL is
// baseURL + "/api/v1/oauth/token"). New validates its arguments but performs
// no network I/O; the first token is fetched on first use.
func New(baseURL, clientID, clientSecret string, opts ...Option) (*Authenticator, error) {
	if clientID == "" || clientSecret == "" {
		return nil, ErrMissingCredentials
	}
	o := options{
		style:    TokenStyleBasic,
		margin:   defaultRefreshMargin,
		lifetime: defaultTokenLifetime,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	switch {
	case o.style != TokenStyleBasic && o.style != TokenStyleQuery:
		return nil, fmt.Errorf("auth: unknown token style %d", int(o.style))
	case o.margin < 0:
		return nil, errors.New("auth: refresh margin must not be negative")
	case o.lifetime <= 0:
		return nil, errors.New("auth: default token lifetime must be positive")
	case strings.ContainsAny(o.userAgent, "\r\n\x00"):
		return nil, errors.New("auth: user agent contains control characters")
	}
	if o.httpClient == nil {
		o.httpClient = httpsafe.TokenClient(nil, defaultHTTPTimeout)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}

	u, err := parseBaseURL(baseURL, o.allowLoopback)
	if err != nil {
		return nil, err
	}

	return &Authenticator{
		tokenURL:   strings.TrimRight(u.String(), "/") + tokenPath,
		origin:     httpsafe.Origin(u),
		baseScheme: u.Scheme,
		baseHost:   u.Host,
		clientID:   clientID,
		opts:       o,
		cred: hide(&credentials{
			secret: clientSecret,
			redact: newRedactor(clientID, clientSecret),
		}),
		state:      hide(&tokenState{}),
		lastBearer: hide(new(atomic.Pointer[bearerValue])),
	}, nil
}

// parseBaseURL validates the base URL (see [httpsafe.ParseBaseURL]). Its
// errors never quote the input, which could hold credentials.
func parseBaseURL(raw string, allowLoopback bool) (*url.URL, error) {
	u, err := httpsafe.ParseBaseURL(raw, allowLoopback)
	var be *httpsafe.BaseURLError
	switch {
	case err == nil:
		return u, nil
	case errors.As(err, &be) && be.Insecure:
		return nil, fmt.Errorf("%w (%s)", ErrInsecureURL, be.Reason)
	default:
		return nil, fmt.Errorf("%w: %w", ErrInvalidBaseURL, err)
	}
}

// Token returns a valid access token, fetching one if none is cached or the
// cached one is due for refresh. Concurrent callers share a single token
// request. If ctx ends while waiting, Token returns ctx.Err() without
// affecting other waiters. Fetch failures are *[AuthenticationError].
func (a *Authenticator) Token(ctx context.Context) (string, error) {
	tok, _, err := a.token(ctx)
	return tok, err
}

func (a *Authenticator) token(ctx context.Context) (string, uint64, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	st := a.state()
	st.mu.Lock()
	now := a.opts.now()
	if st.token != "" && now.Before(st.refreshAt) {
		tok, gen := st.token, st.gen
		st.mu.Unlock()
		return tok, gen, nil
	}
	if st.inflight == nil && now.Before(st.retryAt) {
		if st.token != "" && now.Before(st.validUntil) {
			// The endpoint asked us to wait, but the token we have is good.
			tok, gen := st.token, st.gen
			st.mu.Unlock()
			return tok, gen, nil
		}
		// The token endpoint asked everyone to wait: say how long, at once.
		e := *st.retryErr
		e.RetryAfter = st.retryAt.Sub(now)
		st.mu.Unlock()
		return "", 0, &e
	}
	c := st.inflight
	if c == nil {
		c = &fetchCall{done: make(chan struct{})}
		st.inflight = c
		// The fetch runs on its own goroutine under a context detached from
		// this caller, so one caller giving up does not fail the others.
		go a.runFetch(context.WithoutCancel(ctx), c)
	}
	st.mu.Unlock()

	select {
	case <-c.done:
		return c.token, c.gen, c.err
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
}

func (a *Authenticator) runFetch(ctx context.Context, c *fetchCall) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()

	// Measure the lifetime from before the request: expires_in counts from
	// when the server issued the token, which is no earlier than this.
	start := a.opts.now()
	a.opts.logger.DebugContext(ctx, "cloudconnexa auth: requesting token",
		slog.String("token_url", a.tokenURL),
		slog.String("client_id", a.clientID),
		slog.String("style", a.opts.style.String()))

	tok, expiresIn, err := a.fetch(ctx)
	if err != nil {
		a.opts.logger.DebugContext(ctx, "cloudconnexa auth: token request failed",
			slog.String("error", err.Error()))
		a.finish(c, func(st *tokenState) {
			now := a.opts.now()
			var e *AuthenticationError
			if errors.As(err, &e) && e.RetryAfter > 0 {
				// The pause is capped like every Retry-After pause: after
				// it, the endpoint is asked again.
				st.retryAt, st.retryErr = now.Add(pacing.PauseFor(e.RetryAfter)), e
			}
			if st.token != "" && now.Before(st.validUntil) {
				// An early refresh failed: the token we have is still
				// valid, so nobody is failed; try again in a while.
				st.refreshAt = now.Add(min(refreshRetry, st.validUntil.Sub(now)/2))
				c.token, c.gen = st.token, st.gen
				return
			}
			c.err = err
		})
		return
	}

	lifetime := time.Duration(expiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = a.opts.lifetime
	}
	// Never let the margin eat more than half of a short-lived token.
	refreshAt := start.Add(lifetime - min(a.opts.margin, lifetime/2))
	a.opts.logger.DebugContext(ctx, "cloudconnexa auth: token acquired",
		slog.Duration("lifetime", lifetime),
		slog.Time("refresh_at", refreshAt))
	a.finish(c, func(st *tokenState) {
		st.gen++
		if !slices.Contains(st.recent, tok) {
			st.recent = append(st.recent, tok)
			if len(st.recent) > keptTokens {
				st.recent = st.recent[1:]
			}
			st.redact = newRedactor(a.clientID, a.cred().secret, st.recent...)
		}
		st.token, st.refreshAt = tok, refreshAt
		st.validUntil = start.Add(lifetime - min(expirySlack, lifetime/10))
		c.token, c.gen = tok, st.gen
	})
}

// finish applies the fetch outcome under the lock and releases the waiters.
func (a *Authenticator) finish(c *fetchCall, apply func(*tokenState)) {
	st := a.state()
	st.mu.Lock()
	apply(st)
	st.inflight = nil
	st.mu.Unlock()
	close(c.done)
}

// Invalidate drops the cached token if it is still token, so the next
// [Authenticator.Token] fetches a new one. Passing a token that has already
// been replaced is a no-op, which makes concurrent 401 handlers cause a
// single refetch.
func (a *Authenticator) Invalidate(token string) {
	a.invalidate(func(st *tokenState) bool { return token != "" && st.token == token })
}

// invalidateGen is Invalidate keyed by generation, which stays precise even
// when the server re-issues the same token string.
func (a *Authenticator) invalidateGen(gen uint64) {
	a.invalidate(func(st *tokenState) bool { return st.token != "" && st.gen == gen })
}

func (a *Authenticator) invalidate(match func(*tokenState) bool) {
	st := a.state()
	st.mu.Lock()
	dropped := match(st)
	if dropped {
		st.token = ""
		st.refreshAt = time.Time{}
	}
	st.mu.Unlock()
	if dropped {
		a.opts.logger.Debug("cloudconnexa auth: token invalidated")
	}
}

// EditRequest signs req with "Authorization: Bearer <token>" and, if
// configured, the User-Agent. Its signature matches oapi-codegen's
// RequestEditorFn.
func (a *Authenticator) EditRequest(ctx context.Context, req *http.Request) error {
	tok, err := a.Token(ctx)
	if err != nil {
		return err
	}
	a.sign(req, tok)
	return nil
}

func (a *Authenticator) sign(req *http.Request, token string) {
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if a.opts.userAgent != "" {
		req.Header.Set("User-Agent", a.opts.userAgent)
	}
}

// String describes the Authenticator without its secret.
func (a *Authenticator) String() string {
	if a == nil {
		return "auth.Authenticator(nil)"
	}
	return fmt.Sprintf("auth.Authenticator{tokenURL: %s, clientID: %s, style: %s, secret: [redacted]}",
		a.tokenURL, a.clientID, a.opts.style)
}

// GoString is used by %#v; it also omits the secret.
func (a *Authenticator) GoString() string {
	if a == nil {
		return "(*auth.Authenticator)(nil)"
	}
	return fmt.Sprintf("&auth.Authenticator{tokenURL: %q, clientID: %q, style: %q, secret: \"[redacted]\"}",
		a.tokenURL, a.clientID, a.opts.style.String())
}

// LogValue makes slog print the Authenticator without its secret.
func (a *Authenticator) LogValue() slog.Value {
	if a == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("token_url", a.tokenURL),
		slog.String("client_id", a.clientID),
		slog.String("style", a.opts.style.String()),
		slog.String("secret", "[redacted]"),
	)
}
