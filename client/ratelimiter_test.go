package client

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingLimiter is a RateLimiter that records the calls the pipeline
// makes and can be told to fail.
type recordingLimiter struct {
	mu       sync.Mutex
	calls    []string
	obs      []RateObservation
	maxWaits []time.Duration
	fail     error // returned by every method when set
	next     uint64
}

func (l *recordingLimiter) Acquire(_ context.Context, maxWait time.Duration) (Permit, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, "acquire")
	l.maxWaits = append(l.maxWaits, maxWait)
	if l.fail != nil {
		return Permit{}, l.fail
	}
	l.next++
	return Permit{ID: l.next}, nil
}

func (l *recordingLimiter) Observe(_ context.Context, p Permit, o RateObservation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, "observe")
	l.obs = append(l.obs, o)
	return l.fail
}

func (l *recordingLimiter) Release(_ context.Context, p Permit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, "release")
	return l.fail
}

func TestWithRateLimiterCallOrder(t *testing.T) {
	n := 0
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.Header().Set(headerRemaining, "0")
			writeJSON(w, 429, `{}`)
			return
		}
		w.Header().Set(headerRemaining, "7")
		w.Header().Set(headerReplenishRate, "10")
		w.Header().Set(headerReplenishTime, "2")
		w.Header().Set(headerBurst, "20")
		w.Header().Set("Date", "Tue, 01 Dec 2026 08:00:00 GMT")
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	lim := &recordingLimiter{}
	c := newTestClient(t, s, WithRateLimiter(lim))
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)

	assert.Equal(t, []string{"acquire", "observe", "release", "acquire", "observe", "release"}, lim.calls)
	require.Len(t, lim.obs, 2)
	first, second := lim.obs[0], lim.obs[1]
	assert.Equal(t, 429, first.StatusCode)
	assert.True(t, first.HasRetryAfter)
	assert.Zero(t, first.RetryAfter)
	assert.True(t, first.HasRemaining)
	assert.Zero(t, first.Remaining)
	assert.True(t, first.HasRateHeaders())
	assert.Equal(t, 200, second.StatusCode)
	assert.Equal(t, 7.0, second.Remaining)
	assert.Equal(t, 5.0, second.Rate)
	assert.Equal(t, 20.0, second.Burst)
	assert.Equal(t, 200*time.Millisecond, second.PerRequest())
	assert.Equal(t, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), second.ServerDate.UTC())
	assert.False(t, second.Received.IsZero())
	for _, w := range lim.maxWaits {
		assert.Greater(t, w, time.Duration(0))
		assert.LessOrEqual(t, w, 10*time.Second)
	}
}

func TestFailingRateLimiterNeverFailsCalls(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	var logs bytes.Buffer
	lim := &recordingLimiter{fail: errors.New("redis: connection refused")}
	c := newTestClient(t, s, WithRateLimiter(lim), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	for range 3 {
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		require.NoError(t, err)
	}
	assert.Contains(t, logs.String(), "rate limiter failed; pacing locally")
	assert.Contains(t, logs.String(), "redis: connection refused")
	// Acquire failed, so the local limiter paced and was released; the
	// broken one is never asked to observe or release a permit it did not give.
	assert.Equal(t, []string{"acquire", "acquire", "acquire"}, lim.calls)
}

// One warning per outage, however many calls it covers, and one Info when
// the limiter works again; a new outage warns again.
func TestFailingRateLimiterWarnsOncePerOutage(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	var logs bytes.Buffer
	lim := &recordingLimiter{fail: errors.New("redis: connection refused")}
	c := newTestClient(t, s, WithRateLimiter(lim), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	calls := func(n int) {
		for range n {
			_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
			require.NoError(t, err)
		}
	}
	calls(5)
	assert.Equal(t, 1, strings.Count(logs.String(), "rate limiter failed; pacing locally"), logs.String())
	lim.mu.Lock()
	lim.fail = nil
	lim.mu.Unlock()
	calls(3)
	assert.Equal(t, 1, strings.Count(logs.String(), "rate limiter works again"), logs.String())
	lim.mu.Lock()
	lim.fail = errors.New("redis: i/o timeout")
	lim.mu.Unlock()
	calls(3)
	assert.Equal(t, 2, strings.Count(logs.String(), "rate limiter failed; pacing locally"), logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "rate limiter works again"))
}

func TestRateLimiterRefusalIsReturned(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	lim := &recordingLimiter{fail: &RateLimitError{Wait: time.Hour, MaxWait: time.Second, Reason: WaitRetryAfter}}
	c := newTestClient(t, s, WithRateLimiter(lim))
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrRateLimited)
	var rlErr *RateLimitError
	require.ErrorAs(t, err, &rlErr)
	assert.Equal(t, time.Hour, rlErr.Wait)
	assert.Contains(t, err.Error(), "budget exhausted for 1h0m0s (Retry-After)")
	assert.Empty(t, s.recorded(), "nothing may be sent")
}

func TestWithRateLimiterNil(t *testing.T) {
	_, err := New("https://acme.api.openvpn.com", "id", "secret", WithRateLimiter(nil))
	assert.ErrorContains(t, err, "WithRateLimiter")
}

func TestNewRateObservationIgnoresAbsurdValues(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	// A refill of one request per week means no real budget.
	o := NewRateObservation(rateHeaders("0", "1", "604800", "20"), 200, now)
	assert.Zero(t, o.Rate)
	assert.True(t, o.HasRemaining)
	o = NewRateObservation(headers("Retry-After", "86401", "Date", "garbage"), 429, now)
	assert.False(t, o.HasRetryAfter)
	assert.True(t, o.ServerDate.IsZero())
	assert.False(t, o.HasRateHeaders())
	o = NewRateObservation(headers("Retry-After", now.Add(3*time.Second).Format(http.TimeFormat)), 503, now)
	assert.True(t, o.HasRetryAfter)
	assert.Equal(t, 3*time.Second, o.RetryAfter)
}
