// Package client is the production layer over the generated package gen:
// authentication, typed errors, retries, client-side rate limiting, logging
// and pagination for the CloudConnexa API.
//
// A [Client] has one service per kind of resource ([Services]: c.Networks,
// c.NetworkConnectors, c.Users, c.Settings, …), generated from the API
// document, with one method per operation: ids as arguments, the typed
// body, and the decoded result or a typed error ([*APIError],
// [*RequestError], [*ResponseError]), never a nil result without one. List
// operations have an All iterator beside their List method.
//
//	c, err := client.NewFromEnv()
//	...
//	n, err := c.Networks.Get(ctx, id)
//	if errors.Is(err, client.ErrNotFound) { ... }
//	for n, err := range c.Networks.All(ctx, nil) { ... }
//
// c.Raw is the raw layer: every generated XxxWithResponse method, for the
// status code, headers or raw body. Both go through one pipeline: rate
// limiter, token signing (package auth), send, and on failure a typed error
// and, where safe, a retry.
package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// APIVersion is the CloudConnexa API version the generated code comes from.
const APIVersion = gen.APIVersion

// cloudDomain turns a bare cloud id into its API host: acme → acme.api.openvpn.com.
const cloudDomain = ".api.openvpn.com"

// tokenTimeout bounds a token request when no shorter per-attempt timeout applies.
const tokenTimeout = 30 * time.Second

// AuthenticationError reports a failed token request; see [auth.AuthenticationError].
type AuthenticationError = auth.AuthenticationError

// Client is a CloudConnexa API client. It is safe for concurrent use; create
// it with [New] or [NewFromEnv].
type Client struct {
	// Services holds one service per kind of resource (c.Networks,
	// c.Users, …), each with a method per operation: the way to call the
	// API (docs/resource-api.md).
	Services
	// Raw is the raw layer: every generated XxxWithResponse method, for
	// what the resource methods do not expose (the status code, headers,
	// raw body). It sends through the same pipeline as the services.
	Raw *gen.ClientWithResponses

	// gen is what the services call; Raw is a field a caller may replace.
	gen     gen.ClientInterface
	baseURL string
	auth    *auth.Authenticator
	pipe    *pipeline
	// own is the transport New created, nil when the caller lent one with
	// WithHTTPClient.
	own *http.Transport
}

// New returns a Client for the tenant at baseURL with the given API
// credentials. baseURL is an https URL such as "https://acme.api.openvpn.com"
// (a path prefix, for a reverse proxy, is kept) or a bare cloud id such as
// "acme". New performs no network I/O: the first token is fetched by the
// first request.
func New(baseURL, clientID, clientSecret string, opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return newClient(cfg, baseURL, clientID, clientSecret)
}

