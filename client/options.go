package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
)

// Defaults of the options below.
const (
	// DefaultMaxResponseBytes caps a successful response body (10 MiB).
	DefaultMaxResponseBytes int64 = 10 << 20
	// DefaultTimeout bounds each attempt when no *http.Client is given.
	DefaultTimeout = 60 * time.Second
	// DefaultRateLimitBurst and DefaultRateLimitEvery are the conservative
	// initial guess (the vendor's default API key limits) that covers the
	// first burst of calls until the first response says more: it is
	// dropped when a response without rate-limit headers succeeds.
	DefaultRateLimitBurst = 20
	DefaultRateLimitEvery = 15 * time.Second
)

// maxErrorBody is how much of an error response is kept in APIError.Body.
const maxErrorBody = 64 << 10

// RetryPolicy bounds how often and how long a request is retried. A zero
// field takes its value from [DefaultRetryPolicy].
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first one included; 1 disables
	// retries.
	MaxAttempts int
	// MaxElapsed bounds the time from the first attempt to the start of the
	// last one. A retry whose wait would end later is not made; the last
	// error is returned instead.
	MaxElapsed time.Duration
	// BaseDelay and MaxDelay shape the exponential backoff with full jitter
	// used when the server gives no Retry-After: attempt n waits a random
	// duration in [0, min(MaxDelay, BaseDelay*2^(n-1))). A server-given
	// Retry-After may exceed MaxDelay, never MaxElapsed.
	BaseDelay time.Duration
	MaxDelay  time.Duration
}

// DefaultRetryPolicy returns the policy used unless [WithRetryPolicy] or
// [WithoutRetries] says otherwise: 5 attempts within 2 minutes, backoff from
// 500 ms up to 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts: 5,
		MaxElapsed:  2 * time.Minute,
		BaseDelay:   500 * time.Millisecond,
		MaxDelay:    30 * time.Second,
	}
}

// withDefaults fills zero fields and validates the rest.
func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.MaxAttempts < 0 || p.MaxElapsed < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 {
		return p, errors.New("cloudconnexa: RetryPolicy fields must not be negative")
	}
	d := DefaultRetryPolicy()
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = d.MaxElapsed
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = d.MaxDelay
	}
	return p, nil
}

// Option configures a [Client]; pass options to [New] or [NewFromEnv].
type Option func(*config)

type config struct {
	httpClient       *http.Client
	logger           *slog.Logger
	userAgent        string
	allowLoopback    bool
	tokenStyle       *auth.TokenStyle
	authOptions      []auth.Option
	retry            RetryPolicy
	rateLimit        bool
	rateLimiter      RateLimiter // from WithRateLimiter, nil for the default
	rateBurst        int
	rateEvery        time.Duration
	maxResponseBytes int64
	timeout          time.Duration
	timeoutSet       bool
	envFile          string
	errs             []error
}

func newConfig(opts []Option) (*config, error) {
	cfg := &config{
		retry:            DefaultRetryPolicy(),
		rateLimit:        true,
		maxResponseBytes: DefaultMaxResponseBytes,
		timeout:          DefaultTimeout,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(cfg)
		}
	}
	return cfg, errors.Join(cfg.errs...)
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("cloudconnexa: "+format, args...))
}

// WithHTTPClient makes the Client send through hc. Its Transport (nil means
// http.DefaultTransport) is wrapped to sign requests, and its Timeout,
// CheckRedirect and Jar are kept; hc itself is not modified. Token requests
// use the same Transport but never follow redirects.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithLogger enables logging: one Debug record per attempt and one Warn
// record per retry. Records never contain headers, bodies, tokens or the
// client secret. Without this option the Client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithUserAgent replaces the default User-Agent (see [UserAgent]).
func WithUserAgent(ua string) Option {
	return func(c *config) { c.userAgent = ua }
}

// WithAllowInsecureLoopback permits a plain http:// base URL whose host is
// localhost, in 127.0.0.0/8 or ::1, for local test servers. Any other
// http:// URL is still rejected.
func WithAllowInsecureLoopback() Option {
	return func(c *config) { c.allowLoopback = true }
}

// WithTokenStyle selects how the client credentials reach the token
// endpoint; the default is [auth.TokenStyleBasic].
func WithTokenStyle(s auth.TokenStyle) Option {
	return func(c *config) { c.tokenStyle = &s }
}

// WithAuthOptions passes further options to [auth.New], for example
// auth.WithRefreshMargin. They are applied after the ones the Client
// derives from its own options, so they win.
func WithAuthOptions(opts ...auth.Option) Option {
	return func(c *config) { c.authOptions = append(c.authOptions, opts...) }
}

// WithRetryPolicy replaces the retry policy; zero fields keep their
// defaults (see [DefaultRetryPolicy]).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) {
		p, err := p.withDefaults()
		if err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.retry = p
	}
}

// WithoutRetries makes every request a single attempt.
func WithoutRetries() Option {
	return func(c *config) { c.retry.MaxAttempts = 1 }
}

// WithRateLimit sets an explicit client-side budget: burst requests at once,
// then one per every. It always holds, whatever the server says; the
// server's X-RateLimit-* headers, Retry-After and 429s can only slow the
// Client further. Without it the Client paces only on the server's word
// (see docs/retries-and-rate-limits.md).
func WithRateLimit(burst int, every time.Duration) Option {
	return func(c *config) {
		if burst < 1 || every <= 0 {
			c.fail("WithRateLimit: burst must be at least 1 and every positive")
			return
		}
		c.rateLimit, c.rateBurst, c.rateEvery = true, burst, every
	}
}

// WithoutRateLimit disables client-side pacing; server 429s are still
// retried according to the retry policy.
func WithoutRateLimit() Option {
	return func(c *config) { c.rateLimit = false }
}

// WithMaxResponseBytes caps the body of a successful response; reading past
// the cap fails with an error wrapping [ErrResponseTooLarge]. The default is
// [DefaultMaxResponseBytes].
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			c.fail("WithMaxResponseBytes: limit must be positive")
			return
		}
		c.maxResponseBytes = n
	}
}

// WithTimeout bounds each attempt (connecting, sending, and reading the
// response). It overrides the Timeout of a client given with
// [WithHTTPClient]; 0 means no per-attempt limit. The default is
// [DefaultTimeout], or the given client's Timeout.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.fail("WithTimeout: timeout must not be negative")
			return
		}
		c.timeout, c.timeoutSet = d, true
	}
}

// WithEnvFile names a dotenv file that [NewFromEnv] reads the CLOUDCONNEXA_*
// variables from (KEY=VALUE lines, # comments, optional quotes and "export"
// prefix). Variables set in the real environment take precedence. [New]
// ignores this option.
func WithEnvFile(path string) Option {
	return func(c *config) { c.envFile = path }
}
