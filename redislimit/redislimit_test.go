package redislimit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/redisserver"
)

const (
	testTenant = "acme"
	testID     = "fleet-client-id"
)

// newRedisClient connects to srv; the client is closed when the test ends.
func newRedisClient(t *testing.T, srv *redisserver.Server) redis.UniversalClient {
	t.Helper()
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr}, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func newTestLimiter(t *testing.T, rdb redis.UniversalClient, opts ...Option) *Limiter {
	t.Helper()
	// Generous per-call timeout: the test machine is shared and busy.
	l, err := New(rdb, testTenant, testID, append([]Option{WithTimeout(time.Second)}, opts...)...)
	require.NoError(t, err)
	return l
}

// take acquires without waiting and releases after observing a response
// with the given headers.
func take(t *testing.T, l *Limiter, o client.RateObservation) {
	t.Helper()
	p, err := l.Acquire(context.Background(), 0)
	require.NoError(t, err)
	require.NoError(t, l.Observe(context.Background(), p, o))
	require.NoError(t, l.Release(context.Background(), p))
	settle(t, l)
}

// settle waits until l has written everything it saw to Redis.
func settle(t *testing.T, l *Limiter) {
	t.Helper()
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.obs) == 0 && l.releases == 0 && l.giveBacks == 0 && (l.owed == 0 || l.down)
	}, 10*time.Second, time.Millisecond, "the limiter wrote what it saw")
}

// queued returns how many callers wait in l.
func queued(l *Limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// sharedState reads the state l shares, from Redis.
func sharedState(t *testing.T, rdb redis.UniversalClient, l *Limiter) *shared {
	t.Helper()
	b, err := rdb.HGet(context.Background(), l.keys[0], "b").Result()
	require.NoError(t, err)
	sh, err := decodeShared(b)
	require.NoError(t, err)
	return sh
}

func headers(remaining, burst, rate float64) client.RateObservation {
	return client.RateObservation{StatusCode: 200, Remaining: remaining, HasRemaining: true, Burst: burst, Rate: rate}
}

func TestKeysLayout(t *testing.T) {
	k := Keys("app:", "https://ACME.api.openvpn.com/", "id-1")
	require.Len(t, k, 1)
	assert.Equal(t, Keys("app:", "acme", "id-1"), k, "tenant spellings are one tenant")
	assert.NotEqual(t, Keys("app:", "acme", "id-2"), k)
	assert.NotEqual(t, Keys("app:", "other", "id-1"), k)
	assert.Regexp(t, `^app:\{[0-9a-f]{32}\}:pacing$`, k[0])
	assert.NotContains(t, k[0], "acme")
	assert.NotContains(t, k[0], "id-1")
}

func TestNewRejectsBadInput(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for name, f := range map[string]func() (*Limiter, error){
		"nil client":     func() (*Limiter, error) { return New(nil, "t", "id") },
		"empty id":       func() (*Limiter, error) { return New(rdb, "t", " ") },
		"nil option":     func() (*Limiter, error) { return New(rdb, "t", "id", nil) },
		"brace prefix":   func() (*Limiter, error) { return New(rdb, "t", "id", WithPrefix("a{b}")) },
		"zero timeout":   func() (*Limiter, error) { return New(rdb, "t", "id", WithTimeout(0)) },
		"bad budget":     func() (*Limiter, error) { return New(rdb, "t", "id", WithBudget(0, time.Second)) },
		"negative every": func() (*Limiter, error) { return New(rdb, "t", "id", WithInitialBudget(1, -time.Second)) },
	} {
		l, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, l, name)
	}
}

