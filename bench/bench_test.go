package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// See docs/performance.md for what each benchmark measures, the targets and
// the results. Sub-benchmarks that compare with a baseline are adjacent
// (…/raw, then …/client) so benchstat can put them side by side.

var sinkLen int // keeps decoded results observable

// BenchmarkGetNetwork is the per-call overhead: one GetNetwork, sequentially,
// through the full client (auth transport, retry loop, limiter, error
// mapping, decoding into gen.NetworkResponse) versus the hand-written call.
// Each side has its own connection pool with the same settings, warmed
// before the timer starts.
//
//   - raw: the baseline.
//   - client: default options, except loopback and an initial budget that
//     never throttles (the server's headers then teach an equally large
//     one); nothing is disabled.
//   - client-nolimiter: the same with WithoutRateLimit, to show what the
//     limiter costs.
//   - gen-raw: the baseline, but building the request with
//     gen.NewGetNetworkRequest and decoding with gen.ParseGetNetworkResponse;
//     the share of the overhead that is oapi-codegen's generated code rather
//     than the client package.
//   - interleaved: a block of 100 raw calls and a block of 100 client calls
//     per op, alternating which goes first; reports each side's mean and
//     their ratio, which drift in the host's speed affects much less than
//     two separate runs (see docs/performance.md). Blocks, not single calls:
//     alternating call by call keeps neither side's code and data in the
//     CPU caches and inflates the gap (about 1.18 instead of 1.10).
//   - interleaved-resource: the same with the resource method,
//     c.Networks.Get, as the client side.
func BenchmarkGetNetwork(b *testing.B) {
	s := newBenchServer(b, unlimited)
	ctx := context.Background()

	rawOp := func(b *testing.B) func() error { return networkOp(ctx, newRawClient(b, s).getNetwork) }
	genRawOp := func(b *testing.B) func() error { return networkOp(ctx, newRawClient(b, s).genGetNetwork) }
	clientOp := func(b *testing.B, opts ...client.Option) func() error {
		c := newBenchClient(b, s, opts...)
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) { return clientGetNetwork(ctx, c) })
	}

	b.Run("raw", func(b *testing.B) { loop(b, rawOp(b)) })
	b.Run("client", func(b *testing.B) { loop(b, clientOp(b, noThrottle)) })
	b.Run("client-nolimiter", func(b *testing.B) { loop(b, clientOp(b, client.WithoutRateLimit())) })
	b.Run("gen-raw", func(b *testing.B) { loop(b, genRawOp(b)) })
	b.Run("interleaved", func(b *testing.B) {
		const block = 100
		interleave(b, "call", block, repeat(block, rawOp(b)), repeat(block, clientOp(b, noThrottle)))
	})
	b.Run("interleaved-resource", func(b *testing.B) {
		const block = 100
		c := newBenchClient(b, s, noThrottle)
		interleave(b, "call", block, repeat(block, rawOp(b)), repeat(block, networkOp(ctx, c.Networks.Get)))
	})
}

// BenchmarkCreateNetwork is BenchmarkGetNetwork for a POST with a JSON
// body: createNetwork, answered 201 with the bench network, through the raw
// layer (client: c.Raw.CreateNetworkWithResponse) and the resource method
// (resource: c.Networks.Create) against the hand-written call (raw:
// encoding/json both ways), each alone and interleaved in blocks of 100.
func BenchmarkCreateNetwork(b *testing.B) {
	s := newBenchServer(b, unlimited)
	ctx := context.Background()
	rawOp := func(b *testing.B) func() error {
		rc := newRawClient(b, s)
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
			return rc.createNetwork(ctx, createNetworkBody)
		})
	}
	clientOp := func(b *testing.B) func() error {
		c := newBenchClient(b, s, noThrottle)
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) { return clientCreateNetwork(ctx, c) })
	}
	resourceOp := func(b *testing.B) func() error {
		c := newBenchClient(b, s, noThrottle)
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
			return c.Networks.Create(ctx, createNetworkBody)
		})
	}
	const block = 100
	b.Run("raw", func(b *testing.B) { loop(b, rawOp(b)) })
	b.Run("client", func(b *testing.B) { loop(b, clientOp(b)) })
	b.Run("resource", func(b *testing.B) { loop(b, resourceOp(b)) })
	b.Run("interleaved", func(b *testing.B) {
		interleave(b, "call", block, repeat(block, rawOp(b)), repeat(block, clientOp(b)))
	})
	b.Run("interleaved-resource", func(b *testing.B) {
		interleave(b, "call", block, repeat(block, rawOp(b)), repeat(block, resourceOp(b)))
	})
}

