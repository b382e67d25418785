package bench

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

// newBenchClient returns a client of s with the default options, plus
// loopback and whatever opts add.
func newBenchClient(tb testing.TB, s *benchServer, opts ...client.Option) *client.Client {
	tb.Helper()
	c, err := client.New(s.URL, benchClientID, benchClientSecret,
		append([]client.Option{client.WithAllowInsecureLoopback()}, opts...)...)
	require.NoError(tb, err)
	return c
}

// noThrottle is an initial client-side budget no benchmark exhausts. The
// limiter stays in the pipeline (reserve, observe, release per request) and
// then adopts the server's equally large X-RateLimit-* budget.
var noThrottle = client.WithRateLimit(1_000_000_000, time.Nanosecond)

// clientGetNetwork calls GetNetwork through the client and checks the answer.
func clientGetNetwork(ctx context.Context, c *client.Client) (*gen.NetworkResponse, error) {
	resp, err := c.Raw.GetNetworkWithResponse(ctx, benchNetworkID)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, errors.New("no JSON200 in the response")
	}
	return resp.JSON200, nil
}

// createNetworkBody is the createNetwork request of the benchmarks.
var createNetworkBody = gen.NetworkCreateRequest{Name: "bench", Egress: client.Ptr(true)}

// clientCreateNetwork calls CreateNetwork through the client's raw layer and
// checks the answer.
func clientCreateNetwork(ctx context.Context, c *client.Client) (*gen.NetworkResponse, error) {
	resp, err := c.Raw.CreateNetworkWithResponse(ctx, createNetworkBody)
	if err != nil {
		return nil, err
	}
	if resp.JSON201 == nil {
		return nil, errors.New("no JSON201 in the response")
	}
	return resp.JSON201, nil
}

func checkNetwork(n *gen.NetworkResponse) error {
	if n.ID != benchNetworkID || len(n.Connectors) != 2 || len(n.Routes) != 3 {
		return errors.New("unexpected network payload")
	}
	return nil
}

// fanOut makes calls calls of fn from workers goroutines sharing one counter,
// and returns the first error.
func fanOut(ctx context.Context, workers, calls int, fn func(context.Context) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if err := fn(ctx); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// Heap measurement through runtime/metrics.
const (
	metricLive    = "/gc/heap/live:bytes"                // live heap as of the last GC
	metricObjects = "/memory/classes/heap/objects:bytes" // live + not yet swept
)

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		panic("unsupported metric " + name)
	}
	return s[0].Value.Uint64()
}

// liveHeap collects garbage and returns the bytes of live heap objects. It
// collects twice: objects parked in a sync.Pool (encoding/json's and
// net/http's buffers) survive one collection in the pool's victim cache.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	return readMetric(metricLive)
}

// heapSampler samples the heap object bytes (garbage not yet collected
// included) every interval until stop, and reports the maximum.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func startHeapSampler(interval time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		s := []metrics.Sample{{Name: metricObjects}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

func signedMB(a, b uint64) float64 { return (float64(a) - float64(b)) / (1 << 20) }