// Two limiters with their own Redis connections, as two processes would
// have, draw on one budget.
func TestBudgetIsShared(t *testing.T) {
	srv := redisserver.Start(t)
	a := newTestLimiter(t, newRedisClient(t, srv), WithInitialBudget(5, time.Hour))
	b := newTestLimiter(t, newRedisClient(t, srv), WithInitialBudget(5, time.Hour))
	ctx := context.Background()
	take(t, a, headers(4, 5, 1.0/3600))
	for i := range 4 {
		l := a
		if i%2 == 1 {
			l = b
		}
		p, err := l.Acquire(ctx, 0)
		require.NoError(t, err, "acquire %d", i)
		assert.NotZero(t, p.ID)
		assert.Zero(t, p.Waited)
	}
	_, err := b.Acquire(ctx, time.Minute)
	var rlErr *client.RateLimitError
	require.ErrorAs(t, err, &rlErr, "the sixth request would wait an hour")
	assert.ErrorIs(t, err, client.ErrRateLimited)
	assert.Equal(t, client.WaitRateHeaders, rlErr.Reason)
	assert.Greater(t, rlErr.Wait, 59*time.Minute)

	// Another prefix is another budget.
	c := newTestLimiter(t, newRedisClient(t, srv), WithInitialBudget(5, time.Hour), WithPrefix("other:"))
	_, err = c.Acquire(ctx, 0)
	assert.NoError(t, err)
}

// A fleet starting at once asks for more than the initial burst before any
// response has told the real budget. The guessed rate is no evidence:
// those callers wait for the first response, not for the guess (which
// would refuse them outright as longer than they may wait).
func TestFirstBurstWaitsForEvidence(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithInitialBudget(2, time.Hour), WithPollInterval(10*time.Millisecond))
	ctx := context.Background()
	first, err := l.Acquire(ctx, 0)
	require.NoError(t, err)
	second, err := l.Acquire(ctx, 0)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		p, err := l.Acquire(ctx, time.Minute)
		if err == nil {
			err = l.Release(ctx, p)
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.FailNow(t, "the third caller did not wait for evidence", "%v", err)
	case <-time.After(100 * time.Millisecond):
	}
	// The first response: 50 per second, plenty left.
	require.NoError(t, l.Observe(ctx, first, headers(10, 20, 50)))
	require.NoError(t, l.Release(ctx, first))
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the third caller was not let go after the first response")
	}
	require.NoError(t, l.Release(ctx, second))
}

func TestEveryKeyHasATTL(t *testing.T) {
	srv := redisserver.Start(t)
	rdb := newRedisClient(t, srv)
	l := newTestLimiter(t, rdb, WithBudget(1, time.Hour), WithTTL(time.Minute))
	ctx := context.Background()
	take(t, l, headers(0, 1, 1.0/3600))
	// A waiter keeps writing its share.
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := l.Acquire(wctx, 2*time.Hour); done <- err }()
	require.Eventually(t, func() bool { return sharedState(t, rdb, l).Procs[l.id].Waiting == 1 }, 5*time.Second, 5*time.Millisecond)

	keys, err := rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, l.keys, keys)
	for _, k := range keys {
		ttl, err := rdb.PTTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Greater(t, ttl, 50*time.Second, k)
		assert.LessOrEqual(t, ttl, time.Minute, k)
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// The scenario of issue 11 against the shared bucket: 200 waiters on a
// budget of one per hour, half of them giving up early. Nobody may be let
// out early: the token of the first request was the only one.
func TestCancellationLetsNobodyOutEarly(t *testing.T) {
	srv := redisserver.Start(t)
	rdb := newRedisClient(t, srv)
	l := newTestLimiter(t, rdb, WithBudget(1, time.Hour))
	ctx := context.Background()
	take(t, l, client.RateObservation{StatusCode: 200})

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		granted int
		errs    = map[string]int{}
	)
	patient, impatient := context.WithCancel(ctx)
	defer impatient()
	for i := range 200 {
		wctx, cancel := patient, context.CancelFunc(func() {})
		if i%2 == 1 {
			wctx, cancel = context.WithTimeout(ctx, time.Duration(20+i)*time.Millisecond)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel()
			p, err := l.Acquire(wctx, 300*time.Hour)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				granted++
				_ = l.Release(ctx, p)
			case errors.Is(err, context.DeadlineExceeded):
				errs["deadline"]++
			case errors.Is(err, context.Canceled):
				errs["canceled"]++
			default:
				errs[err.Error()]++
			}
		}()
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return errs["deadline"] == 100
	}, 20*time.Second, 10*time.Millisecond, "the impatient half gave up")
	assert.Eventually(t, func() bool { return queued(l) == 100 && sharedState(t, rdb, l).Procs[l.id].Waiting == 100 }, 5*time.Second, 5*time.Millisecond,
		"the patient half still queue, and the shared state counts them")
	mu.Lock()
	assert.Zero(t, granted, "nobody was let out")
	mu.Unlock()
	impatient()
	wg.Wait()
	assert.Equal(t, map[string]int{"deadline": 100, "canceled": 100}, errs)
	assert.Zero(t, queued(l), "every place was given back")
	assert.Eventually(t, func() bool { return sharedState(t, rdb, l).Procs[l.id].Waiting == 0 }, 5*time.Second, 5*time.Millisecond)
}

