package client

// One named test per case of issue 21 ("Pacing, retries and tokens that no
// single answer can break"): each failed before the pacing core.

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// TestHeaderless429OnFreshClientDoesNotBrick: a server that answers 429
// without any header to the very first request, then 200 forever. Before:
// the learned rate became one request per ~292 years (the span since Go's
// zero time), the 429 was not retried, and every later call failed at once
// with "rate limit budget exhausted for 277777h46m40s".
func TestHeaderless429OnFreshClientDoesNotBrick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				writeJSON(w, 429, `{}`)
				return
			}
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		start := time.Now()
		require.NoError(t, getNetwork(t.Context(), c), "the call that got the 429")
		for i := range 10 {
			require.NoError(t, getNetwork(t.Context(), c), "call %d", i)
		}
		assert.LessOrEqual(t, time.Since(start), 15*time.Second, "11 calls at no less than the rate floor")
	})
}

// TestHeaderless429AfterIdleDoesNotBrick: one success, an idle hour, then
// a header-less 429. Before: the learned rate became one request per hour.
func TestHeaderless429AfterIdleDoesNotBrick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 2 {
				writeJSON(w, 429, `{}`)
				return
			}
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		require.NoError(t, getNetwork(t.Context(), c))
		time.Sleep(time.Hour)
		start := time.Now()
		for i := range 10 {
			require.NoError(t, getNetwork(t.Context(), c), "call %d", i)
		}
		assert.LessOrEqual(t, time.Since(start), 15*time.Second, "10 calls at no less than the rate floor")
	})
}

// TestFiveXXBlipOnFreshClient: 50 concurrent GETs on a fresh default client
// meet a 1-second blip of 503s (or 500s) without headers. Before: 20 got one
// attempt and no retry, 30 a RateLimitError at once: the initial guess
// became binding after a 5xx, which says nothing about a budget.
func TestFiveXXBlipOnFreshClient(t *testing.T) {
	for _, status := range []int{503, 500} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
					if time.Since(start) < time.Second {
						writeJSON(w, status, `{}`)
						return
					}
					okNetwork(w, r)
				}}
				c := newMemClient(t, m)
				n, first := countErrs(parallel(50, 50, func(int) error { return getNetwork(t.Context(), c) }))
				require.Zero(t, n, "errors: %v", first)
				// Equal-jitter backoff: the attempts after the blip start
				// within 0.25+0.5+1+2 s of their first.
				assert.LessOrEqual(t, time.Since(start), 4*time.Second)
			})
		})
	}
}

// TestTokenRetryAfterIsCapped: the token endpoint answers 503 with
// Retry-After: 86400 once, then recovers. Before: every call failed for 24
// hours without the endpoint being asked again.
func TestTokenRetryAfterIsCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: okNetwork, token: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "86400")
				writeJSON(w, 503, `{}`)
				return
			}
			writeJSON(w, 200, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
		}}
		c := newMemClient(t, m)
		err := getNetwork(t.Context(), c)
		var authErr *AuthenticationError
		require.ErrorAs(t, err, &authErr, "the call that got the Retry-After")
		assert.Equal(t, 24*time.Hour, authErr.RetryAfter, "the server's word, reported")
		start := time.Now()
		require.NoError(t, getNetwork(t.Context(), c), "a call after the endpoint recovered")
		assert.Equal(t, pacing.MaxPause, time.Since(start), "waited the cap, not the day")
		assert.Equal(t, int32(2), n.Load(), "token requests")
	})
}

// TestShortTokenRedaction: a user's own mock whose token endpoint issues
// "t". Before: "Ne[redac[redacted]ed]work wi[redac[redacted]ed]h ID n-1
// no[redac[redacted]ed] found" (the mask applied twice, inside its own
// output, with no minimum length), and errors.Is(err, ErrNotFound) was
// false ("not found" was looked for in the masked text).
func TestShortTokenRedaction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, `{"errorMessage":"Network with ID n-1 not found","statusError":"Bad Request"}`)
			},
			token: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
			},
		}
		c := newMemClient(t, m)
		err := getNetwork(t.Context(), c)
		require.ErrorIs(t, err, ErrNotFound)
		assert.Contains(t, err.Error(), "Network with ID n-1 not found")
		assert.NotContains(t, err.Error(), "redac")
	})
}

// TestShortTokenNeverShownAlone: the short token is masked where it stands
// alone, in the message and the body, once.
func TestShortTokenNeverShownAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, `{"errorMessage":"token t is not valid here"}`)
			},
			token: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
			},
		}
		c := newMemClient(t, m)
		err := getNetwork(t.Context(), c)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "token [redacted] is not valid here", apiErr.Message)
		assert.Contains(t, string(apiErr.Body), `"token [redacted] is not valid here"`)
		assert.NotErrorIs(t, err, ErrNotFound)
	})
}

// TestNotFoundDecidedBeforeRedaction: a token that is one of the words of
// the service's "not found" message does not hide what the answer says.
func TestNotFoundDecidedBeforeRedaction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, `{"errorMessage":"Network with ID n-1 not found"}`)
			},
			token: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"access_token":"not","token_type":"Bearer","expires_in":3600}`)
			},
		}
		c := newMemClient(t, m)
		err := getNetwork(t.Context(), c)
		require.ErrorIs(t, err, ErrNotFound)
		assert.Contains(t, err.Error(), "Network with ID n-1 [redacted] found")
	})
}

// TestResendAfter401IsPaced: under a budget of one request per second, a
// 401 (the token was revoked) is followed by one resend with a fresh token,
// and that resend waits for the budget like any other request. Before: the
// resend went out at once, inside the permit of the refused request (two
// requests in the same instant).
func TestResendAfter401IsPaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var tokens atomic.Int32
		m := &memAPI{
			token: func(w http.ResponseWriter, r *http.Request) {
				n := tokens.Add(1)
				writeJSON(w, 200, `{"access_token":"tok-`+strconv.Itoa(int(n))+`","token_type":"Bearer","expires_in":3600}`)
			},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "Bearer tok-1" {
					writeJSON(w, 401, `{}`)
					return
				}
				okNetwork(w, r)
			},
		}
		c := newMemClient(t, m, WithRateLimit(1, time.Second))
		require.NoError(t, getNetwork(t.Context(), c))
		assert.Equal(t, int32(2), tokens.Load(), "token requests")
		assert.Equal(t, []time.Duration{time.Second}, m.gaps(), "the resend waited for the budget")
	})
}
