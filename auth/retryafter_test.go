package auth_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A 429 or 503 of the token endpoint carries its Retry-After, in both token
// styles, and until it has passed every caller gets the error with the time
// left, without another token request.
func TestTokenRetryAfterIsShared(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			t.Run(style.String()+"/"+http.StatusText(status), func(t *testing.T) {
				now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
				var mu sync.Mutex
				clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
				advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
				s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
					if n == 1 {
						w.Header().Set("Retry-After", clock().Add(7*time.Second).Format(http.TimeFormat))
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
						_, _ = w.Write([]byte(`{"error":"slow_down"}`))
						return
					}
					issue(3600)(w, r, n)
				}, nil)
				a := newAuth(t, s, auth.WithTokenStyle(style), auth.WithClock(clock))

				_, err := a.Token(context.Background())
				var e *auth.AuthenticationError
				require.True(t, errors.As(err, &e), "err = %v", err)
				assert.Equal(t, status, e.StatusCode)
				assert.Equal(t, 7*time.Second, e.RetryAfter)

				advance(3 * time.Second)
				_, err = a.Token(context.Background())
				require.True(t, errors.As(err, &e), "err = %v", err)
				assert.Equal(t, 4*time.Second, e.RetryAfter)
				assert.EqualValues(t, 1, s.tokenCalls.Load(), "no token request during the pause")

				advance(4 * time.Second)
				tok, err := a.Token(context.Background())
				require.NoError(t, err)
				assert.Equal(t, tokenN(2), tok)
			})
		}
	}
}

// A refused token request without Retry-After is not cached: the next
// caller asks again.
func TestTokenErrorWithoutRetryAfterIsNotCached(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		issue(3600)(w, r, n)
	}, nil)
	a := newAuth(t, s)
	_, err := a.Token(context.Background())
	var e *auth.AuthenticationError
	require.True(t, errors.As(err, &e))
	assert.Zero(t, e.RetryAfter)
	_, err = a.Token(context.Background())
	require.NoError(t, err)
}
