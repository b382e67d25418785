package client

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/internal/tokenbucket"
)

// memTransport answers requests with a handler in memory. No sockets are
// involved, so a whole Client runs inside a testing/synctest bubble, where
// time is virtual: waits of hours take no real time and durations are
// exact.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// memAPI is an in-memory API: a token endpoint and a handler for the rest,
// recording when each API request arrived.
type memAPI struct {
	mu       sync.Mutex
	handler  http.HandlerFunc
	token    http.HandlerFunc // nil: always issue a token
	arrivals []time.Time
	tokens   []time.Time
}

func (m *memAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	if r.URL.Path == "/api/v1/oauth/token" {
		m.tokens = append(m.tokens, time.Now())
		tok := m.token
		m.mu.Unlock()
		if tok != nil {
			tok(w, r)
			return
		}
		writeJSON(w, 200, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
		return
	}
	m.arrivals = append(m.arrivals, time.Now())
	h := m.handler
	m.mu.Unlock()
	h(w, r)
}

func (m *memAPI) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.arrivals)
}

// gaps returns the time between consecutive API requests.
func (m *memAPI) gaps() []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var g []time.Duration
	for i := 1; i < len(m.arrivals); i++ {
		g = append(g, m.arrivals[i].Sub(m.arrivals[i-1]))
	}
	return g
}

// newMemClient returns a Client of an in-memory API served by h. Call it
// inside the synctest bubble.
func newMemClient(t testing.TB, m *memAPI, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{WithAllowInsecureLoopback(), WithHTTPClient(&http.Client{Transport: memTransport{m}})}, opts...)
	c, err := New("http://127.0.0.1:1", testClientID, testSecret, all...)
	require.NoError(t, err)
	return c
}

func okNetwork(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) }

// tokenBucket is a server-side budget in virtual time: burst requests, then
// one per every. It answers 429 with a Retry-After of whole seconds
// (at least 1) when spent, and with headers sends X-RateLimit-*.
type tokenBucket struct {
	mu       sync.Mutex
	burst    float64
	every    time.Duration
	bucket   *tokenbucket.Bucket
	headers  bool
	tooMany  int
	accepted int
}

func newTokenBucket(burst int, every time.Duration, headers bool) *tokenBucket {
	return &tokenBucket{burst: float64(burst), every: every, bucket: tokenbucket.New(float64(burst), 1/every.Seconds()), headers: headers}
}

func (b *tokenBucket) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	ok, level, wait := b.bucket.Take(time.Now())
	if ok {
		b.accepted++
	} else {
		b.tooMany++
	}
	b.mu.Unlock()
	if b.headers {
		perSecond := time.Second.Seconds() / b.every.Seconds()
		w.Header().Set(headerRemaining, strconv.Itoa(level))
		w.Header().Set(headerReplenishRate, strconv.FormatFloat(perSecond, 'f', -1, 64))
		w.Header().Set(headerReplenishTime, "1")
		w.Header().Set(headerBurst, strconv.Itoa(int(b.burst)))
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(int(math.Ceil(wait.Seconds())), 1)))
		writeJSON(w, 429, `{"statusError":"TOO_MANY_REQUESTS","errorMessage":"rate limit exceeded"}`)
		return
	}
	okNetwork(w, r)
}

func (b *tokenBucket) counts() (accepted, tooMany int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accepted, b.tooMany
}

// getNetwork makes one call and returns its error.
func getNetwork(ctx context.Context, c *Client) error {
	_, err := c.Raw.GetNetworkWithResponse(ctx, "n-1")
	return err
}

// parallel runs n calls from g goroutines and returns their errors.
func parallel(n, g int, call func(i int) error) []error {
	errs := make([]error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for i := range next {
				errs[i] = call(i)
			}
		})
	}
	wg.Wait()
	return errs
}

func countErrs(errs []error) (n int, first error) {
	for _, err := range errs {
		if err != nil {
			if n == 0 {
				first = err
			}
			n++
		}
	}
	return n, first
}
