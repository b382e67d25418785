// Package fleettest runs fleets of real OS processes that share one API key,
// for the tests of redislimit and the benchmarks in bench/: a small
// budget-enforcing API server on loopback (a token bucket per client id,
// X-RateLimit-* headers on every answer, 429 + Retry-After when empty), the
// worker that a child process runs, and the parent side that starts the
// children and collects their results.
//
// A child is the test binary itself, started with -test.run naming a test
// that calls [RunWorkerIfChild] (which does nothing in the parent).
package fleettest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/tokenbucket"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit"
)

// Credentials of the fleet's one API key.
const (
	ClientID     = "fleet-client-id"
	ClientSecret = "fleet-client-secret-do-not-log"
	NetworkID    = "5c3e7b5a-1f0d-4c55-9a43-2f1d7e9b8c01"

	envConfig    = "FLEETTEST_WORKER_CONFIG"
	resultMarker = "FLEETTEST-RESULT "
)

// Server is the budget-enforcing API server. Every token it issues for the
// one client id draws on the same bucket, as the real service's per-key
// limit does.
type Server struct {
	*httptest.Server
	burst float64
	per   time.Duration

	Requests atomic.Int64 // API requests (token requests not included)
	TooMany  atomic.Int64 // 429 answers

	mu     sync.Mutex
	bucket *tokenbucket.Bucket
	first  time.Time // first API request
	end    time.Time // last API answer
}

// NewServer starts a server allowing burst requests at once, then one per
// per; it is closed when the test ends.
func NewServer(tb testing.TB, burst int, per time.Duration) *Server {
	tb.Helper()
	s := &Server{burst: float64(burst), per: per, bucket: tokenbucket.New(float64(burst), 1/per.Seconds())}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// Elapsed is the time from the first API request to the last answer.
func (s *Server) Elapsed() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end.Sub(s.first)
}

// Ideal is the shortest time n requests can take under the budget: the
// burst at once, then one per token.
func (s *Server) Ideal(n int) time.Duration {
	return time.Duration(max(0, float64(n)-s.burst)) * s.per
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/oauth/token" {
		id, secret, ok := r.BasicAuth()
		if !ok || id != ClientID || secret != ClientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"fleet-token-%d","token_type":"Bearer","expires_in":3600}`, time.Now().UnixNano())
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer fleet-token-") {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errorMessage":"no token"}`)
		return
	}
	s.Requests.Add(1)
	rate := 1 / s.per.Seconds()
	now := time.Now()
	s.mu.Lock()
	if s.first.IsZero() {
		s.first = now
	}
	ok, remaining, wait := s.bucket.Take(now)
	s.mu.Unlock()

	// The rate in whole requests per whole seconds, as the real headers
	// state it: 1 per 15 ms is "67 per 1 s".
	perSecond := max(1, int(math.Round(rate)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Replenish-Rate", strconv.Itoa(perSecond))
	h.Set("X-RateLimit-Replenish-Time", "1")
	h.Set("X-RateLimit-Burst-Capacity", strconv.Itoa(int(s.burst)))
	if !ok {
		s.TooMany.Add(1)
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errorMessage":"rate limit exceeded"}`)
	} else if r.URL.Path == "/api/v1/networks/"+NetworkID {
		fmt.Fprintf(w, `{"id":%q,"name":"fleet","internetAccess":"SPLIT_TUNNEL_ON","egress":false}`, NetworkID)
	} else {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errorMessage":"not found"}`)
	}
	s.mu.Lock()
	s.end = time.Now()
	s.mu.Unlock()
}

// Config is what one worker process does.
type Config struct {
	URL        string
	RedisAddr  string        // empty: the Client's local limiter only
	Prefix     string        // redislimit key prefix
	Timeout    time.Duration // redislimit per-operation timeout, 0 for its default
	Probe      time.Duration // redislimit probe interval, 0 for its default
	Goroutines int
	Calls      int           // calls of this process, spread over Goroutines
	Pace       time.Duration // pause between a goroutine's calls (0: none)
	MaxElapsed time.Duration // the retry policy's bound of every call
	StartAt    int64         // UnixNano at which every worker starts calling
}

// Result is what one worker reports.
type Result struct {
	Calls       int
	Errors      int
	FirstError  string
	MaxCall     time.Duration // the longest call
	Warnings    int           // "rate limiter failed" warnings logged
	Recoveries  int           // "rate limiter works again" records
	Healthy     bool          // the Redis limiter's state at the end
	LogHasToken bool          // a log record contained the secret or a token
}

// RunWorkerIfChild runs the worker and exits when the process was started
// by Run; otherwise it returns at once.
func RunWorkerIfChild() {
	raw := os.Getenv(envConfig)
	if raw == "" {
		return
	}
	var cfg Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fleettest: bad config:", err)
		os.Exit(2)
	}
	res, err := work(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleettest:", err)
		os.Exit(2)
	}
	b, _ := json.Marshal(res)
	fmt.Printf("%s%s\n", resultMarker, b)
	os.Exit(0)
}

