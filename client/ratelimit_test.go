package client

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func rateHeaders(remaining, rate, period, burst string) http.Header {
	return headers(headerRemaining, remaining, headerReplenishRate, rate, headerReplenishTime, period, headerBurst, burst)
}

// started returns a limiter whose clock runs (an attempt has completed).
func startedLimiter(burst int, every time.Duration, clock *fakeClock) *limiter {
	l := newLimiter(burst, every, clock.Now)
	l.mu.Lock()
	l.startLocked(clock.Now())
	l.mu.Unlock()
	return l
}

func TestLimiterInitialBudget(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(3, time.Second, clock)
	for i := range 3 {
		_, d, _ := l.reserve()
		require.Zero(t, d, "reservation %d waits within the burst", i)
	}
	_, d, _ := l.reserve()
	assert.Equal(t, time.Second, d, "4th reservation")
	_, d, _ = l.reserve()
	assert.Equal(t, 2*time.Second, d, "5th reservation (first come, first served)")
	// The first three complete; the 4th and 5th go at their turns and
	// complete too.
	for range 3 {
		l.release()
	}
	clock.Advance(2 * time.Second)
	for ticket := 4.0; ticket <= 5; ticket++ {
		d, _ := l.recheck(ticket)
		require.Zero(t, d, "ticket %v still waits at its turn", ticket)
	}
	l.release()
	l.release()
	clock.Advance(10 * time.Second)
	// 10 s earned 10 tokens but the bucket holds 3.
	for i := range 3 {
		_, d, _ := l.reserve()
		require.Zero(t, d, "after refill, reservation %d waits", i)
	}
	_, d, _ = l.reserve()
	assert.Equal(t, time.Second, d, "after refill, 4th")
}

// TestLimiterCeilingWhileRequestsInFlight: the server charges a request when
// it arrives and stops refilling while its bucket is full, so time spent
// while released requests may still be on their way earns nothing; a
// completion proves an arrival and lets the clock run again.
func TestLimiterCeilingWhileRequestsInFlight(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(3, time.Second, clock)
	for range 3 {
		l.reserve()
	}
	clock.Advance(5 * time.Second) // the three are still on their way
	ticket, d, changed := l.reserve()
	require.NotZero(t, d, "a 4th request went while the first three may not have reached the server")
	l.release()
	select {
	case <-changed:
	default:
		assert.Fail(t, "a completion under the ceiling did not wake the waiters")
	}
	d, _ = l.recheck(ticket)
	assert.Equal(t, time.Second, d, "right after the first completion")
	clock.Advance(time.Second)
	d, _ = l.recheck(ticket)
	assert.Zero(t, d, "1 s after the first completion")
}

func TestLimiterClockStartsWithFirstCompletion(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(1, time.Second, clock.Now)
	l.reserve()
	clock.Advance(5 * time.Second) // e.g. the first connection is slow
	_, d, _ := l.reserve()
	assert.Equal(t, time.Second, d, "before any completion (nothing earned yet)")
	l.release()
	clock.Advance(time.Second)
	_, d, _ = l.reserve()
	assert.Equal(t, time.Second, d, "1 s after the first completion")
}

func TestLimiterLearnsFromHeaders(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	// remaining 0 and 2 tokens per 1 s, paced at 98 %: the next token is
	// 1/1.96 s away.
	l.observe(parseRateLimitHeaders(rateHeaders("0", "2", "1", "")), 200, -1)
	l.release()
	_, d, _ := l.reserve()
	assert.Equal(t, secondsToDuration(1/1.96), d, "delay")
	assert.Equal(t, 2*learnedRateShare, l.rate, "rate")
	assert.Equal(t, 20.0, l.capacity, "capacity")
}

func TestLimiterCapacity(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(5, time.Second, clock)
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("40", "10", "1", "")), 200, -1)
	l.release()
	assert.Equal(t, 41.0, l.capacity, "capacity: want remaining+1")
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("7", "10", "1", "8")), 200, -1)
	l.release()
	assert.Equal(t, 8.0, l.capacity, "capacity: want the burst header")
	clock.Advance(time.Hour)
	n := 0
	for {
		if _, d, _ := l.reserve(); d > 0 {
			break
		}
		n++
	}
	assert.Equal(t, 8, n, "tokens a full bucket gave")
}

