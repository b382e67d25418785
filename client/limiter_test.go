package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
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

// Rule 1: pace only on evidence.

// TestNoHeadersNoPacing: a server without rate-limit headers and without
// 429s is never paced. Before: 100 concurrent calls, 26 done after 90 s;
// 23 sequential calls took 45 s.
func TestNoHeadersNoPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: okNetwork}
		c := newMemClient(t, m)
		start := time.Now()
		errs := parallel(100, 100, func(int) error { return getNetwork(t.Context(), c) })
		n, first := countErrs(errs)
		require.Zero(t, n, "errors: %v", first)
		// The first burst of 20 waits for the first answer, nothing else.
		assert.Zero(t, time.Since(start), "100 concurrent calls waited")
		start = time.Now()
		for range 1000 {
			require.NoError(t, getNetwork(t.Context(), c))
		}
		assert.Zero(t, time.Since(start), "1000 sequential calls waited")
		assert.Equal(t, 1100, m.count())
	})
}

// TestInitialGuessCoversFirstBurst: before any answer, the conservative
// guess lets 20 requests go; the rest wait for the first answer.
func TestInitialGuessCoversFirstBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			<-release
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		done := make(chan error, 30)
		for range 30 {
			go func() { done <- getNetwork(t.Context(), c) }()
		}
		synctest.Wait()
		assert.Equal(t, DefaultRateLimitBurst, m.count(), "requests before any answer")
		close(release)
		for range 30 {
			require.NoError(t, <-done)
		}
		assert.Equal(t, 30, m.count())
	})
}

// TestExplicitBudgetAlwaysHolds: WithRateLimit is the user's word, with
// headers or without, even when the headers allow more.
func TestExplicitBudgetAlwaysHolds(t *testing.T) {
	for _, withHeaders := range []bool{false, true} {
		t.Run(fmt.Sprint("headers=", withHeaders), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				server := newTokenBucket(1000, time.Millisecond, withHeaders)
				m := &memAPI{handler: server.serve}
				c := newMemClient(t, m, WithRateLimit(2, time.Second))
				start := time.Now()
				n, first := countErrs(parallel(6, 6, func(int) error { return getNetwork(t.Context(), c) }))
				require.Zero(t, n, "errors: %v", first)
				assert.Equal(t, 4*time.Second, time.Since(start), "2 at once, then one per second")
			})
		})
	}
}

// TestHeaderlessSuccessDropsGuessAfter429Server: a server that answers 429
// without headers is learned: it converges without a 429 storm.
func TestLearnsHeaderless429Server(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		server := newTokenBucket(5, 100*time.Millisecond, false)
		m := &memAPI{handler: server.serve}
		c := newMemClient(t, m, WithRetryPolicy(RetryPolicy{MaxAttempts: 10, MaxElapsed: time.Hour}))
		start := time.Now()
		const calls = 200
		n, first := countErrs(parallel(calls, 4, func(int) error { return getNetwork(t.Context(), c) }))
		require.Zero(t, n, "errors: %v", first)
		took := time.Since(start)
		_, tooMany := server.counts()
		ideal := time.Duration(calls-5) * 100 * time.Millisecond
		t.Logf("took %v (ideal %v, ratio %.2f), %d 429s", took, ideal, took.Seconds()/ideal.Seconds(), tooMany)
		assert.Less(t, took.Seconds(), 1.5*ideal.Seconds(), "far slower than the server allows")
		assert.LessOrEqual(t, tooMany, calls/10, "429 storm")
	})
}

// TestHeadersPaceAtLearnedRate: a server with a budget of 5 and 100 per
// second in its headers: the client, which starts from its guess, learns the
// rate from the first answer and paces instead of collecting 429s.
func TestHeadersPaceAtLearnedRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		server := newTokenBucket(5, 10*time.Millisecond, true)
		m := &memAPI{handler: server.serve}
		c := newMemClient(t, m)
		start := time.Now()
		n, first := countErrs(parallel(45, 45, func(int) error { return getNetwork(t.Context(), c) }))
		require.Zero(t, n, "errors: %v", first)
		took := time.Since(start)
		// Ideal: 5 at once, then 40 at 10 ms (at 98 % of the rate).
		assert.InDelta(t, 0.41, took.Seconds(), 0.02, "took %v", took)
		_, tooMany := server.counts()
		assert.Zero(t, tooMany)
	})
}

