package cloudconnexatest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Option configures a fake server ([NewServer], [Start], [NewHandler]).
type Option func(*config)

type config struct {
	clientID, clientSecret string
	tokenTTL               time.Duration
	rateLimit              bool
	burst                  int
	replenishRate          int
	replenishTime          time.Duration
	tls                    bool
	tlsCert                *tls.Certificate
	addr                   string
	logger                 *slog.Logger
	now                    func() time.Time
	seed                   bool
	sessions, auditLogs    int // -1: default for the seed setting
	strict                 bool
	tenant                 *Tenant
	logBodies              bool
	readHeaderTimeout      time.Duration
	errs                   []error
}

// Defaults of a fake server. The rate limit is generous so that ordinary
// tests never meet it; the real service allows a burst of 20 requests and
// adds one every 15 seconds (see [WithEnforcedRateLimit]).
const (
	DefaultTokenTTL      = 12 * time.Hour
	DefaultBurst         = 10000
	DefaultReplenishRate = 10000
	DefaultReplenishTime = time.Second
	// DefaultSessions and DefaultAuditLogs are the numbers of seeded
	// sessions and audit log records.
	DefaultSessions  = 25
	DefaultAuditLogs = 25
	// DefaultReadHeaderTimeout bounds how long a connection may take to
	// send a request's headers; a half-sent request is then dropped.
	DefaultReadHeaderTimeout = 10 * time.Second
)

// Timeouts of the servers [NewServer] and [Start] run (there is no write
// timeout: a Fault's Delay may hold an answer as long as it likes).
const (
	serverReadTimeout = time.Minute
	serverIdleTimeout = 2 * time.Minute
)

// newConfig applies opts; an option given a value it cannot take is an
// error, never silently replaced by another value.
func newConfig(opts []Option) (config, error) {
	c := config{
		tokenTTL:          DefaultTokenTTL,
		rateLimit:         true,
		burst:             DefaultBurst,
		replenishRate:     DefaultReplenishRate,
		replenishTime:     DefaultReplenishTime,
		addr:              "127.0.0.1:0",
		readHeaderTimeout: DefaultReadHeaderTimeout,
		now:               time.Now,
		seed:              true,
		sessions:          -1,
		auditLogs:         -1,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.clientID == "" {
		c.clientID = randomHex(16)
	}
	if c.clientSecret == "" {
		c.clientSecret = randomHex(24)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.sessions < 0 {
		c.sessions = seedCount(c.seed, DefaultSessions)
	}
	if c.auditLogs < 0 {
		c.auditLogs = seedCount(c.seed, DefaultAuditLogs)
	}
	return c, errors.Join(c.errs...)
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("cloudconnexatest: "+format, args...))
}

func seedCount(seed bool, n int) int {
	if seed {
		return n
	}
	return 0
}

// WithCredentials sets the API client id and secret the fake accepts; by
// default both are random.
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = clientID, clientSecret }
}

// WithTokenTTL sets the lifetime of issued access tokens (default 12 hours,
// reported as expires_in 43199 like the real service). It must be positive.
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("WithTokenTTL(%v): the lifetime must be positive", d)
			return
		}
		c.tokenTTL = d
	}
}

// WithEnforcedRateLimit makes the fake enforce an API key's request budget
// the way the service does: a token bucket per API key holding at most
// burst requests, refilled by replenishRate requests every replenishTime,
// reported in X-RateLimit-* headers on every answer, and a 429 with
// Retry-After when it is empty. The service's default budget is
// WithEnforcedRateLimit(20, 1, 15*time.Second). (client.WithRateLimit is a
// different thing: the budget a client starts pacing itself with.)
func WithEnforcedRateLimit(burst, replenishRate int, replenishTime time.Duration) Option {
	return func(c *config) {
		if burst < 1 || replenishRate < 1 || replenishTime < time.Millisecond {
			c.fail("WithEnforcedRateLimit(%d, %d, %v): burst and rate must be at least 1, the time at least 1ms", burst, replenishRate, replenishTime)
			return
		}
		c.rateLimit = true
		c.burst, c.replenishRate, c.replenishTime = burst, replenishRate, replenishTime
	}
}

// WithoutRateLimit turns rate limiting off: no request is refused and no
// X-RateLimit-* headers are sent.
func WithoutRateLimit() Option {
	return func(c *config) { c.rateLimit = false }
}

// WithTLS makes [NewServer] and [Start] serve HTTPS with a certificate
// for 127.0.0.1 and ::1; [Server.Client] and [Server.HTTPClient] trust it.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithTLSCertificate serves HTTPS with the given certificate (implies
// [WithTLS]); clients must be told to trust it.
func WithTLSCertificate(cert tls.Certificate) Option {
	return func(c *config) { c.tls, c.tlsCert = true, &cert }
}

// WithAddr sets the listen address of [Start] and [NewServer] (default
// "127.0.0.1:0", a free loopback port).
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithLogger logs every request (at debug level) and every spec violation
// (at error level) to l; by default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithClock replaces time.Now for token expiry, rate limiting and the
// timestamps of seeded and created data.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithoutSeed starts without sample data: no owner user, sessions, audit
// log records or DNS resolutions. Regions, default settings and the
// "Default" user group, which every tenant has, are still there.
// [WithSessions] and [WithAuditLogs] given explicitly still apply.
func WithoutSeed() Option {
	return func(c *config) { c.seed = false }
}

// WithSessions seeds n VPN sessions, spread over the last 24 hours (default
// [DefaultSessions]).
func WithSessions(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail("WithSessions(%d): the count must not be negative", n)
			return
		}
		c.sessions = n
	}
}

// WithAuditLogs seeds n audit log records, spread over the last 24 hours
// (default [DefaultAuditLogs]). Every successful change made through the
// API appends one more.
func WithAuditLogs(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail("WithAuditLogs(%d): the count must not be negative", n)
			return
		}
		c.auditLogs = n
	}
}

// WithStrictRequests holds requests to the letter of the OpenAPI document,
// for tests that check their own client rather than use the fake: JSON
// properties the document does not declare and null for properties that
// are not nullable are refused too (the service ignores both), token
// requests must take the documented form, and each violation is named in
// the 400's errorDetails, under the field at fault. By default the fake
// accepts what the service accepts (see docs/testing.md, "Leniencies").
// Responses are validated strictly either way.
func WithStrictRequests() Option {
	return func(c *config) { c.strict = true }
}

// WithReadHeaderTimeout sets how long [NewServer] and [Start] wait for a
// request's headers before they drop the connection (default
// [DefaultReadHeaderTimeout]). It must be positive.
func WithReadHeaderTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("WithReadHeaderTimeout(%v): the timeout must be positive", d)
			return
		}
		c.readHeaderTimeout = d
	}
}

// WithBodyLogging adds the request and response bodies to the debug
// record of each request (see [WithLogger]), with credentials, tokens,
// secrets and private keys redacted, and at most 4 KiB of each.
func WithBodyLogging() Option {
	return func(c *config) { c.logBodies = true }
}
