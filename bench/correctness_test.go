package bench

import (
	"context"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
	got, err := clientGetNetwork(ctx, c)
	require.NoError(t, err)
	require.NoError(t, checkNetwork(got))
	assert.Equal(t, raw, got, "client and baseline decoded different networks")
	genRaw, err := rc.genGetNetwork(ctx, benchNetworkID)
	require.NoError(t, err)
	assert.Equal(t, raw, genRaw, "gen-raw and baseline decoded different networks")
	want := benchNetwork()
	assert.Equal(t, want, *got, "network does not round-trip")

	p, err := rc.listUsers(ctx, 3, 7)
	require.NoError(t, err)
	require.Len(t, p.Content, 7, "page 3 of size 7")
	require.EqualValues(t, totalUsers, p.TotalElements, "page 3 of size 7: total")
	require.EqualValues(t, 3, p.Page, "page 3 of size 7: page")
	assert.Equal(t, benchUser(21), p.Content[0], "user 21 does not round-trip")
	assert.Zero(t, s.tooMany.Load(), "429s the unlimited server answered")
}

// TestCreateNetworkPayloads: the bench server answers createNetwork, and
// the baseline and both client layers decode the same network from it.
func TestCreateNetworkPayloads(t *testing.T) {
	s := newBenchServer(t, unlimited)
	ctx := context.Background()
	rc := newRawClient(t, s)
	c := newBenchClient(t, s)
	raw, err := rc.createNetwork(ctx, createNetworkBody)
	require.NoError(t, err)
	require.NoError(t, checkNetwork(raw))
	got, err := clientCreateNetwork(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, raw, got, "client and baseline decoded different networks")
	res, err := c.Networks.Create(ctx, createNetworkBody)
	require.NoError(t, err)
	assert.Equal(t, raw, res, "resource method and baseline decoded different networks")
	assert.EqualValues(t, 3, s.apiRequests.Load(), "one request per create")
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
	require.NoError(t, err)
	assert.Equal(t, int64(1), s.tokenRequests.Load(), "token requests")
	assert.Equal(t, int64(calls), s.apiRequests.Load(), "API requests (no retries expected)")
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
			require.Zero(t, res.callerErrors, "calls failed; first: %v", res.firstErr)
			require.Zero(t, res.callerTooMany, "calls failed with 429; first: %v", res.firstErr)
			// Generous: the ideal is 360 ms; a 429 costs at least a 1 s
			// Retry-After, several would show here.
			assert.LessOrEqual(t, res.total, 20*time.Second, "burst took too long; ideal %v", budgetIdeal)
			// No more requests than calls plus the retries of the 429s seen.
			assert.Equal(t, int64(budgetCalls+res.serverTooMany), s.apiRequests.Load(), "API requests the server saw")
		})
	}
}
