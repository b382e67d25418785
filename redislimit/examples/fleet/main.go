// Command fleet runs several processes that share one API key's rate
// budget through Redis with package redislimit, against the embedded fake
// server enforcing a per-key limit, and reports how many requests the
// server refused (none, when the budget is shared).
//
//	go run ./examples/fleet                      # starts redis-server itself
//	go run ./examples/fleet -redis 127.0.0.1:6379 -procs 4 -calls 30
//	go run ./examples/fleet -local               # each process on its own, for comparison
//
// Without -redis it starts a redis-server from PATH on a free loopback port,
// without persistence, and stops it at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit"
)

// Environment of a worker process.
const (
	envWorker = "FLEET_EXAMPLE_WORKER" // the fake server's URL
	envRedis  = "FLEET_EXAMPLE_REDIS"  // Redis address, empty for local pacing
	envCalls  = "FLEET_EXAMPLE_CALLS"
	envID     = "FLEET_EXAMPLE_CLIENT_ID"
	envSecret = "FLEET_EXAMPLE_CLIENT_SECRET"
	// envTimeout overrides redislimit's per-operation timeout (250 ms), for a
	// machine so busy that a Redis round trip may take longer: the call
	// then paces locally, and may draw a 429.
	envTimeout = "FLEET_EXAMPLE_REDIS_TIMEOUT"
)

func main() {
	if url := os.Getenv(envWorker); url != "" {
		if err := worker(context.Background(), os.Stdout, url); err != nil {
			log.Fatal(err)
		}
		return
	}
	procs := flag.Int("procs", 3, "worker processes")
	calls := flag.Int("calls", 20, "calls per process")
	addr := flag.String("redis", os.Getenv("REDIS_ADDR"), "Redis address (default: start a redis-server)")
	local := flag.Bool("local", false, "no Redis: every process paces on its own")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *procs, *calls, *addr, *local); err != nil {
		log.Fatal(err)
	}
}

// run starts the fake server (burst 20 as the real service's default, then
// 20 requests per second per API key), Redis if needed, and the workers, and reports.
func run(ctx context.Context, out io.Writer, procs, calls int, addr string, local bool) error {
	srv, err := cloudconnexatest.Start(cloudconnexatest.WithEnforcedRateLimit(20, 20, time.Second))
	if err != nil {
		return err
	}
	defer srv.Close()
	if !local && addr == "" {
		stop, a, err := startRedis(ctx)
		if err != nil {
			return err
		}
		defer stop()
		addr = a
	}
	if local {
		addr = ""
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	id, secret := srv.Handler().Credentials()
	fmt.Fprintf(out, "fake server at %s (burst 20, then 20/s per API key); %d processes × %d calls, ", srv.URL, procs, calls)
	if addr == "" {
		fmt.Fprintln(out, "each pacing on its own")
	} else {
		fmt.Fprintf(out, "sharing the budget through Redis at %s\n", addr)
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, procs)
	outs := make([][]byte, procs)
	for i := range procs {
		cmd := exec.CommandContext(ctx, exe)
		cmd.Env = append(os.Environ(), envWorker+"="+srv.URL, envRedis+"="+addr,
			envCalls+"="+strconv.Itoa(calls), envID+"="+id, envSecret+"="+secret)
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i := range procs {
		fmt.Fprintf(out, "process %d: %s", i+1, outs[i])
		if errs[i] != nil {
			return fmt.Errorf("process %d: %w", i+1, errs[i])
		}
	}
	fmt.Fprintf(out, "%d calls in %v\n", procs*calls, time.Since(start).Round(10*time.Millisecond))
	return nil
}

// worker is one process of the fleet: lists the VPN regions from 4
// goroutines, counting the 429s the server answered (each retried by
// the client).
func worker(ctx context.Context, out io.Writer, url string) error {
	calls, err := strconv.Atoi(os.Getenv(envCalls))
	if err != nil {
		return err
	}
	counter := &statusCounter{next: http.DefaultTransport}
	opts := []client.Option{client.WithAllowInsecureLoopback(), client.WithHTTPClient(&http.Client{Transport: counter})}
	if addr := os.Getenv(envRedis); addr != "" {
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}})
		defer rdb.Close()
		var lopts []redislimit.Option
		if d, err := time.ParseDuration(os.Getenv(envTimeout)); err == nil {
			lopts = append(lopts, redislimit.WithTimeout(d))
		}
		lim, err := redislimit.New(rdb, url, os.Getenv(envID), lopts...)
		if err != nil {
			return err
		}
		opts = append(opts, client.WithRateLimiter(lim))
	}
	c, err := client.New(url, os.Getenv(envID), os.Getenv(envSecret), opts...)
	if err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 4 {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if _, err := c.Raw.ListRegionsWithResponse(ctx); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(out, "%d calls, %d failed, %d answered 429 by the server\n", calls, failed.Load(), counter.tooMany.Load())
	return nil
}

// statusCounter counts the 429 answers that pass through it.
type statusCounter struct {
	next    http.RoundTripper
	tooMany atomic.Int64
}

func (s *statusCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		s.tooMany.Add(1)
	}
	return resp, err
}

// startRedis runs redis-server on a free loopback port in a temporary
// directory, without persistence.
func startRedis(ctx context.Context) (stop func(), addr string, err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", errors.New("redis-server not found: install it (apt-get install redis-server, brew install redis) or pass -redis host:port")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr = l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	dir, err := os.MkdirTemp("", "fleet-redis-")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", port, "--dir", dir, "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for i := 0; i < 100; i++ { // up to 5 s
		if rdb.Ping(ctx).Err() == nil {
			return stop, addr, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, "", errors.New("redis-server did not start")
}