// networkOp is one GetNetwork of the bench network through get.
func networkOp(ctx context.Context, get func(context.Context, string) (*gen.NetworkResponse, error)) func() error {
	return func() error {
		n, err := get(ctx, benchNetworkID)
		if err == nil {
			sinkLen += len(n.Connectors)
		}
		return err
	}
}

// repeat returns op made n times.
func repeat(n int, op func() error) func() error {
	return func() error {
		for range n {
			if err := op(); err != nil {
				return err
			}
		}
		return nil
	}
}

// warm runs op once before measuring: token, connection, first decode.
func warm(b *testing.B, op func() error) {
	b.Helper()
	require.NoError(b, op(), "warm-up")
}

// loop is the plain benchmark loop over op.
func loop(b *testing.B, op func() error) {
	warm(b, op)
	b.ReportAllocs()
	for b.Loop() {
		// Not require.NoError: it calls b.Helper on every call, which
		// locks and walks the stack inside the measured loop.
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}

// interleave runs one raw and one client op per iteration, alternating
// which goes first so that drift in the machine's speed hits both sides
// alike. It reports each side's mean time per unit (perOp units per op) and
// client/raw, the ratio of their total times.
func interleave(b *testing.B, unit string, perOp int, raw, cl func() error) {
	warm(b, raw)
	warm(b, cl)
	b.ReportAllocs()
	var tRaw, tClient time.Duration
	i := 0
	for b.Loop() {
		first, second, tFirst, tSecond := raw, cl, &tRaw, &tClient
		if i%2 == 1 {
			first, second, tFirst, tSecond = cl, raw, &tClient, &tRaw
		}
		i++
		t0 := time.Now()
		// Plain checks, as in loop: they are inside the timed span.
		if err := first(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := second(); err != nil {
			b.Fatal(err)
		}
		*tFirst += t1.Sub(t0)
		*tSecond += time.Since(t1)
	}
	units := float64(b.N * perOp)
	b.ReportMetric(float64(tRaw.Nanoseconds())/units, "raw-ns/"+unit)
	b.ReportMetric(float64(tClient.Nanoseconds())/units, "client-ns/"+unit)
	b.ReportMetric(tClient.Seconds()/tRaw.Seconds(), "client/raw")
}

// pager iterates every user once and calls probe with the running count
// before handling each user.
type pager func(ctx context.Context, probe func(n int)) (int, error)

// BenchmarkListUsers100k iterates 100,000 users in pages of 1,000; one op is
// the whole iteration. Besides time and allocations it reports memory:
//
//   - peak-heap-MB: the most live heap (after a forced GC at the first user
//     of every page, in one extra untimed iteration) above the live heap
//     before the iteration; what the iteration holds on to.
//   - peak-heap-sampled-MB: the most heap object bytes (garbage not yet
//     collected included) sampled every 500µs during the timed iterations,
//     above the live heap before them; what the process really used.
//   - page-json-MB and page-decoded-MB: the size of one page on the wire and
//     decoded, the yardsticks for "about one page".
func BenchmarkListUsers100k(b *testing.B) {
	pageJSON := len(usersPage(0, userPageSize))
	warmPages() // render all pages before the server starts answering
	var decoded uint64
	{
		before := liveHeap()
		var p gen.PageUserResponse
		require.NoError(b, json.Unmarshal(usersPage(0, userPageSize), &p))
		decoded = liveHeap() - before
		sinkLen += len(p.Content)
	}
	s := newBenchServer(b, unlimited)
	ctx := context.Background()

	measure := func(b *testing.B, iterate pager) {
		// Warm up: token, connection, first page.
		n, err := iterate(ctx, func(int) {})
		require.NoError(b, err, "warm-up")
		require.Equal(b, totalUsers, n, "users iterated in the warm-up")
		b.ReportAllocs()
		base := liveHeap()
		sampler := startHeapSampler(500 * time.Microsecond)
		b.ResetTimer()
		for b.Loop() {
			n, err := iterate(ctx, func(int) {})
			if err != nil || n != totalUsers { // plain: inside the measured loop
				b.Fatalf("iterated %d users, err %v", n, err)
			}
		}
		b.StopTimer()
		sampled := sampler.Stop()

		// One instrumented iteration: live heap at every page boundary.
		base2 := liveHeap()
		var peak uint64
		n, err = iterate(ctx, func(n int) {
			if n%userPageSize == 0 {
				peak = max(peak, liveHeap())
			}
		})
		require.NoError(b, err, "instrumented iteration")
		require.Equal(b, totalUsers, n, "users iterated in the instrumented iteration")
		b.ReportMetric(signedMB(peak, base2), "peak-heap-MB")
		b.ReportMetric(signedMB(sampled, base), "peak-heap-sampled-MB")
		b.ReportMetric(mb(uint64(pageJSON)), "page-json-MB")
		b.ReportMetric(mb(decoded), "page-decoded-MB")
	}

	rawPager := func(b *testing.B) pager {
		rc := newRawClient(b, s)
		return func(ctx context.Context, probe func(int)) (int, error) {
			n := 0
			for page := 0; ; page++ {
				p, err := rc.listUsers(ctx, page, userPageSize)
				if err != nil {
					return n, err
				}
				for i := range p.Content {
					probe(n)
					sinkLen += len(p.Content[i].Email)
					n++
				}
				if int(p.Page)+1 >= int(p.TotalPages) || len(p.Content) == 0 {
					return n, nil
				}
			}
		}
	}
	clientPager := func(b *testing.B) pager {
		c := newBenchClient(b, s, noThrottle)
		params := &client.UsersListParams{Size: userPageSize}
		return func(ctx context.Context, probe func(int)) (int, error) {
			n := 0
			for u, err := range c.Users.All(ctx, params) {
				if err != nil {
					return n, err
				}
				probe(n)
				sinkLen += len(u.Email)
				n++
			}
			return n, nil
		}
	}
	op := func(p pager) func() error {
		return func() error {
			n, err := p(ctx, func(int) {})
			if err == nil && n != totalUsers {
				err = fmt.Errorf("iterated %d users, want %d", n, totalUsers)
			}
			return err
		}
	}

	b.Run("raw", func(b *testing.B) { measure(b, rawPager(b)) })
	b.Run("client", func(b *testing.B) { measure(b, clientPager(b)) })
	b.Run("interleaved", func(b *testing.B) {
		interleave(b, "user", totalUsers, op(rawPager(b)), op(clientPager(b)))
	})
}

const (
	concurrency     = 64
	concurrentCalls = 10_000
)

// BenchmarkConcurrency64 is 10,000 GetNetwork calls from 64 goroutines
// sharing one client (one op), versus 64 goroutines sharing one raw
// http.Client. Both are warmed with one concurrent round first, which opens
// the connections and, for the client, fetches the token from cold: the
// token-requests metric counts the client's token requests over the whole
// benchmark, and must be 1.
func BenchmarkConcurrency64(b *testing.B) {
	s := newBenchServer(b, unlimited)
	ctx := context.Background()

	measure := func(b *testing.B, call func(context.Context) error) {
		require.NoError(b, fanOut(ctx, concurrency, concurrency, call), "warm-up")
		b.ReportAllocs()
		conns := s.conns.Load()
		start := time.Now()
		for b.Loop() {
			if err := fanOut(ctx, concurrency, concurrentCalls, call); err != nil { // plain: measured
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		b.ReportMetric(float64(b.N*concurrentCalls)/el.Seconds(), "calls/s")
		b.ReportMetric(float64(s.conns.Load()-conns)/float64(b.N), "new-conns/op")
	}
	rawCall := func(b *testing.B) func(context.Context) error {
		rc := newRawClient(b, s)
		return func(ctx context.Context) error {
			n, err := rc.getNetwork(ctx, benchNetworkID)
			if err == nil {
				err = checkNetwork(n)
			}
			return err
		}
	}
	clientCall := func(b *testing.B, opts ...client.Option) func(context.Context) error {
		c := newBenchClient(b, s, append([]client.Option{noThrottle}, opts...)...)
		return func(ctx context.Context) error {
			n, err := clientGetNetwork(ctx, c)
			if err == nil {
				err = checkNetwork(n)
			}
			return err
		}
	}
	round := func(call func(context.Context) error) func() error {
		return func() error { return fanOut(ctx, concurrency, concurrentCalls, call) }
	}
	// tokens reports the token requests made while f ran (the raw client's
	// own token request is made before, in rawCall).
	tokens := func(b *testing.B, f func()) {
		before := s.tokenRequests.Load()
		f()
		n := s.tokenRequests.Load() - before
		b.ReportMetric(float64(n), "token-requests")
		assert.Equal(b, int64(1), n, "token requests the client made")
	}

	b.Run("raw", func(b *testing.B) { measure(b, rawCall(b)) })
	b.Run("client", func(b *testing.B) {
		tokens(b, func() { measure(b, clientCall(b)) })
	})
	// Diagnostic: the same without the per-attempt timeout. http.Client
	// enforces its Timeout with a goroutine and a timer per request when its
	// Transport is not an *http.Transport, and the client's is auth's
	// signing wrapper (see docs/performance.md).
	b.Run("client-notimeout", func(b *testing.B) {
		tokens(b, func() { measure(b, clientCall(b, client.WithTimeout(0))) })
	})
	b.Run("interleaved", func(b *testing.B) {
		raw := rawCall(b)
		tokens(b, func() {
			// The first (warm-up) round of each side is concurrent, so the
			// client's token is fetched by 64 goroutines at once.
			interleave(b, "call", concurrentCalls, round(raw), round(clientCall(b)))
		})
	})
}

// The rate-budget scenario: the server allows a burst of 20 and refills 500
// requests per second per key; 200 calls start at once.
const (
	budgetBurst = 20
	budgetRate  = 500
	budgetCalls = 200
)

// budgetIdeal is when the last call can start under the budget: 20 at once,
// then one every 2 ms.
var budgetIdeal = time.Duration(float64(budgetCalls-budgetBurst) / budgetRate * float64(time.Second))

// burstResult is one burst of budgetCalls concurrent calls.
type burstResult struct {
	total         time.Duration // first API request at the server → last call returned
	wall          time.Duration // burst started → last call returned (token fetch included)
	serverTooMany int           // 429s the server answered
	callerTooMany int           // calls that returned a 429 error
	callerErrors  int           // calls that returned any error
	firstErr      error
}

// runBurst makes budgetCalls concurrent GetNetwork calls through c, which
// should be a fresh client (so a fresh key with a full bucket on the server).
// started is called right before the calls are released.
func runBurst(ctx context.Context, tb testing.TB, s *benchServer, c *client.Client, started func()) burstResult {
	s.resetCounters()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		res   burstResult
		start = make(chan struct{})
	)
	for range budgetCalls {
		wg.Go(func() {
			<-start
			n, err := clientGetNetwork(ctx, c)
			if err == nil {
				err = checkNetwork(n)
			}
			if err != nil {
				mu.Lock()
				res.callerErrors++
				if errors.Is(err, client.ErrRateLimited) {
					res.callerTooMany++
				}
				if res.firstErr == nil {
					res.firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	if started != nil {
		started()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	end := time.Now()
	res.wall = end.Sub(t0)
	if first := s.firstAPI.Load(); first != 0 {
		res.total = end.Sub(time.Unix(0, first))
	}
	res.serverTooMany = int(s.tooMany.Load())
	assert.GreaterOrEqual(tb, s.apiRequests.Load(), int64(budgetCalls), "API requests the server saw")
	return res
}

// BenchmarkRateBudget is one burst of 200 concurrent calls per op, through a
// fresh client each time, against the 20 + 500/s budget. The baseline is the
// ideal schedule the budget allows (ideal-ms): the last call starts 360 ms
// after the first. total-ms runs from the first API request the server
// sees to the return of the last call; wall-ms from the release of the 200
// goroutines (so it includes the token request).
//
//   - client: default options; the limiter starts from the vendor default
//     (20, then 1 per 15 s) and learns 500/s from the first response.
//   - client-configured: WithRateLimit(20, 2ms), the budget known up front.
func BenchmarkRateBudget(b *testing.B) {
	s := newBenchServer(b, limits{burst: budgetBurst, rate: budgetRate})
	ctx := context.Background()

	run := func(name string, opts ...client.Option) {
		b.Run(name, func(b *testing.B) {
			var sumTotal, sumWall, worst time.Duration
			var server429, caller429, callerErr int
			for range b.N {
				b.StopTimer()
				c := newBenchClient(b, s, opts...)
				res := runBurst(ctx, b, s, c, b.StartTimer)
				b.StopTimer()
				if res.firstErr != nil && callerErr == 0 {
					b.Logf("first caller error: %v", res.firstErr)
				}
				sumTotal += res.total
				sumWall += res.wall
				worst = max(worst, res.total)
				server429 += res.serverTooMany
				caller429 += res.callerTooMany
				callerErr += res.callerErrors
			}
			n := float64(b.N)
			mean := sumTotal.Seconds() / n
			b.ReportMetric(mean*1000, "total-ms")
			b.ReportMetric(sumWall.Seconds()/n*1000, "wall-ms")
			b.ReportMetric(budgetIdeal.Seconds()*1000, "ideal-ms")
			b.ReportMetric(mean/budgetIdeal.Seconds(), "ratio")
			b.ReportMetric(worst.Seconds()/budgetIdeal.Seconds(), "worst-ratio")
			b.ReportMetric(float64(server429)/n, "server-429s")
			b.ReportMetric(float64(caller429)/n, "caller-429s")
			b.ReportMetric(float64(callerErr)/n, "caller-errors")
			assert.Zero(b, callerErr, "calls failed over %d bursts (%d with 429)", b.N, caller429)
			assert.Zero(b, caller429, "calls failed with 429 over %d bursts", b.N)
		})
	}
	run("client")
	run("client-configured", client.WithRateLimit(budgetBurst, time.Second/budgetRate))
}
