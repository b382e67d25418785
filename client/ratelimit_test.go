package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
		if _, d, _ := l.reserve(); d != 0 {
			t.Fatalf("reservation %d waits %v within the burst", i, d)
		}
	}
	if _, d, _ := l.reserve(); d != time.Second {
		t.Errorf("4th reservation waits %v, want 1s", d)
	}
	if _, d, _ := l.reserve(); d != 2*time.Second {
		t.Errorf("5th reservation waits %v, want 2s (first come, first served)", d)
	}
	// The first three complete; the 4th and 5th go at their turns and
	// complete too.
	for range 3 {
		l.release()
	}
	clock.Advance(2 * time.Second)
	for ticket := 4.0; ticket <= 5; ticket++ {
		if d, _ := l.recheck(ticket); d != 0 {
			t.Fatalf("ticket %v still waits %v at its turn", ticket, d)
		}
	}
	l.release()
	l.release()
	clock.Advance(10 * time.Second)
	// 10 s earned 10 tokens but the bucket holds 3.
	for i := range 3 {
		if _, d, _ := l.reserve(); d != 0 {
			t.Fatalf("after refill, reservation %d waits %v", i, d)
		}
	}
	if _, d, _ := l.reserve(); d != time.Second {
		t.Errorf("after refill, 4th waits %v", d)
	}
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
	if d == 0 {
		t.Fatal("a 4th request went while the first three may not have reached the server")
	}
	l.release()
	select {
	case <-changed:
	default:
		t.Error("a completion under the ceiling did not wake the waiters")
	}
	if d, _ := l.recheck(ticket); d != time.Second {
		t.Errorf("right after the first completion: wait %v, want 1s", d)
	}
	clock.Advance(time.Second)
	if d, _ := l.recheck(ticket); d != 0 {
		t.Errorf("1 s after the first completion: wait %v, want 0", d)
	}
}

func TestLimiterClockStartsWithFirstCompletion(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(1, time.Second, clock.Now)
	l.reserve()
	clock.Advance(5 * time.Second) // e.g. the first connection is slow
	if _, d, _ := l.reserve(); d != time.Second {
		t.Errorf("before any completion: wait %v, want 1s (nothing earned yet)", d)
	}
	l.release()
	clock.Advance(time.Second)
	if _, d, _ := l.reserve(); d != time.Second {
		t.Errorf("1 s after the first completion: wait %v, want 1s", d)
	}
}

func TestLimiterLearnsFromHeaders(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	// remaining 0 and 2 tokens per 1 s, paced at 98 %: the next token is
	// 1/1.96 s away.
	l.observe(parseRateLimitHeaders(rateHeaders("0", "2", "1", "")), 200, -1)
	l.release()
	if _, d, _ := l.reserve(); d != secondsToDuration(1/1.96) {
		t.Errorf("delay = %v, want 510ms", d)
	}
	if l.rate != 2*learnedRateShare || l.capacity != 20 {
		t.Errorf("rate %v capacity %v", l.rate, l.capacity)
	}
}

func TestLimiterCapacity(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(5, time.Second, clock)
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("40", "10", "1", "")), 200, -1)
	l.release()
	if l.capacity != 41 {
		t.Errorf("capacity = %v, want remaining+1 = 41", l.capacity)
	}
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("7", "10", "1", "8")), 200, -1)
	l.release()
	if l.capacity != 8 {
		t.Errorf("capacity = %v, want the burst header 8", l.capacity)
	}
	clock.Advance(time.Hour)
	n := 0
	for {
		if _, d, _ := l.reserve(); d > 0 {
			break
		}
		n++
	}
	if n != 8 {
		t.Errorf("a full bucket gave %d tokens, want 8", n)
	}
}

func TestLimiterRemainingWhileOthersInFlight(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(10, time.Second, clock)
	l.reserve()
	l.reserve() // another caller in flight
	// Our estimate is 8; the server says 3: believe the lower.
	l.observe(parseRateLimitHeaders(rateHeaders("3", "1", "1", "")), 200, -1)
	l.release()
	if got := l.avail - l.issued; got != 3 {
		t.Errorf("tokens = %v, want 3", got)
	}
	// The server saying more is ignored while others are in flight...
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("9", "1", "1", "")), 200, -1)
	l.release()
	if got := l.avail - l.issued; got != 2 {
		t.Errorf("tokens = %v, want 2", got)
	}
	// ...and believed when nobody else is.
	l.release()
	l.reserve()
	l.observe(parseRateLimitHeaders(rateHeaders("9", "1", "1", "")), 200, -1)
	l.release()
	if got := l.avail - l.issued; got != 9 {
		t.Errorf("tokens = %v, want 9", got)
	}
}

func TestLimiter429(t *testing.T) {
	clock := newFakeClock()
	l := startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	l.observe(rateInfo{}, http.StatusTooManyRequests, -1)
	l.release()
	if _, d, _ := l.reserve(); d != 15*time.Second {
		t.Errorf("after a bare 429: wait %v, want one token (15s)", d)
	}

	// With Retry-After, the next token comes exactly then, even though a
	// token normally takes longer.
	l = startedLimiter(20, 15*time.Second, clock)
	l.reserve()
	l.observe(rateInfo{}, http.StatusTooManyRequests, 2*time.Second)
	l.release()
	if _, d, _ := l.reserve(); d != 2*time.Second {
		t.Errorf("after 429 with Retry-After 2: wait %v, want 2s", d)
	}
}

