package cloudconnexatest

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/getkin/kin-openapi/openapi3"
)

// Server is a fake CloudConnexa API listening on a loopback address.
type Server struct {
	// URL is the base URL of the fake, such as http://127.0.0.1:41234,
	// without trailing slash: what a client is given as the tenant's URL.
	URL string
	// ClientID and ClientSecret are valid API credentials for the fake.
	ClientID, ClientSecret string

	h  *Handler
	ts *httptest.Server
	tb testing.TB
}

// NewServer starts a fake server for the test tb and closes it when the
// test ends. A response of the fake that breaks the OpenAPI document fails
// tb. It calls tb.Fatal if the server cannot start.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg, err := newConfig(opts)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := start(cfg, tb)
	if err != nil {
		tb.Fatalf("cloudconnexatest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake server outside tests; the caller must Close it. A
// response of the fake that breaks the OpenAPI document is logged and
// replaced by a 500.
func Start(opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return start(cfg, nil)
}

func start(cfg config, tb testing.TB) (*Server, error) {
	h, err := newHandler(cfg, tb)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("cloudconnexatest: listen: %w", err)
	}
	ts := &httptest.Server{
		Listener: ln,
		// Connection-level errors (a client refusing the certificate...)
		// go to the configured logger, not to stderr.
		Config: &http.Server{
			Handler: h, ErrorLog: slog.NewLogLogger(cfg.logger.Handler(), slog.LevelDebug),
			ReadHeaderTimeout: cfg.readHeaderTimeout, ReadTimeout: serverReadTimeout, IdleTimeout: serverIdleTimeout,
		},
	}
	if cfg.tls {
		if cfg.tlsCert != nil {
			ts.TLS = &tls.Config{Certificates: []tls.Certificate{*cfg.tlsCert}}
		}
		ts.StartTLS()
	} else {
		ts.Start()
	}
	return &Server{URL: ts.URL, ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, h: h, ts: ts, tb: tb}, nil
}

// Close stops the server, waiting for the requests under way and the
// checks of their answers.
func (s *Server) Close() {
	s.ts.Close()
	s.h.checks.Wait()
}

// Shutdown stops the server gracefully: it stops accepting connections and
// waits, until ctx is done, for the requests under way (http.Server.Shutdown).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.ts.Config.Shutdown(ctx)
	s.ts.Close()
	s.h.checks.Wait()
	return err
}

// Handler returns the http.Handler of the server, which holds its state.
func (s *Server) Handler() *Handler { return s.h }

// HTTPClient returns an http.Client for the server: it trusts the server's
// certificate when it serves HTTPS.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Certificate returns the certificate the server presents, or nil when it
// serves plain HTTP.
func (s *Server) Certificate() *tls.Certificate {
	if s.ts.TLS == nil || len(s.ts.TLS.Certificates) == 0 {
		return nil
	}
	return &s.ts.TLS.Certificates[0]
}

// GenClient returns the generated client of package gen for the server,
// signing every request with a fresh access token. It is the low-level
// alternative to [Server.Client].
func (s *Server) GenClient(opts ...gen.ClientOption) (*gen.ClientWithResponses, error) {
	tok, err := s.Token()
	if err != nil {
		return nil, err
	}
	base := []gen.ClientOption{
		gen.WithHTTPClient(s.HTTPClient()),
		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}),
	}
	return gen.NewClientWithResponses(s.URL, append(base, opts...)...)
}

// Token obtains an access token for the server's credentials.
func (s *Server) Token() (string, error) {
	c, err := gen.NewClientWithResponses(s.URL, gen.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		return "", err
	}
	resp, err := c.RequestTokenWithResponse(context.Background(), &gen.RequestTokenParams{
		ClientID: &s.ClientID, ClientSecret: &s.ClientSecret,
	}, gen.RequestTokenJSONRequestBody{GrantType: ptr(gen.GrantTypeClientCredentials)})
	if err != nil {
		return "", fmt.Errorf("cloudconnexatest: token request: %w", err)
	}
	if resp.JSON200 == nil {
		return "", fmt.Errorf("cloudconnexatest: token request: %s: %s", resp.Status(), resp.Body)
	}
	return resp.JSON200.AccessToken, nil
}

// Spec returns the OpenAPI document the fake serves and validates against
// (shared: treat it as read-only).
func (s *Server) Spec() *openapi3.T { return s.h.Spec() }

// InjectFault queues a fault for the requests of an operation, such as
// [gen.OpGetNetwork]; see [Handler.InjectFault] and [Fault]. An id the
// document does not have fails the test.
func (s *Server) InjectFault(op gen.OperationID, f Fault) {
	if s.tb != nil {
		s.tb.Helper()
	}
	s.h.InjectFault(op, f)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.h.ClearFaults() }

// RequestCount returns how many requests of an operation, such as
// [gen.OpGetNetwork], the server received, however they were answered. An
// id the document does not have fails the test.
func (s *Server) RequestCount(op gen.OperationID) int {
	if s.tb != nil {
		s.tb.Helper()
	}
	return s.h.RequestCount(op)
}

// Requests returns the requests the server received, in order, each with
// the operation it reached; see [Handler.Requests].
func (s *Server) Requests() []Request { return s.h.Requests() }

// Writes returns the requests that may have changed the tenant (token
// requests and reads left out); see [Handler.Writes].
func (s *Server) Writes() []Request { return s.h.Writes() }

// Count returns how many requests reached the operations ops, or any
// operation when none is given; see [Handler.Count]. An id the document
// does not have fails the test.
func (s *Server) Count(ops ...gen.OperationID) int {
	if s.tb != nil {
		s.tb.Helper()
	}
	return s.h.Count(ops...)
}

// ResetRequests forgets the requests received so far (the tenant stays as
// it is); see [Handler.ResetRequests].
func (s *Server) ResetRequests() { s.h.ResetRequests() }

// TokenRequestCount returns how many token requests the server received.
func (s *Server) TokenRequestCount() int { return s.h.TokenRequestCount() }

// ExpireTokens invalidates every access token issued so far.
func (s *Server) ExpireTokens() { s.h.ExpireTokens() }

// CyberShieldAllowList returns the Cyber Shield allow list.
func (s *Server) CyberShieldAllowList() []gen.DomainAndComment { return s.h.CyberShieldAllowList() }

// CyberShieldBlockList returns the Cyber Shield block list.
func (s *Server) CyberShieldBlockList() []gen.DomainAndComment { return s.h.CyberShieldBlockList() }