// A cancelled waiter moves those behind it up exactly one place and those
// ahead of it not at all; order is kept.
func TestCancellationKeepsOrder(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithBudget(1, 300*time.Millisecond))
	ctx := context.Background()
	take(t, l, client.RateObservation{StatusCode: 200})

	type waiter struct {
		cancel context.CancelFunc
		done   chan time.Time
	}
	start := time.Now()
	var ws []waiter
	for i := range 4 {
		wctx, cancel := context.WithCancel(ctx)
		w := waiter{cancel, make(chan time.Time, 1)}
		ws = append(ws, w)
		go func() {
			p, err := l.Acquire(wctx, time.Minute)
			if err != nil {
				close(w.done)
				return
			}
			w.done <- time.Now()
			_ = l.Release(ctx, p)
		}()
		require.Eventually(t, func() bool { return queued(l) == i+1 }, 5*time.Second, time.Millisecond)
	}
	ws[1].cancel()
	_, granted := <-ws[1].done
	assert.False(t, granted)
	var at []time.Duration
	for _, i := range []int{0, 2, 3} {
		got, ok := <-ws[i].done
		require.True(t, ok, "waiter %d", i)
		at = append(at, got.Sub(start))
	}
	// One token per 300 ms: the three remaining waiters go in their order,
	// one token apart, the first when one token has refilled.
	assert.Less(t, at[0], at[1])
	assert.Less(t, at[1], at[2])
	assert.InDelta(t, 0.3, at[0].Seconds(), 0.15)
	assert.InDelta(t, 0.9, at[2].Seconds(), 0.25, "nobody behind the cancelled waiter lost its place, nor went early")
}

func TestHeadersSetTheSharedBudget(t *testing.T) {
	srv := redisserver.Start(t)
	a := newTestLimiter(t, newRedisClient(t, srv))
	b := newTestLimiter(t, newRedisClient(t, srv))
	ctx := context.Background()

	// a learns: 2 left of a burst of 3, refilled at one per hour.
	take(t, a, headers(2, 3, 1.0/3600))
	for range 2 {
		p, err := b.Acquire(ctx, 0)
		require.NoError(t, err)
		require.NoError(t, b.Release(ctx, p))
	}
	_, err := b.Acquire(ctx, 0)
	var rlErr *client.RateLimitError
	require.ErrorAs(t, err, &rlErr)
	assert.Equal(t, client.WaitRateHeaders, rlErr.Reason)
	assert.InDelta(t, time.Hour.Seconds()/pacing.RateShare, rlErr.Wait.Seconds(), 60)
}

// Newest wins: a response to an earlier ticket that arrives after a later
// one's does not undo it.
func TestNewestObservationWins(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv))
	ctx := context.Background()
	old, err := l.Acquire(ctx, 0)
	require.NoError(t, err)
	newer, err := l.Acquire(ctx, 0)
	require.NoError(t, err)
	require.Greater(t, newer.ID, old.ID)

	require.NoError(t, l.Observe(ctx, newer, headers(0, 5, 1.0/3600)))
	require.NoError(t, l.Observe(ctx, old, headers(4, 5, 1.0/3600)))
	require.NoError(t, l.Release(ctx, old))
	require.NoError(t, l.Release(ctx, newer))
	_, err = l.Acquire(ctx, 0)
	assert.ErrorIs(t, err, client.ErrRateLimited, "the newer Remaining: 0 holds")
}