// TestMalformedHeadersEndToEnd: values that are not plain numbers never fail
// a call nor make it wait.
func TestMalformedHeadersEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		values := []string{"abc", "-5", "1e99", "", "99999999999999999999999999", "NaN", "0x10", "+3"}
		var n atomic.Int32
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			v := values[int(n.Add(1))%len(values)]
			for _, h := range []string{headerRemaining, headerReplenishRate, headerReplenishTime, headerBurst, "Retry-After"} {
				w.Header().Set(h, v)
			}
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		start := time.Now()
		for range 50 {
			require.NoError(t, getNetwork(t.Context(), c))
		}
		assert.Zero(t, time.Since(start))
	})
}

// Rule 2: Retry-After is the server's word.

// TestRetryAfterOnEvery429: three 429s with Retry-After: 1 are retried after
// exactly 1 s each. Before: gaps of 1 s, 15 s, 15 s.
func TestRetryAfterOnEvery429(t *testing.T) {
	for _, name := range []string{"default", "explicit budget", "no limiter"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n atomic.Int32
				m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) <= 3 {
						w.Header().Set("Retry-After", "1")
						writeJSON(w, 429, `{}`)
						return
					}
					okNetwork(w, r)
				}}
				var opts []Option
				switch name {
				case "explicit budget":
					opts = append(opts, WithRateLimit(100, time.Millisecond))
				case "no limiter":
					opts = append(opts, WithoutRateLimit())
				}
				c := newMemClient(t, m, opts...)
				require.NoError(t, getNetwork(t.Context(), c))
				assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second}, m.gaps())
			})
		})
	}
}

// TestRetryAfterPausesEveryone: a 429's Retry-After holds back the other
// callers of the Client too, not only the one that got it.
func TestRetryAfterPausesEveryone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 2 {
				w.Header().Set("Retry-After", "5")
				writeJSON(w, 503, `{}`)
				return
			}
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		require.NoError(t, getNetwork(t.Context(), c)) // drops the guess
		start := time.Now()
		done := make(chan error)
		go func() { done <- getNetwork(t.Context(), c) }() // gets the 503
		synctest.Wait()
		require.NoError(t, getNetwork(t.Context(), c), "another caller")
		assert.Equal(t, 5*time.Second, time.Since(start), "another caller waited for the Retry-After")
		require.NoError(t, <-done)
	})
}

// Rule 3: every wait is bounded.

// TestHugeRetryAfterPausesAtMostTheCap: one 429 with Retry-After: 86400
// returns at once to its caller (the wait is past its MaxElapsed) and holds
// the other callers back no longer than the cap of every pause.
func TestHugeRetryAfterPausesAtMostTheCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 2 {
				w.Header().Set("Retry-After", "86400")
				writeJSON(w, 429, `{}`)
				return
			}
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		require.NoError(t, getNetwork(context.Background(), c))
		start := time.Now()
		err := getNetwork(context.Background(), c)
		assert.Zero(t, time.Since(start))
		assert.ErrorIs(t, err, ErrRateLimited)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 24*time.Hour, apiErr.RetryAfter)
		require.NoError(t, getNetwork(context.Background(), c), "the next caller")
		assert.Equal(t, pacing.MaxPause, time.Since(start))
	})
}

// TestAbsurdRefillStallsNobody: a 200 with Remaining: 0 and a refill of one
// per week is not a budget: later calls are not held.
func TestAbsurdRefillStallsNobody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(headerRemaining, "0")
			w.Header().Set(headerReplenishRate, "1")
			w.Header().Set(headerReplenishTime, "604800")
			okNetwork(w, r)
		}}
		c := newMemClient(t, m)
		start := time.Now()
		for range 30 {
			require.NoError(t, getNetwork(context.Background(), c))
		}
		assert.Zero(t, time.Since(start))
	})
}

// TestRetryAfterBeyondDeadline: Retry-After: 30 with a 500 ms context
// returns the 429 at once. Before: a bare context deadline exceeded after
// 500 ms.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, 429, `{}`)
		}}
		c := newMemClient(t, m)
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := getNetwork(ctx, c)
		assert.Zero(t, time.Since(start))
		assert.ErrorIs(t, err, ErrRateLimited)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 30*time.Second, apiErr.RetryAfter)
		assert.Equal(t, 1, m.count())

		// A caller that arrives during the pause with a short deadline is
		// told at once how long the budget is spent.
		start = time.Now()
		ctx2, cancel2 := context.WithTimeout(t.Context(), time.Second)
		defer cancel2()
		err = getNetwork(ctx2, c)
		assert.Zero(t, time.Since(start))
		assert.ErrorIs(t, err, ErrRateLimited)
		var rlErr *RateLimitError
		require.ErrorAs(t, err, &rlErr)
		assert.Equal(t, 30*time.Second, rlErr.Wait)
		assert.Equal(t, WaitRetryAfter, rlErr.Reason)
		assert.Contains(t, err.Error(), "exhausted for 30s")
	})
}

