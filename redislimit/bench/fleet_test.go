package bench

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/redislimit"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/fleettest"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/redisserver"
	"github.com/stretchr/testify/assert"
)

// The fleet benchmark: one API key used by several OS processes at once.
const (
	fleetProcs      = 4
	fleetGoroutines = 8
	fleetCalls      = 400 // in all
	fleetBurst      = 20
	fleetPer        = 15 * time.Millisecond
)

// TestFleetBenchWorker is the entry point of BenchmarkFleet's worker
// processes; run directly it skips.
func TestFleetBenchWorker(t *testing.T) {
	fleettest.RunWorkerIfChild()
	t.Skip("the entry point of fleet benchmark worker processes")
}

// BenchmarkFleet runs 4 processes × 8 goroutines, 400 GetNetwork calls in
// all with one client id, against a server enforcing burst 20 then 1 per
// 15 ms per API key (X-RateLimit-* headers on every answer, 429 +
// Retry-After when empty). The baseline is the ideal schedule (ideal-ms:
// the burst at once, then one call per 15 ms); total-ms runs from the first
// API request the server sees to its last answer.
//
//   - redis: every process paces through one redislimit.Limiter budget in
//     a real redis-server on loopback.
//   - local: each process's own adaptive limiter, the default, for
//     comparison: each knows only its own traffic.
func BenchmarkFleet(b *testing.B) {
	for _, mode := range []string{"redis", "local"} {
		b.Run(mode, func(b *testing.B) {
			cfg := fleettest.Config{
				Goroutines: fleetGoroutines,
				Calls:      fleetCalls / fleetProcs,
				MaxElapsed: 2 * time.Minute,
				Prefix:     "bench:",
			}
			if mode == "redis" {
				cfg.RedisAddr = redisserver.Start(b).Addr
			}
			var total, worst time.Duration
			var tooMany, errs int64
			var ideal time.Duration
			for range b.N {
				b.StopTimer()
				srv := fleettest.NewServer(b, fleetBurst, fleetPer)
				cfg.URL = srv.URL
				fleet := fleettest.Start(b, "TestFleetBenchWorker", fleetProcs, cfg)
				b.StartTimer()
				results := fleet.Wait(5 * time.Minute)
				b.StopTimer()
				for i, r := range results {
					if r.Warnings > 0 || r.Recoveries > 0 {
						b.Logf("%s: worker %d: %d limiter warnings, %d recoveries", mode, i, r.Warnings, r.Recoveries)
					}
					errs += int64(r.Errors)
					if r.Errors > 0 {
						b.Logf("%s: first error: %s", mode, r.FirstError)
					}
				}
				el := srv.Elapsed()
				total += el
				worst = max(worst, el)
				tooMany += srv.TooMany.Load()
				ideal = srv.Ideal(fleetCalls)
				srv.Close()
			}
			n := float64(b.N)
			mean := total.Seconds() / n
			b.ReportMetric(mean*1000, "total-ms")
			b.ReportMetric(ideal.Seconds()*1000, "ideal-ms")
			b.ReportMetric(mean/ideal.Seconds(), "ratio")
			b.ReportMetric(worst.Seconds()/ideal.Seconds(), "worst-ratio")
			b.ReportMetric(float64(tooMany)/n, "server-429s")
			b.ReportMetric(float64(errs)/n, "caller-errors")
			assert.Zero(b, errs, "calls failed")
		})
	}
}

// BenchmarkRedisAcquire is what the shared limiter itself costs a request
// on loopback: one Acquire (one Lua script round trip) against a budget
// that never throttles, reported as p50 and p99 of single calls, and the
// Release that follows it (a second round trip, after the response).
func BenchmarkRedisAcquire(b *testing.B) {
	rs := redisserver.Start(b)
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{rs.Addr}})
	b.Cleanup(func() { _ = rdb.Close() })
	lim, err := redislimit.New(rdb, "bench", "acquire-cost", redislimit.WithInitialBudget(1<<30, time.Nanosecond))
	require.NoError(b, err)
	ctx := context.Background()
	for range 100 { // warm the pool and the script cache
		p, err := lim.Acquire(ctx, time.Second)
		require.NoError(b, err)
		require.NoError(b, lim.Release(ctx, p))
	}
	acquire := make([]time.Duration, 0, b.N)
	release := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		p, err := lim.Acquire(ctx, time.Second)
		t1 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		if err := lim.Release(ctx, p); err != nil {
			b.Fatal(err)
		}
		acquire = append(acquire, t1.Sub(t0))
		release = append(release, time.Since(t1))
	}
	b.StopTimer()
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(fleettest.Percentile(acquire, 50)), "acquire-p50-µs")
	b.ReportMetric(us(fleettest.Percentile(acquire, 99)), "acquire-p99-µs")
	b.ReportMetric(us(fleettest.Percentile(release, 50)), "release-p50-µs")
	b.ReportMetric(us(fleettest.Percentile(release, 99)), "release-p99-µs")
}