// A Retry-After seen by one process holds every process.
func TestRetryAfterHoldsEveryProcess(t *testing.T) {
	srv := redisserver.Start(t)
	a := newTestLimiter(t, newRedisClient(t, srv))
	b := newTestLimiter(t, newRedisClient(t, srv))
	ctx := context.Background()
	take(t, a, client.RateObservation{StatusCode: 429, RetryAfter: 30 * time.Second, HasRetryAfter: true})
	_, err := b.Acquire(ctx, time.Second)
	var rlErr *client.RateLimitError
	require.ErrorAs(t, err, &rlErr)
	assert.Equal(t, client.WaitRetryAfter, rlErr.Reason)
	assert.InDelta(t, 30, rlErr.Wait.Seconds(), 2)
}

// TestRetryAfterHoldsTheFleetAtMostTheCap: one process's Retry-After: 86400
// holds every process back for the cap of every pause, not a day. Before:
// the whole fleet stalled for as long as the header said (issue 21).
func TestRetryAfterHoldsTheFleetAtMostTheCap(t *testing.T) {
	srv := redisserver.Start(t)
	rdb := newRedisClient(t, srv)
	a := newTestLimiter(t, rdb)
	b := newTestLimiter(t, newRedisClient(t, srv))
	take(t, a, client.RateObservation{StatusCode: 503, RetryAfter: 24 * time.Hour, HasRetryAfter: true})
	ctx := context.Background()
	now, err := rdb.Time(ctx).Result()
	require.NoError(t, err)
	pause := sharedState(t, rdb, a).State.Paused.Sub(now)
	assert.InDelta(t, pacing.MaxPause.Seconds(), pause.Seconds(), 2, "the shared pause")
	_, err = b.Acquire(ctx, time.Second)
	var rlErr *client.RateLimitError
	require.ErrorAs(t, err, &rlErr)
	assert.InDelta(t, pacing.MaxPause.Seconds(), rlErr.Wait.Seconds(), 2, "another process waits the cap")
}

// Pace only on evidence: once a server answers without any rate-limit
// header, the initial budget no longer applies; an explicit one does.
func TestHeaderlessServerIsNotPaced(t *testing.T) {
	srv := redisserver.Start(t)
	ctx := context.Background()
	free := newTestLimiter(t, newRedisClient(t, srv), WithInitialBudget(2, time.Hour))
	take(t, free, client.RateObservation{StatusCode: 200})
	for i := range 50 {
		p, err := free.Acquire(ctx, 0)
		require.NoError(t, err, "acquire %d", i)
		require.NoError(t, free.Observe(ctx, p, client.RateObservation{StatusCode: 200}))
		require.NoError(t, free.Release(ctx, p))
	}

	explicit := newTestLimiter(t, newRedisClient(t, srv), WithBudget(2, time.Hour), WithPrefix("explicit:"))
	take(t, explicit, client.RateObservation{StatusCode: 200})
	take(t, explicit, client.RateObservation{StatusCode: 200})
	_, err := explicit.Acquire(ctx, 0)
	var rlErr *client.RateLimitError
	require.ErrorAs(t, err, &rlErr)
	assert.Equal(t, client.WaitExplicitBudget, rlErr.Reason)
}

// A waiter whose turn comes is let go, and says how long it waited.
func TestWaiterGoesWhenItsTurnComes(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithPollInterval(10*time.Millisecond))
	ctx := context.Background()
	take(t, l, headers(0, 1, 5)) // one per 200 ms (at 98 %)
	start := time.Now()
	p, err := l.Acquire(ctx, 10*time.Second)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	assert.Equal(t, client.WaitRateHeaders, p.Reason)
	assert.Greater(t, p.Waited, 150*time.Millisecond)
	require.NoError(t, l.Release(ctx, p))
}