// TestPauseRefusesQueuedWaiters: waiters already queued when a Retry-After
// arrives that ends past their deadline are told at once.
func TestPauseRefusesQueuedWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			writeJSON(w, 429, `{}`)
		}}
		c := newMemClient(t, m, WithRateLimit(1, 10*time.Second))
		start := time.Now()
		first := make(chan error)
		go func() { first <- getNetwork(t.Context(), c) }()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		err := getNetwork(ctx, c) // queued for 10 s; then the 429 pauses 60 s
		assert.ErrorIs(t, err, ErrRateLimited)
		assert.Equal(t, time.Duration(0), time.Since(start))
		assert.ErrorIs(t, <-first, ErrRateLimited)
	})
}

// TestMaxElapsedBoundsFirstAttempts: a first attempt waits for the budget no
// longer than the retry policy's MaxElapsed.
func TestMaxElapsedBoundsFirstAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: okNetwork}
		c := newMemClient(t, m, WithRateLimit(1, time.Hour))
		require.NoError(t, getNetwork(context.Background(), c))
		start := time.Now()
		err := getNetwork(context.Background(), c)
		assert.Zero(t, time.Since(start))
		var rlErr *RateLimitError
		require.ErrorAs(t, err, &rlErr)
		assert.ErrorIs(t, err, ErrRateLimited)
		assert.Equal(t, time.Hour, rlErr.Wait)
		assert.Equal(t, WaitExplicitBudget, rlErr.Reason)
		assert.Equal(t, DefaultRetryPolicy().MaxElapsed, rlErr.MaxWait)
		assert.Equal(t, 1, m.count())
	})
}

// Rule 4: cancellation is exact.

// TestCancelledWaitersReleaseNothing: with a budget of 1 per hour and 200
// waiters of whom half give up, nothing more is sent until the hour is up,
// and then the first patient waiter goes. Before: 50 requests were sent.
func TestCancelledWaitersReleaseNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: okNetwork}
		c := newMemClient(t, m, WithRateLimit(1, time.Hour), WithRetryPolicy(RetryPolicy{MaxElapsed: 1000 * time.Hour}))
		require.NoError(t, getNetwork(t.Context(), c))

		var order []int
		var mu sync.Mutex
		done := make(chan error, 200)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		for i := range 200 {
			callCtx := ctx
			if i%2 == 0 {
				// Gives up after 1 to 7 s. (A deadline would be refused up
				// front: the budget says the wait is hours.)
				impatient, stop := context.WithCancel(ctx)
				defer stop()
				time.AfterFunc(time.Duration(1+i%7)*time.Second, stop)
				callCtx = impatient
			}
			go func() {
				err := getNetwork(callCtx, c)
				if err == nil {
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
				}
				done <- err
			}()
			synctest.Wait() // queue in order i
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		assert.Equal(t, 1, m.count(), "requests sent while waiters gave up")
		for range 100 {
			assert.ErrorIs(t, <-done, context.Canceled)
		}
		time.Sleep(time.Hour - 10*time.Second)
		synctest.Wait()
		assert.Equal(t, 2, m.count())
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		assert.Equal(t, 4, m.count())
		mu.Lock()
		assert.Equal(t, []int{1, 3, 5}, order, "first come, first served")
		mu.Unlock()
		cancel()
		canceled := 0
		for range 100 {
			if errors.Is(<-done, context.Canceled) {
				canceled++
			}
		}
		assert.Equal(t, 97, canceled, "the patient waiters still queued")
	})
}

// TestImpatientCallersCostNoBudget: against a server budget of 20 then one
// per 2 s, with its headers, 120 callers of whom half give up after 1 s:
// the server sees what its budget allows and answers no 429. Before: 66
// requests and 29 ErrRateLimited.
func TestImpatientCallersCostNoBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		server := newTokenBucket(20, 2*time.Second, true)
		m := &memAPI{handler: server.serve}
		c := newMemClient(t, m)
		require.NoError(t, getNetwork(t.Context(), c))
		errs := parallel(120, 120, func(i int) error {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			if i%2 == 0 {
				ctx, cancel = context.WithTimeout(t.Context(), time.Second)
			}
			defer cancel()
			return getNetwork(ctx, c)
		})
		accepted, tooMany := server.counts()
		assert.Zero(t, tooMany, "429s at the server")
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		// 19 left in the burst, then one per 2 s for 10 s.
		assert.Equal(t, accepted-1, ok)
		assert.LessOrEqual(t, accepted, 1+19+5+1)
	})
}

// Rule 5: visible waits.

func TestWaitsAreLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs syncBuffer
		m := &memAPI{handler: okNetwork}
		c := newMemClient(t, m, WithRateLimit(1, 2*time.Second),
			WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		require.NoError(t, getNetwork(t.Context(), c))
		require.NoError(t, getNetwork(t.Context(), c))
		out := logs.String()
		assert.Contains(t, out, `level=INFO msg="cloudconnexa: waited for the rate limit budget" operation=getNetwork wait=2s reason="WithRateLimit budget"`)
		assert.Equal(t, 1, strings.Count(out, "level=INFO"), out)
		assert.Contains(t, out, "wait=0s")
		assert.Contains(t, out, `wait=2s wait_reason="WithRateLimit budget"`)
	})
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRetryDelayFromRateHeaders(t *testing.T) {
	p := &pipeline{retry: DefaultRetryPolicy(), now: time.Now}
	o := NewRateObservation(rateHeaders("0", "4", "1", ""), 429, time.Now())
	assert.Equal(t, 250*time.Millisecond, p.retryDelay(1, o), "without a limiter: delay")
	p.limiter = newLimiter(0, 0, time.Now)
	assert.Zero(t, p.retryDelay(1, o), "with a limiter: delay (the limiter waits)")
	o.RetryAfter, o.HasRetryAfter = 3*time.Second, true
	assert.Equal(t, 3*time.Second, p.retryDelay(1, o), "Retry-After: delay")
}

func TestRateObservationIgnoresMalformedHeaders(t *testing.T) {
	now := time.Now()
	for _, bad := range []string{"abc", "-5", "1e99", "", " ", "99999999999999999999999", "NaN", "Inf", "0x10", "1.", ".5", "1..2", "+3", "12abc"} {
		o := NewRateObservation(rateHeaders(bad, bad, bad, bad), 200, now)
		assert.False(t, o.HasRateHeaders(), "%q: %+v", bad, o)
	}
	o := NewRateObservation(rateHeaders("1", "0", "1", "0"), 200, now)
	assert.Zero(t, o.Rate, "zero rate")
	assert.Zero(t, o.Burst, "zero burst")
	o = NewRateObservation(rateHeaders("1", "5", "0", ""), 200, now)
	assert.Zero(t, o.Rate, "zero period")
	o = NewRateObservation(rateHeaders("", "5", "", ""), 200, now)
	assert.Zero(t, o.Rate, "rate without period")
	assert.False(t, o.HasRemaining)
	o = NewRateObservation(rateHeaders("2.5", "1", "0.5", "3"), 200, now)
	assert.Equal(t, 2.5, o.Remaining)
	assert.Equal(t, 2.0, o.Rate)
	assert.Equal(t, 3.0, o.Burst)
	assert.Equal(t, 500*time.Millisecond, o.PerRequest())
}

// TestTokenRetryAfter: a 429 of the token endpoint with Retry-After: 2 is
// retried after exactly 2 s, and other callers meanwhile do not ask again
// but wait the same. Before: retried after 180 ms.
func TestTokenRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		m := &memAPI{handler: okNetwork, token: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "2")
				writeJSON(w, 429, `{"error":"slow_down"}`)
				return
			}
			writeJSON(w, 200, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
		}}
		c := newMemClient(t, m)
		start := time.Now()
		n2, first := countErrs(parallel(5, 5, func(int) error { return getNetwork(t.Context(), c) }))
		require.Zero(t, n2, "errors: %v", first)
		assert.Equal(t, 2*time.Second, time.Since(start))
		m.mu.Lock()
		defer m.mu.Unlock()
		require.Len(t, m.tokens, 2, "token requests")
		assert.Equal(t, 2*time.Second, m.tokens[1].Sub(m.tokens[0]))
	})
}

// TestTokenRetryAfterBeyondDeadline: a token 429 whose Retry-After ends past
// the caller's deadline returns at once, matching ErrRateLimited.
func TestTokenRetryAfterBeyondDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &memAPI{handler: okNetwork, token: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, 429, `{"error":"slow_down"}`)
		}}
		c := newMemClient(t, m)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		err := getNetwork(ctx, c)
		assert.Zero(t, time.Since(start))
		assert.ErrorIs(t, err, ErrRateLimited)
		var authErr *AuthenticationError
		require.ErrorAs(t, err, &authErr)
		assert.Equal(t, 30*time.Second, authErr.RetryAfter)
		// Another caller is told without a new token request.
		err = getNetwork(ctx, c)
		require.ErrorAs(t, err, &authErr)
		assert.Equal(t, 30*time.Second, authErr.RetryAfter)
		m.mu.Lock()
		assert.Len(t, m.tokens, 1)
		m.mu.Unlock()
	})
}