// logCounter is a slog.Handler that counts records and checks that none
// carries the secret.
type logCounter struct {
	mu         sync.Mutex
	warnings   int
	recoveries int
	leaked     bool
}

func (*logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	s := b.String()
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelWarn && strings.Contains(s, "rate limiter failed") {
		h.warnings++
	}
	if strings.Contains(s, "rate limiter works again") {
		h.recoveries++
	}
	if strings.Contains(s, ClientSecret) || strings.Contains(s, "fleet-token-") {
		h.leaked = true
	}
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }

func work(cfg Config) (Result, error) {
	logs := &logCounter{}
	opts := []client.Option{
		client.WithAllowInsecureLoopback(),
		client.WithLogger(slog.New(logs)),
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 20, MaxElapsed: cfg.MaxElapsed, BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}),
	}
	var lim *redislimit.Limiter
	if cfg.RedisAddr != "" {
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{cfg.RedisAddr}, MaxRetries: -1, DialTimeout: 50 * time.Millisecond})
		defer rdb.Close()
		var err error
		lopts := []redislimit.Option{redislimit.WithPrefix(cfg.Prefix)}
		if cfg.Timeout > 0 {
			lopts = append(lopts, redislimit.WithTimeout(cfg.Timeout))
		}
		if cfg.Probe > 0 {
			lopts = append(lopts, redislimit.WithProbeInterval(cfg.Probe))
		}
		lim, err = redislimit.New(rdb, cfg.URL, ClientID, lopts...)
		if err != nil {
			return Result{}, err
		}
		opts = append(opts, client.WithRateLimiter(lim))
	}
	c, err := client.New(cfg.URL, ClientID, ClientSecret, opts...)
	if err != nil {
		return Result{}, err
	}
	// Fetch the token before the start line, as a long-running process has.
	if _, err := c.Authenticator().Token(context.Background()); err != nil {
		return Result{}, fmt.Errorf("token: %w", err)
	}
	if wait := time.Until(time.Unix(0, cfg.StartAt)); wait > 0 && wait < time.Minute {
		time.Sleep(wait)
	}

	var (
		mu   sync.Mutex
		res  Result
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range cfg.Goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(cfg.Calls) {
				began := time.Now()
				_, err := c.Raw.GetNetworkWithResponse(context.Background(), NetworkID)
				took := time.Since(began)
				mu.Lock()
				res.Calls++
				res.MaxCall = max(res.MaxCall, took)
				if err != nil {
					res.Errors++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
				}
				mu.Unlock()
				if cfg.Pace > 0 {
					time.Sleep(cfg.Pace)
				}
			}
		})
	}
	wg.Wait()
	res.Warnings, res.Recoveries, res.LogHasToken = logs.warnings, logs.recoveries, logs.leaked
	res.Healthy = lim != nil && lim.Healthy()
	return res, nil
}

// Fleet is a set of running worker processes.
type Fleet struct {
	tb    testing.TB
	cmds  []*exec.Cmd
	outs  []*bytes.Buffer
	errs  []*bytes.Buffer
	waits chan int
}

// Start starts n copies of the test binary running testName (which must
// call RunWorkerIfChild) with cfg. Call Wait for the results; processes
// still running when the test ends are killed.
func Start(tb testing.TB, testName string, n int, cfg Config) *Fleet {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.StartAt == 0 {
		// Time for every process to start and fetch its token.
		cfg.StartAt = time.Now().Add(time.Second).UnixNano()
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	f := &Fleet{tb: tb, waits: make(chan int, n)}
	for i := range n {
		cmd := exec.Command(exe, "-test.run=^"+testName+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), envConfig+"="+string(raw))
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start worker %d: %v", i, err)
		}
		f.cmds, f.outs, f.errs = append(f.cmds, cmd), append(f.outs, &out), append(f.errs, &stderr)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, cmd := range f.cmds {
		wg.Go(func() {
			_ = cmd.Wait()
			f.waits <- i
		})
	}
	go func() { wg.Wait(); close(done) }()
	tb.Cleanup(func() {
		for _, cmd := range f.cmds {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
			}
		}
		<-done
	})
	return f
}

// Wait waits up to timeout for every worker and returns their results; a
// worker that fails or does not finish fails the test.
func (f *Fleet) Wait(timeout time.Duration) []Result {
	f.tb.Helper()
	deadline := time.After(timeout)
	for range f.cmds {
		select {
		case <-f.waits:
		case <-deadline:
			for _, cmd := range f.cmds {
				_ = cmd.Process.Kill()
			}
			f.tb.Fatalf("workers did not finish within %v", timeout)
		}
	}
	var results []Result
	for i, out := range f.outs {
		var r Result
		found := false
		sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), resultMarker); ok {
				found = json.Unmarshal([]byte(line), &r) == nil
			}
		}
		if !found {
			f.tb.Fatalf("worker %d reported no result: exit %v\nstdout: %s\nstderr: %s", i, f.cmds[i].ProcessState, out, f.errs[i])
		}
		results = append(results, r)
	}
	return results
}

// Percentile returns the p-th percentile (0..100) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}