func TestLimiterRemainingWhileOthersInFlight(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(10, time.Second, clock)
	l.reserve()
	l.reserve() // another caller in flight
	// Our estimate is 8; the server says 3: believe the lower.
	l.observe(parseRateLimitHeaders(rateHeaders("3", "1", "1", "")), 200, -1)
	l.release()
	assert.Equal(t, 3.0, l.avail-l.issued, "tokens")
	// The server saying more is ignored while others are in flight...
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("9", "1", "1", "")), 200, -1)
	l.release()
	assert.Equal(t, 2.0, l.avail-l.issued, "tokens")
	// ...and believed when nobody else is.
	l.release()
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("9", "1", "1", "")), 200, -1)
	l.release()
	assert.Equal(t, 9.0, l.avail-l.issued, "tokens")
}

func TestLimiter429(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	l.observe(rateInfo{}, http.StatusTooManyRequests, -1)
	l.release()
	_, d, _ := l.reserve()
	assert.Equal(t, 15*time.Second, d, "after a bare 429: want one token")

	// With Retry-After, the next token comes exactly then, even though a
	// token normally takes longer.
	l = startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	l.observe(rateInfo{}, http.StatusTooManyRequests, 2*time.Second)
	l.release()
	_, d, _ = l.reserve()
	assert.Equal(t, 2*time.Second, d, "after 429 with Retry-After 2")
}

func TestLimiterIgnoresMalformedHeaders(t *testing.T) {
	for _, bad := range []string{"abc", "-5", "1e99", "", " ", "99999999999999999999999", "NaN", "Inf", "0x10", "1.", ".5", "1..2", "+3", "12abc"} {
		clock := newFakeClock()
		l := startedLimiter(20, 15*time.Second, clock)
		l.reserve()
		l.observe(parseRateLimitHeaders(rateHeaders(bad, bad, bad, bad)), 200, -1)
		l.release()
		assert.Equal(t, 1.0/15, l.rate, "%q changed the limiter rate", bad)
		assert.Equal(t, 20.0, l.capacity, "%q changed the limiter capacity", bad)
		assert.Equal(t, 19.0, l.avail-l.issued, "%q changed the limiter tokens", bad)
	}
	// Zero rate or period cannot be divided by.
	ri := parseRateLimitHeaders(rateHeaders("1", "0", "1", "0"))
	assert.Zero(t, ri.rate, "zero rate: %+v", ri)
	assert.False(t, ri.hasBurst, "zero rate: %+v", ri)
	ri = parseRateLimitHeaders(rateHeaders("1", "5", "0", ""))
	assert.Zero(t, ri.rate, "zero period: %+v", ri)
	ri = parseRateLimitHeaders(rateHeaders("1", "5", strconv.Itoa(maxReplenishTime+1), ""))
	assert.Zero(t, ri.rate, "huge period: %+v", ri)
	ri = parseRateLimitHeaders(rateHeaders("", "5", "", ""))
	assert.Zero(t, ri.rate, "rate without period: %+v", ri)
	assert.False(t, ri.hasRemaining, "rate without period: %+v", ri)
	ri = parseRateLimitHeaders(rateHeaders("2.5", "1", "0.5", "3"))
	assert.Equal(t, 2.5, ri.remaining, "decimals: %+v", ri)
	assert.Equal(t, 2.0, ri.rate, "decimals: %+v", ri)
	assert.Equal(t, 3.0, ri.burst, "decimals: %+v", ri)
	assert.Equal(t, 500*time.Millisecond, ri.perToken(), "decimals: %+v", ri)
}

func TestMalformedHeadersEndToEnd(t *testing.T) {
	values := []string{"abc", "-5", "1e99", "", "99999999999999999999999999"}
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		v := values[int(n.Add(1))%len(values)]
		for _, h := range []string{headerRemaining, headerReplenishRate, headerReplenishTime, headerBurst, "Retry-After"} {
			w.Header().Set(h, v)
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s)
	start := time.Now()
	for range 15 {
		_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, time.Since(start), 2*time.Second, "15 calls within the burst")
	l := c.pipe.limiter.(*limiter)
	assert.Equal(t, 1.0/DefaultRateLimitEvery.Seconds(), l.rate, "limiter changed: rate")
	assert.Equal(t, float64(DefaultRateLimitBurst), l.capacity, "limiter changed: capacity")
}

