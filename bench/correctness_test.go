package bench

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// Ordinary tests of the properties the benchmarks rely on, with generous
// bounds: they run in `make test` (with -race) and assert correctness, not
// timing targets.

// TestPayloads checks that the client and the baseline decode the same
// payloads from the bench server.
func TestPayloads(t *testing.T) {
	s := newBenchServer(t, unlimited)
	ctx := context.Background()
	rc := newRawClient(t, s)
	c := newBenchClient(t, s)

	raw, err := rc.getNetwork(ctx, benchNetworkID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := clientGetNetwork(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkNetwork(got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(raw, got) {
		t.Errorf("client and baseline decoded different networks:\n%+v\n%+v", got, raw)
	}
	genRaw, err := rc.genGetNetwork(ctx, benchNetworkID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(raw, genRaw) {
		t.Errorf("gen-raw and baseline decoded different networks:\n%+v\n%+v", genRaw, raw)
	}
	want := benchNetwork()
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("network does not round-trip:\n%+v\n%+v", *got, want)
	}

	p, err := rc.listUsers(ctx, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Content) != 7 || p.TotalElements != totalUsers || p.Page != 3 {
		t.Fatalf("page 3 of size 7: %d users, total %d, page %d", len(p.Content), p.TotalElements, p.Page)
	}
	if u := benchUser(21); !reflect.DeepEqual(p.Content[0], u) {
		t.Errorf("user 21 does not round-trip:\n%+v\n%+v", p.Content[0], u)
	}
	if s.tooMany.Load() != 0 {
		t.Errorf("unlimited server answered %d 429s", s.tooMany.Load())
	}
}

// TestConcurrencySingleToken: 64 goroutines share a cold client; every call
// succeeds and the server sees exactly one token request.
func TestConcurrencySingleToken(t *testing.T) {
	s := newBenchServer(t, unlimited)
	c := newBenchClient(t, s, noThrottle)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	calls := 2000
	if testing.Short() {
		calls = 256
	}
	err := fanOut(ctx, concurrency, calls, func(ctx context.Context) error {
		n, err := clientGetNetwork(ctx, c)
		if err == nil {
			err = checkNetwork(n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.tokenRequests.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	if got := s.apiRequests.Load(); got != int64(calls) {
		t.Errorf("API requests = %d, want %d (no retries expected)", got, calls)
	}
}

// TestRateBudget: a burst of 200 concurrent calls against a burst-20,
// 500/s budget completes with no 429 returned to the caller, with default
// options and with the budget configured up front.
func TestRateBudget(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  bool
	}{{"default", false}, {"configured", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newBenchServer(t, limits{burst: budgetBurst, rate: budgetRate})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var opts []client.Option
			if tc.cfg {
				opts = append(opts, client.WithRateLimit(budgetBurst, time.Second/budgetRate))
			}
			c := newBenchClient(t, s, opts...)
			res := runBurst(ctx, t, s, c, nil)
			t.Logf("total %v (ideal %v, ratio %.3f), wall %v, server 429s %d, caller 429s %d",
				res.total.Round(time.Millisecond), budgetIdeal, res.total.Seconds()/budgetIdeal.Seconds(),
				res.wall.Round(time.Millisecond), res.serverTooMany, res.callerTooMany)
			if res.callerTooMany != 0 || res.callerErrors != 0 {
				t.Fatalf("%d calls failed, %d of them with 429; first: %v", res.callerErrors, res.callerTooMany, res.firstErr)
			}
			// Generous: the ideal is 360 ms; a 429 costs at least a 1 s
			// Retry-After, several would show here.
			if res.total > 20*time.Second {
				t.Errorf("burst took %v, ideal %v", res.total, budgetIdeal)
			}
			// No more requests than calls plus the retries of the 429s seen.
			if got, want := s.apiRequests.Load(), int64(budgetCalls+res.serverTooMany); got != want {
				t.Errorf("server saw %d API requests, want %d", got, want)
			}
		})
	}
}