func TestLimiterIgnoresMalformedHeaders(t *testing.T) {
	for _, bad := range []string{"abc", "-5", "1e99", "", " ", "99999999999999999999999", "NaN", "Inf", "0x10", "1.", ".5", "1..2", "+3", "12abc"} {
		clock := newFakeClock()
		l := startedLimiter(20, 15*time.Second, clock)
		l.reserve()
		l.observe(parseRateLimitHeaders(rateHeaders(bad, bad, bad, bad)), 200, -1)
		l.release()
		if l.rate != 1.0/15 || l.capacity != 20 || l.avail-l.issued != 19 {
			t.Errorf("%q changed the limiter: rate %v capacity %v tokens %v", bad, l.rate, l.capacity, l.avail-l.issued)
		}
	}
	// Zero rate or period cannot be divided by.
	if ri := parseRateLimitHeaders(rateHeaders("1", "0", "1", "0")); ri.rate != 0 || ri.hasBurst {
		t.Errorf("zero rate: %+v", ri)
	}
	if ri := parseRateLimitHeaders(rateHeaders("1", "5", "0", "")); ri.rate != 0 {
		t.Errorf("zero period: %+v", ri)
	}
	if ri := parseRateLimitHeaders(rateHeaders("1", "5", strconv.Itoa(maxReplenishTime+1), "")); ri.rate != 0 {
		t.Errorf("huge period: %+v", ri)
	}
	if ri := parseRateLimitHeaders(rateHeaders("", "5", "", "")); ri.rate != 0 || ri.hasRemaining {
		t.Errorf("rate without period: %+v", ri)
	}
	if ri := parseRateLimitHeaders(rateHeaders("2.5", "1", "0.5", "3")); ri.remaining != 2.5 || ri.rate != 2 || ri.burst != 3 || ri.perToken() != 500*time.Millisecond {
		t.Errorf("decimals: %+v", ri)
	}
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
		if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("15 calls within the burst took %v", took)
	}
	l := c.pipe.limiter
	if l.rate != 1.0/DefaultRateLimitEvery.Seconds() || l.capacity != DefaultRateLimitBurst {
		t.Errorf("limiter changed: rate %v capacity %v", l.rate, l.capacity)
	}
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
		t.Error(err)
	}
	took := time.Since(start)
	// Ideal: 5 at once, then 40 at 10 ms intervals = 400 ms.
	if took < 350*time.Millisecond || took > 2*time.Second {
		t.Errorf("took %v, want about 400ms", took)
	}
	if over.Load() > 0 {
		t.Logf("server answered %d 429s", over.Load())
	}
	if over.Load() > 2 {
		t.Errorf("server answered %d 429s", over.Load())
	}
}

func TestLimiterAcquire(t *testing.T) {
	l := newLimiter(1, time.Hour, time.Now)
	if err := l.acquire(context.Background(), -1); err != nil {
		t.Fatal(err)
	}
	l.release()

	// Too long for the caller's limit: the token goes back.
	if err := l.acquire(context.Background(), time.Minute); !errors.Is(err, errWaitTooLong) {
		t.Fatalf("err = %v, want errWaitTooLong", err)
	}
	if got := l.avail - l.issued; got > 1e-6 || got < -1e-6 {
		t.Errorf("tokens = %v after a refused wait, want 0", got)
	}

	// Cancelled while waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := l.acquire(ctx, -1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("cancel did not interrupt the wait")
	}
	if l.inflight != 0 {
		t.Errorf("inflight = %d", l.inflight)
	}

	// A waiter wakes when the rate rises.
	done := make(chan error, 1)
	go func() { done <- l.acquire(context.Background(), -1) }()
	time.Sleep(20 * time.Millisecond)
	l.observe(rateInfo{rate: 1000}, 200, -1)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("waiter did not notice the new rate")
	}
}

func TestSecondsToDuration(t *testing.T) {
	for in, want := range map[float64]time.Duration{0: 0, -1: 0, 0.5: 500 * time.Millisecond, 1e-12: 1, 1e30: time.Duration(maxLimiterWait) * time.Second} {
		if got := secondsToDuration(in); got != want {
			t.Errorf("secondsToDuration(%v) = %v, want %v", in, got, want)
		}
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
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %t; want %v, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryDelayFromRateHeaders(t *testing.T) {
	p := &pipeline{retry: DefaultRetryPolicy(), now: time.Now}
	h := rateHeaders("0", "4", "1", "")
	if d := p.retryDelay(1, h, &APIError{}); d != 250*time.Millisecond {
		t.Errorf("without a limiter: delay %v, want 250ms", d)
	}
	p.limiter = newLimiter(1, time.Second, time.Now)
	if d := p.retryDelay(1, h, &APIError{}); d != 0 {
		t.Errorf("with a limiter: delay %v, want 0 (the limiter waits)", d)
	}
	h.Set("Retry-After", "3")
	if d := p.retryDelay(1, h, &APIError{RetryAfter: 3 * time.Second}); d != 3*time.Second {
		t.Errorf("Retry-After: delay %v", d)
	}
}