func TestLimiterPacesAtLearnedRate(t *testing.T) {
	// A server with a budget of 5 and 100 tokens/s, enforced: the client,
	// starting from 5 per second, must learn the rate from the first
	// response and pace instead of collecting 429s.
	var (
		mu     sync.Mutex
		tokens = 5.0
		last   = time.Now()
		over   atomic.Int32
	)
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := time.Now()
		tokens = min(5, tokens+now.Sub(last).Seconds()*100)
		last = now
		ok := tokens >= 1
		if ok {
			tokens--
		}
		rem := int(tokens)
		mu.Unlock()
		w.Header().Set(headerRemaining, strconv.Itoa(rem))
		w.Header().Set(headerReplenishRate, "100")
		w.Header().Set(headerReplenishTime, "1")
		w.Header().Set(headerBurst, "5")
		if !ok {
			over.Add(1)
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{}`)
			return
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s, WithRateLimit(5, time.Second))
	const calls = 45
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	took := time.Since(start)
	// Ideal: 5 at once, then 40 at 10 ms intervals = 400 ms.
	assert.GreaterOrEqual(t, took, 350*time.Millisecond, "want about 400ms")
	assert.LessOrEqual(t, took, 2*time.Second, "want about 400ms")
	if over.Load() > 0 {
		t.Logf("server answered %d 429s", over.Load())
	}
	assert.LessOrEqual(t, over.Load(), int32(2), "429s the server answered")
}

func TestLimiterAcquire(t *testing.T) {
	l := newLimiter(1, time.Hour, time.Now)
	require.NoError(t, acquireErr(l, context.Background(), noBound))
	l.release()

	// Too long for the caller's limit: the token goes back.
	require.ErrorIs(t, acquireErr(l, context.Background(), time.Minute), ErrRateLimited)
	assert.InDelta(t, 0, l.avail-l.issued, 1e-6, "tokens after a refused wait")

	// Cancelled while waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.ErrorIs(t, acquireErr(l, ctx, noBound), context.DeadlineExceeded)
	assert.LessOrEqual(t, time.Since(start), time.Second, "cancel did not interrupt the wait")
	assert.Zero(t, l.inflight, "inflight")

	// A waiter wakes when the rate rises.
	done := make(chan error, 1)
	go func() { done <- acquireErr(l, context.Background(), noBound) }()
	time.Sleep(20 * time.Millisecond)
	l.observe(rateInfo{rate: 1000}, 200, -1)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(2 * time.Second):
		require.FailNow(t, "waiter did not notice the new rate")
	}
}

func TestSecondsToDuration(t *testing.T) {
	for in, want := range map[float64]time.Duration{0: 0, -1: 0, 0.5: 500 * time.Millisecond, 1e-12: 1, 1e30: time.Duration(maxLimiterWait) * time.Second} {
		assert.Equal(t, want, secondsToDuration(in), "secondsToDuration(%v)", in)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, true},
		{"86400", 24 * time.Hour, true},
		{"86401", 0, false},
		{"99999999999999999999999", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"Sun, 01 Jun 2025 12:00:10 GMT", 10 * time.Second, true},
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0, true},
		{"Sun, 08 Jun 2025 12:00:00 GMT", 0, false},
		{"Sunday, 01-Jun-25 12:00:05 GMT", 5 * time.Second, true},
		{"Sun Jun  1 12:00:05 2025", 5 * time.Second, true},
		{"tomorrow", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		assert.Equal(t, tc.want, got, "parseRetryAfter(%q)", tc.in)
		assert.Equal(t, tc.ok, ok, "parseRetryAfter(%q) ok", tc.in)
	}
}

func TestRetryDelayFromRateHeaders(t *testing.T) {
	p := &pipeline{retry: DefaultRetryPolicy(), now: time.Now}
	h := rateHeaders("0", "4", "1", "")
	assert.Equal(t, 250*time.Millisecond, p.retryDelay(1, h, &APIError{}), "without a limiter: delay")
	p.limiter = newLimiter(1, time.Second, time.Now)
	assert.Zero(t, p.retryDelay(1, h, &APIError{}), "with a limiter: delay (the limiter waits)")
	h.Set("Retry-After", "3")
	assert.Equal(t, 3*time.Second, p.retryDelay(1, h, &APIError{RetryAfter: 3 * time.Second}), "Retry-After: delay")
}

const noBound = time.Duration(1<<63 - 1)

func acquireErr(l *limiter, ctx context.Context, maxWait time.Duration) error {
	_, err := l.Acquire(ctx, maxWait)
	return err
}