// Redis killed: calls are told within the failover period, the
// next probe is not before the probe interval, and after a restart the
// limiter shares again, with fresh state.
func TestRedisDownAndBack(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithTimeout(50*time.Millisecond), WithFailover(200*time.Millisecond), WithProbeInterval(200*time.Millisecond))
	ctx := context.Background()
	take(t, l, headers(10, 10, 1))
	require.True(t, l.Healthy())

	srv.Kill()
	start := time.Now()
	_, err := l.Acquire(ctx, time.Minute)
	require.Error(t, err)
	assert.NotErrorIs(t, err, client.ErrRateLimited)
	assert.Less(t, time.Since(start), time.Second)
	assert.False(t, l.Healthy())
	_, err = l.Acquire(ctx, time.Minute)
	assert.ErrorIs(t, err, ErrUnavailable, "no probe before the interval")

	srv.Restart()
	require.Eventually(t, func() bool {
		p, err := l.Acquire(ctx, 0)
		if err != nil {
			return false
		}
		_ = l.Release(ctx, p)
		return true
	}, 5*time.Second, 20*time.Millisecond)
	assert.True(t, l.Healthy())
}

// A waiter whose Redis dies while it waits returns within its bound with
// an error that is not a rate-limit verdict, so the Client paces locally.
func TestRedisDiesUnderAWaiter(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithTimeout(50*time.Millisecond), WithFailover(200*time.Millisecond), WithPollInterval(20*time.Millisecond))
	ctx := context.Background()
	take(t, l, headers(0, 1, 1.0/60))
	done := make(chan error, 1)
	start := time.Now()
	go func() { _, err := l.Acquire(ctx, 5*time.Minute); done <- err }()
	time.Sleep(100 * time.Millisecond)
	srv.Kill()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.NotErrorIs(t, err, client.ErrRateLimited)
		assert.Less(t, time.Since(start), 3*time.Second)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the waiter did not notice Redis was gone")
	}
}

// The three keys share one hash tag, so the scripts run on Redis Cluster
// (a multi-key script across slots would fail with CROSSSLOT).
func TestCluster(t *testing.T) {
	srv := redisserver.StartCluster(t)
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{srv.Addr}, IsClusterMode: true})
	t.Cleanup(func() { _ = rdb.Close() })
	require.IsType(t, &redis.ClusterClient{}, rdb)
	spendTwo(t, newTestLimiter(t, rdb, WithInitialBudget(2, time.Hour)))
}

// spendTwo runs every script against l's Redis: two requests spend a
// budget of two, and a third is refused.
func spendTwo(t *testing.T, l *Limiter) {
	t.Helper()
	take(t, l, headers(1, 2, 1.0/3600))
	take(t, l, headers(0, 2, 1.0/3600))
	wctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := l.Acquire(wctx, 2*time.Hour) // a ticket in the queue, then cancelled
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = l.Acquire(context.Background(), 0)
	assert.ErrorIs(t, err, client.ErrRateLimited)
}

func TestSentinel(t *testing.T) {
	master := redisserver.Start(t)
	sentinel := redisserver.StartSentinel(t, master, "fleet")
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{sentinel.Addr}, MasterName: "fleet"})
	t.Cleanup(func() { _ = rdb.Close() })
	require.IsType(t, &redis.Client{}, rdb)
	l := newTestLimiter(t, rdb, WithInitialBudget(2, time.Hour))
	spendTwo(t, l)
	// The state is on the master Sentinel named.
	n, err := master.CLI("EXISTS", l.keys[0])
	require.NoError(t, err)
	assert.Equal(t, "1", n)
}

// A grant that reaches a caller who has already given up is given back:
// the token was never spent.
func TestUnsentGrantReturnsItsToken(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv))
	ctx := context.Background()
	take(t, l, headers(1, 5, 1.0/3600))
	_, err := l.Acquire(ctx, 0)
	require.NoError(t, err)
	_, err = l.Acquire(ctx, 0)
	require.ErrorIs(t, err, client.ErrRateLimited, "the budget is spent")

	l.giveBack() // what Acquire does when its caller gave up as it was granted
	settle(t, l)
	p, err := l.Acquire(ctx, 0)
	require.NoError(t, err, "the unsent grant's token is back")
	require.NoError(t, l.Release(ctx, p))
	settle(t, l)
	_, err = l.Acquire(ctx, 0)
	assert.ErrorIs(t, err, client.ErrRateLimited, "a released permit is not refunded")
}
