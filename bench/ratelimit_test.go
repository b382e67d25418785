package bench

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

// Benchmarks of the rate limiter where the server's word is not the happy
// path: no rate-limit headers at all, only 429s with Retry-After, and
// callers that give up. Each prints its ratio against a baseline measured
// in the same run.

const noHeadersCalls = 200

// BenchmarkNoHeaders is 200 concurrent GetNetwork calls against a server
// that sends no X-RateLimit-* headers and never answers 429, through a fresh
// client with default options (one op), versus 200 concurrent calls of the
// hand-written baseline, interleaved. The client must not pace: its initial
// guess covers the first 20 calls and is dropped with the first answer.
// The client's token is fetched before timing, as the baseline's is.
func BenchmarkNoHeaders(b *testing.B) {
	s := newBenchServer(b, limits{burst: 1e9, rate: 1e9, noHeaders: true})
	ctx := context.Background()
	rc := newRawClient(b, s)
	burst := func(call func(context.Context) error) time.Duration {
		start := time.Now()
		if err := fanOut(ctx, noHeadersCalls, noHeadersCalls, call); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	raw := func(ctx context.Context) error {
		n, err := rc.getNetwork(ctx, benchNetworkID)
		if err == nil {
			err = checkNetwork(n)
		}
		return err
	}
	burst(raw) // warm the baseline's connections
	// Fresh clients (a fresh limiter each op) share one transport, warmed
	// like the baseline's, so both sides reuse connections alike.
	tr := client.NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	hc := client.WithHTTPClient(&http.Client{Transport: tr, Timeout: client.DefaultTimeout})
	warmClient := newBenchClient(b, s, hc)
	require.NoError(b, fanOut(ctx, noHeadersCalls, noHeadersCalls, func(ctx context.Context) error {
		_, err := clientGetNetwork(ctx, warmClient)
		return err
	}), "warm-up")
	var tRaw, tClient time.Duration
	for b.Loop() {
		b.StopTimer()
		c := newBenchClient(b, s, hc)
		_, err := c.Authenticator().Token(ctx)
		require.NoError(b, err)
		b.StartTimer()
		tClient += burst(func(ctx context.Context) error {
			n, err := clientGetNetwork(ctx, c)
			if err == nil {
				err = checkNetwork(n)
			}
			return err
		})
		tRaw += burst(raw)
	}
	assert.Zero(b, s.tooMany.Load(), "429s the server answered")
	n := float64(b.N)
	b.ReportMetric(tRaw.Seconds()/n*1000, "raw-ms")
	b.ReportMetric(tClient.Seconds()/n*1000, "client-ms")
	b.ReportMetric(tClient.Seconds()/tRaw.Seconds(), "client/raw")
}

// The learned-429 scenario: a server without headers enforcing a burst of
// 20, then one request per 15 ms, answering 429 with Retry-After (whole
// seconds, at least 1); 200 calls from 8 goroutines.
const (
	learnedBurst   = 20
	learnedEvery   = 15 * time.Millisecond
	learnedCalls   = 200
	learnedWorkers = 8
)

// learnedIdeal is when the last call can start under that budget.
var learnedIdeal = time.Duration(learnedCalls-learnedBurst) * learnedEvery

// BenchmarkLearned429 is one run of the learned-429 scenario per op,
// through a fresh client (a fresh key with a full bucket) with default
// options. The baseline is the ideal schedule (ideal-ms: 20 at once, then
// one per 15 ms); ratio is total-ms over it, total-ms running from the
// first API request the server sees to the return of the last call.
// 429-share is the server's 429s over all API requests it saw.
func BenchmarkLearned429(b *testing.B) {
	s := newBenchServer(b, limits{burst: learnedBurst, rate: float64(time.Second) / float64(learnedEvery), noHeaders: true})
	ctx := context.Background()
	var sumTotal time.Duration
	var tooMany, requests, failed int64
	for b.Loop() {
		b.StopTimer()
		c := newBenchClient(b, s)
		_, err := c.Authenticator().Token(ctx)
		require.NoError(b, err)
		s.resetCounters()
		b.StartTimer()
		err = fanOut(ctx, learnedWorkers, learnedCalls, func(ctx context.Context) error {
			n, err := clientGetNetwork(ctx, c)
			if err == nil {
				err = checkNetwork(n)
			}
			return err
		})
		end := time.Now()
		b.StopTimer()
		if err != nil {
			failed++
			b.Logf("a call failed: %v", err)
		}
		sumTotal += end.Sub(time.Unix(0, s.firstAPI.Load()))
		tooMany += s.tooMany.Load()
		requests += s.apiRequests.Load()
		b.StartTimer()
	}
	n := float64(b.N)
	mean := sumTotal.Seconds() / n
	b.ReportMetric(mean*1000, "total-ms")
	b.ReportMetric(learnedIdeal.Seconds()*1000, "ideal-ms")
	b.ReportMetric(mean/learnedIdeal.Seconds(), "ratio")
	b.ReportMetric(float64(tooMany)/float64(requests), "429-share")
	b.ReportMetric(float64(tooMany)/n, "server-429s")
	assert.Zero(b, failed, "runs with failed calls")
}

// impatientTimeout is the per-call timeout of half of the callers in
// BenchmarkRateBudgetImpatient.
const impatientTimeout = 100 * time.Millisecond

// BenchmarkRateBudgetImpatient is BenchmarkRateBudget's burst (200
// concurrent calls, server budget 20 + 500/s with headers) where every
// other caller has a 100 ms per-call timeout: those the budget cannot serve
// in time give up, and must cost the others nothing. The baseline is the
// ideal schedule of the requests the server actually saw (20 at once, then
// one per 2 ms); total-ms runs from the first API request to the return of
// the last patient call.
func BenchmarkRateBudgetImpatient(b *testing.B) {
	s := newBenchServer(b, limits{burst: budgetBurst, rate: budgetRate})
	ctx := context.Background()
	var sumTotal, sumIdeal time.Duration
	var server429, patientErrs, impatientOK int
	for b.Loop() {
		b.StopTimer()
		c := newBenchClient(b, s)
		_, err := c.Authenticator().Token(ctx)
		require.NoError(b, err)
		s.resetCounters()
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			start = make(chan struct{})
		)
		for i := range budgetCalls {
			wg.Go(func() {
				<-start
				callCtx, cancel := ctx, context.CancelFunc(func() {})
				if i%2 == 0 {
					callCtx, cancel = context.WithTimeout(ctx, impatientTimeout)
				}
				defer cancel()
				n, err := clientGetNetwork(callCtx, c)
				if err == nil {
					err = checkNetwork(n)
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case i%2 == 0 && err == nil:
					impatientOK++
				case i%2 != 0 && err != nil:
					patientErrs++
					if patientErrs == 1 {
						b.Logf("patient call failed: %v", err)
					}
				case i%2 == 0 && !errors.Is(err, client.ErrRateLimited) && !errors.Is(err, context.DeadlineExceeded):
					assert.Fail(b, "impatient call: unexpected error", "%v", err)
				}
			})
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		end := time.Now()
		b.StopTimer()
		sumTotal += end.Sub(time.Unix(0, s.firstAPI.Load()))
		sent := s.apiRequests.Load()
		sumIdeal += time.Duration(float64(sent-budgetBurst) / budgetRate * float64(time.Second))
		server429 += int(s.tooMany.Load())
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(sumTotal.Seconds()/n*1000, "total-ms")
	b.ReportMetric(sumIdeal.Seconds()/n*1000, "ideal-ms")
	b.ReportMetric(sumTotal.Seconds()/sumIdeal.Seconds(), "ratio")
	b.ReportMetric(float64(server429)/n, "server-429s")
	b.ReportMetric(float64(impatientOK)/n, "impatient-served")
	assert.Zero(b, patientErrs, "patient calls that failed")
}

// BenchmarkFakeSequential is 1,000 sequential calls through srv.Client() of
// the spec-validated fake started WithoutRateLimit() (one op): the client's
// default limiter, seeing no rate-limit headers, must not pace. The
// baseline is the same client with the limiter off (client.WithoutRateLimit).
func BenchmarkFakeSequential(b *testing.B) {
	srv := cloudconnexatest.NewServer(b, cloudconnexatest.WithoutRateLimit())
	ctx := context.Background()
	seq := func(c *client.Client) time.Duration {
		start := time.Now()
		for range 1000 {
			if _, err := c.Raw.ListRegionsWithResponse(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var tDefault, tOff time.Duration
	for b.Loop() {
		b.StopTimer()
		def, off := srv.Client(), srv.Client(client.WithoutRateLimit())
		b.StartTimer()
		tDefault += seq(def)
		tOff += seq(off)
	}
	n := float64(b.N)
	b.ReportMetric(tDefault.Seconds()/n*1000, "default-ms/1000")
	b.ReportMetric(tOff.Seconds()/n*1000, "nolimiter-ms/1000")
	b.ReportMetric(tDefault.Seconds()/tOff.Seconds(), "default/nolimiter")
}

// TestFakeWithoutRateLimitNeverWaits: srv.Client() of the fake started
// WithoutRateLimit() makes 1,000 sequential calls without ever waiting for
// the client-side budget (every attempt's Debug record says wait=0s). The
// time they take is BenchmarkFakeSequential's.
func TestFakeWithoutRateLimitNeverWaits(t *testing.T) {
	srv := cloudconnexatest.NewServer(t, cloudconnexatest.WithoutRateLimit())
	var rec waitRecorder
	c := srv.Client(client.WithLogger(slog.New(&rec)))
	for range 1000 {
		_, err := c.Raw.ListRegionsWithResponse(t.Context())
		require.NoError(t, err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, 1000, rec.attempts, "attempts logged")
	assert.Zero(t, rec.waited, "attempts that waited for the budget")
}

// waitRecorder is a slog.Handler counting the Debug records of attempts and
// those with a non-zero wait.
type waitRecorder struct {
	mu               sync.Mutex
	attempts, waited int
}

func (*waitRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (w *waitRecorder) WithAttrs([]slog.Attr) slog.Handler     { return w }
func (w *waitRecorder) WithGroup(string) slog.Handler          { return w }

func (w *waitRecorder) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "cloudconnexa: request" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts++
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" && a.Value.Duration() != 0 {
			w.waited++
		}
		return true
	})
	return nil
}
