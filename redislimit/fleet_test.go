package redislimit_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/fleettest"
	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/redisserver"
)

// TestFleetWorker is the entry point of the worker processes the fleet
// tests start; run directly it skips.
func TestFleetWorker(t *testing.T) {
	fleettest.RunWorkerIfChild()
	t.Skip("the entry point of fleet worker processes")
}

// Three processes, four goroutines each, one API key: the shared budget
// keeps the server from answering a single 429.
func TestSharedBudgetAcrossProcesses(t *testing.T) {
	rs := redisserver.Start(t)
	srv := fleettest.NewServer(t, 20, 10*time.Millisecond)
	const procs, perProc = 3, 60
	fleet := fleettest.Start(t, "TestFleetWorker", procs, fleettest.Config{
		URL: srv.URL, RedisAddr: rs.Addr, Prefix: "t:", Timeout: time.Second,
		Goroutines: 4, Calls: perProc, MaxElapsed: time.Minute,
	})
	results := fleet.Wait(2 * time.Minute)
	calls := 0
	for i, r := range results {
		assert.Zero(t, r.Errors, "worker %d: %s", i, r.FirstError)
		assert.Zero(t, r.Warnings, "worker %d", i)
		assert.True(t, r.Healthy, "worker %d", i)
		assert.False(t, r.LogHasToken, "worker %d", i)
		calls += r.Calls
	}
	assert.Equal(t, procs*perProc, calls)
	assert.Zero(t, srv.TooMany.Load(), "the server answered 429s")
	assert.Equal(t, int64(procs*perProc), srv.Requests.Load())
	t.Logf("%d calls in %v (ideal %v)", calls, srv.Elapsed(), srv.Ideal(calls))

	// No secret, token, client id or tenant in any key or value.
	dump := redisDump(t, rs)
	for _, secret := range []string{fleettest.ClientSecret, fleettest.ClientID, "fleet-token-", "127.0.0.1", srv.URL} {
		assert.NotContains(t, dump, secret)
	}
	assert.Contains(t, dump, "t:{", "the dump is of the keys in use")
}

// Redis killed mid-run: calls go on (paced locally), each process logs one
// warning, no call waits past its bound; restarted: every process rejoins
// and the budget is shared again.
func TestFleetSurvivesRedisRestart(t *testing.T) {
	rs := redisserver.Start(t)
	srv := fleettest.NewServer(t, 20, 10*time.Millisecond)
	const procs, perProc, bound = 3, 200, 5 * time.Second
	fleet := fleettest.Start(t, "TestFleetWorker", procs, fleettest.Config{
		URL: srv.URL, RedisAddr: rs.Addr, Prefix: "t:", Timeout: time.Second, Probe: 100 * time.Millisecond,
		Goroutines: 4, Calls: perProc, MaxElapsed: bound,
	})
	require.Eventually(t, func() bool { return srv.Requests.Load() >= 100 }, time.Minute, 5*time.Millisecond)
	before := srv.TooMany.Load()
	rs.Kill()
	require.Eventually(t, func() bool { return srv.Requests.Load() >= 200 }, time.Minute, 5*time.Millisecond, "calls go on without Redis")
	rs.Restart()
	results := fleet.Wait(2 * time.Minute)
	for i, r := range results {
		assert.Zero(t, r.Errors, "worker %d: %s", i, r.FirstError)
		assert.Equal(t, 1, r.Warnings, "worker %d: one warning for the outage", i)
		assert.Equal(t, 1, r.Recoveries, "worker %d: rejoined once", i)
		assert.True(t, r.Healthy, "worker %d", i)
		assert.LessOrEqual(t, r.MaxCall, bound+time.Second, "worker %d", i)
		assert.False(t, r.LogHasToken, "worker %d", i)
	}
	assert.Zero(t, before, "no 429 while Redis was up")
	assert.Contains(t, redisDump(t, rs), "t:{", "the restarted Redis holds the shared state again")
	t.Logf("429s while pacing locally: %d of %d requests", srv.TooMany.Load(), srv.Requests.Load())
}

// redisDump returns every key of rs with its values, as text.
func redisDump(t *testing.T, rs *redisserver.Server) string {
	t.Helper()
	keys, err := rs.CLI("KEYS", "*")
	require.NoError(t, err)
	var b strings.Builder
	for _, k := range strings.Fields(keys) {
		b.WriteString(k + "\n")
		typ, err := rs.CLI("TYPE", k)
		require.NoError(t, err)
		var v string
		switch typ {
		case "hash":
			v, err = rs.CLI("HGETALL", k)
		case "zset":
			v, err = rs.CLI("ZRANGE", k, "0", "-1", "WITHSCORES")
		default:
			assert.Fail(t, "key of unexpected type", "key %s of type %s", k, typ)
		}
		require.NoError(t, err)
		b.WriteString(v + "\n")
	}
	return b.String()
}

// Only importers of redislimit link go-redis: the client, auth and the
// fake do not.
func TestOnlyImportersLinkGoRedis(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	deps := func(pkg string) string {
		cmd := exec.CommandContext(context.Background(), gobin, "list", "-deps", pkg)
		out, err := cmd.Output()
		require.NoError(t, err, "go list -deps %s", pkg)
		return string(out)
	}
	const goRedis = "github.com/redis/go-redis/v9"
	for _, pkg := range []string{"../client", "../auth", "../gen", "../cloudconnexatest"} {
		assert.NotContains(t, deps(pkg), goRedis, pkg)
	}
	assert.Contains(t, deps("."), goRedis, "the check can see the dependency")
}
