package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/require"
)

// Distinctive values so that scanning output for them is meaningful.
const (
	testID     = "client-ID-42"
	testSecret = "s3cr3t-XYZ"
	tokenMark  = "T0KEN-MARK" // every token issued by the test server contains it
)

func tokenN(n int64) string { return fmt.Sprintf("tok-%d-%s", n, tokenMark) }

// server is a fake CloudConnexa tenant: a token endpoint plus an optional API.
type server struct {
	*httptest.Server
	tokenCalls atomic.Int64
}

// tokenFunc answers the nth (1-based) token request.
type tokenFunc func(w http.ResponseWriter, r *http.Request, n int64)

func newServer(t *testing.T, token tokenFunc, api http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/oauth/token" {
			token(w, r, s.tokenCalls.Add(1))
			return
		}
		if api != nil {
			api(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// issue answers with token n and the given expires_in (omitted when nil).
func issue(expiresIn any) tokenFunc {
	return func(w http.ResponseWriter, r *http.Request, n int64) {
		body := map[string]any{
			"access_token": tokenN(n),
			"token_type":   "bearer",
			"scope":        "read write",
		}
		if expiresIn != nil {
			body["expires_in"] = expiresIn
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}
}

// heldIssuer answers each token request only once release is closed;
// arrived receives a value when a request is being held.
func heldIssuer() (token tokenFunc, arrived <-chan struct{}, release chan<- struct{}) {
	arrivedc, releasec := make(chan struct{}, 1), make(chan struct{})
	return func(w http.ResponseWriter, r *http.Request, n int64) {
		arrivedc <- struct{}{}
		<-releasec
		issue(3600)(w, r, n)
	}, arrivedc, releasec
}

// tokenAsync calls a.Token(ctx) on a goroutine of its own; the channel
// receives its error.
func tokenAsync(ctx context.Context, a *auth.Authenticator) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := a.Token(ctx)
		errc <- err
	}()
	return errc
}

// respond answers every token request with a fixed status and body.
func respond(status int, contentType, body string) tokenFunc {
	return func(w http.ResponseWriter, r *http.Request, n int64) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func newAuth(t *testing.T, s *server, opts ...auth.Option) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(s.URL, testID, testSecret, append([]auth.Option{auth.WithAllowInsecureLoopback()}, opts...)...)
	require.NoError(t, err, "New")
	return a
}

// clock is a settable time source for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