func newClient(cfg *config, baseURL, clientID, clientSecret string) (*Client, error) {
	base, err := normalizeBaseURL(baseURL, cfg.allowLoopback)
	if err != nil {
		return nil, err
	}
	if clientID == "" || clientSecret == "" {
		return nil, errors.New("cloudconnexa: client id and client secret are required")
	}

	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ua := cfg.userAgent
	if ua == "" {
		ua = UserAgent()
	}
	if strings.ContainsAny(ua, "\r\n\x00") {
		return nil, errors.New("cloudconnexa: user agent contains control characters")
	}

	// The caller's client lends its transport, timeout, redirect policy and
	// cookie jar; it is never modified.
	var (
		transport         http.RoundTripper
		own               *http.Transport
		timeout           = cfg.timeout
		userCheckRedirect func(*http.Request, []*http.Request) error
		jar               http.CookieJar
	)
	if hc := cfg.httpClient; hc != nil {
		transport, userCheckRedirect, jar = hc.Transport, hc.CheckRedirect, hc.Jar
		if transport == nil {
			transport = http.DefaultTransport
		}
		if !cfg.timeoutSet {
			timeout = hc.Timeout
		}
	} else {
		own = NewTransport()
		transport = own
	}

	tokenClient := httpsafe.TokenClient(transport, tokenTimeout)
	if timeout > 0 && timeout < tokenTimeout {
		tokenClient.Timeout = timeout
	}
	authOpts := []auth.Option{auth.WithHTTPClient(tokenClient), auth.WithUserAgent(ua)}
	if cfg.logger != nil {
		authOpts = append(authOpts, auth.WithLogger(cfg.logger))
	}
	if cfg.allowLoopback {
		authOpts = append(authOpts, auth.WithAllowInsecureLoopback())
	}
	if cfg.tokenStyle != nil {
		authOpts = append(authOpts, auth.WithTokenStyle(*cfg.tokenStyle))
	}
	authOpts = append(authOpts, cfg.authOptions...)
	authn, err := auth.New(base.String(), clientID, clientSecret, authOpts...)
	if err != nil {
		return nil, fmt.Errorf("cloudconnexa: %w", err)
	}

	pipe := &pipeline{
		http: &http.Client{
			Transport: authn.SigningTransport(transport),
			// No Timeout here: http.Client enforces it with a timer goroutine
			// per request when its Transport is not an *http.Transport (ours
			// is auth's wrapper). send applies it as a context deadline.
			CheckRedirect: checkRedirect(userCheckRedirect),
			Jar:           jar,
		},
		basePath:  strings.TrimSuffix(base.EscapedPath(), "/"),
		userAgent: ua,
		retry:     cfg.retry,
		logger:    logger,
		maxBody:   cfg.maxResponseBytes,
		timeout:   timeout,
		now:       time.Now,
		token:     authn.Token,
		redact:    authn.Redact,
	}
	if cfg.rateLimit {
		local := newLimiter(cfg.rateBurst, cfg.rateEvery, time.Now)
		pipe.limiter = local
		if cfg.rateLimiter != nil {
			pipe.limiter, pipe.fallback = cfg.rateLimiter, local
		}
	}
	gc, err := gen.NewClientWithResponses(base.String(), gen.WithHTTPClient(pipe))
	if err != nil {
		return nil, fmt.Errorf("cloudconnexa: %w", err)
	}
	c := &Client{Raw: gc, gen: gc.ClientInterface, baseURL: base.String(), auth: authn, pipe: pipe, own: own}
	c.Services.init(c)
	if own != nil {
		// A Client dropped without Close does not keep its idle
		// connections until they time out.
		runtime.AddCleanup(c, (*http.Transport).CloseIdleConnections, own)
	}
	return c, nil
}

// Close closes the idle connections of the transport the Client created.
// Calling it is optional: a Client that is no longer referenced releases
// them when it is garbage collected, and idle connections time out after 90
// seconds anyway. The Client stays usable after Close; a later request opens
// a new connection. A transport lent with [WithHTTPClient] is the caller's
// and is left alone. Close always returns nil.
func (c *Client) Close() error {
	if c != nil && c.own != nil {
		c.own.CloseIdleConnections()
	}
	return nil
}

// Authenticator returns the Client's token source, for signing requests the
// Client does not make itself.
func (c *Client) Authenticator() *auth.Authenticator { return c.auth }

// BaseURL returns the normalized base URL requests are sent to, without a
// trailing slash, for example "https://acme.api.openvpn.com".
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the Client by its base URL; credentials are not part of it.
func (c *Client) String() string {
	if c == nil {
		return "client.Client(nil)"
	}
	return "client.Client{baseURL: " + c.baseURL + ", api: " + APIVersion + "}"
}

// GoString is used by %#v; like String it omits credentials.
func (c *Client) GoString() string {
	if c == nil {
		return "(*client.Client)(nil)"
	}
	return fmt.Sprintf("&client.Client{baseURL: %q, api: %q}", c.baseURL, APIVersion)
}

// LogValue makes slog print the Client without credentials.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("base_url", c.baseURL), slog.String("api", APIVersion))
}

// NewTransport returns a new transport configured like the one [New]
// uses when no HTTP client is given: http.DefaultTransport's configuration
// (proxy from the environment, dial and TLS handshake timeouts, HTTP/2) with
// more idle connections per host, so concurrent callers reuse connections,
// and TLS 1.2 as the floor. Start from it to change one setting and pass the
// result with [WithHTTPClient].
func NewTransport() *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ExpectContinueTimeout = time.Second
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return t
}

// normalizeBaseURL applies the base URL rules (see [httpsafe.ParseBaseURL]):
// a bare cloud id expands to https://<id>.api.openvpn.com, a path prefix is
// kept and a trailing slash dropped. Errors never quote the input, which
// could carry credentials.
func normalizeBaseURL(raw string, allowLoopback bool) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if isCloudID(raw) {
		raw = "https://" + strings.ToLower(raw) + cloudDomain
	}
	u, err := httpsafe.ParseBaseURL(raw, allowLoopback)
	if err != nil {
		return nil, fmt.Errorf("cloudconnexa: %w", err)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// isCloudID reports whether s is a bare cloud id such as "acme" or
// "my-company": one DNS label, no scheme, no dots.
func isCloudID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
