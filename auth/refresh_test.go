package auth_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

// TestEarlyRefreshFailureKeepsValidToken: a token valid for 10 minutes,
// refreshed 5 minutes before expiry; with 3 minutes of validity left the
// token endpoint fails (500, 503, EOF). Before: the calls failed although
// the cached token was good for minutes more (issue 21, I5).
func TestEarlyRefreshFailureKeepsValidToken(t *testing.T) {
	for name, fail := range map[string]func(http.ResponseWriter){
		"500": func(w http.ResponseWriter) { w.WriteHeader(500) },
		"503": func(w http.ResponseWriter) { w.Header().Set("Retry-After", "30"); w.WriteHeader(503) },
		"EOF": dropConnection,
	} {
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			var failing atomic.Bool // read by the server's goroutines
			failing.Store(true)
			s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				if n > 1 && failing.Load() {
					fail(w)
					return
				}
				issue(600)(w, r, n)
			}, nil)
			a := newAuth(t, s, auth.WithClock(clk.Now))
			tok, err := a.Token(context.Background())
			require.NoError(t, err)
			clk.Advance(7 * time.Minute)
			got, err := a.Token(context.Background())
			require.NoError(t, err, "a valid token was given up")
			assert.Equal(t, tok, got)
			assert.EqualValues(t, 2, s.tokenCalls.Load(), "the refresh was tried")
			got, err = a.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tok, got)
			assert.EqualValues(t, 2, s.tokenCalls.Load(), "a failed refresh is not retried by every call")

			// Once the token has expired, the failure surfaces.
			clk.Advance(3 * time.Minute)
			_, err = a.Token(context.Background())
			var e *auth.AuthenticationError
			require.True(t, errors.As(err, &e), "err = %v", err)

			// And the endpoint, once recovered, gives a new token.
			failing.Store(false)
			clk.Advance(time.Minute)
			got, err = a.Token(context.Background())
			require.NoError(t, err)
			assert.NotEqual(t, tok, got)
		})
	}
}

// TestTokenRetryAfterPauseIsCapped: a 503 with Retry-After: 86400 holds
// token requests back for at most a minute, then the endpoint is asked
// again. Before: for 24 hours.
func TestTokenRetryAfterPauseIsCapped(t *testing.T) {
	clk := newClock()
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(503)
			return
		}
		issue(3600)(w, r, n)
	}, nil)
	a := newAuth(t, s, auth.WithClock(clk.Now))
	_, err := a.Token(context.Background())
	var e *auth.AuthenticationError
	require.True(t, errors.As(err, &e), "err = %v", err)
	assert.Equal(t, 24*time.Hour, e.RetryAfter, "the server's word is reported")
	_, err = a.Token(context.Background())
	require.True(t, errors.As(err, &e), "err = %v", err)
	assert.Equal(t, time.Minute, e.RetryAfter, "others wait the capped pause")
	clk.Advance(time.Minute)
	_, err = a.Token(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, s.tokenCalls.Load())
}
