package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// The allocation gates: deterministic counts, not timings, so they run in
// `make test` and fail on the next decode too many. Every side runs over the
// in-memory transport (no sockets, no server goroutines), so a count is the
// library's own work plus net/http's client side, identical for all sides.
//
//   - GetNetwork and CreateNetwork through the generated …WithResponse
//     layer and the resource layer: at most raw + 10 % allocations;
//   - one page of 1,000 users through c.Users.All: at most raw + 5 %;
//   - iterating pages holds one page: the live heap at every page boundary
//     stays within 10 % of what the raw page loop holds.

const (
	perCallAllocSlack = 1.10
	pageAllocSlack    = 1.05
	pageHeapSlack     = 1.10
	// callRuns and pageRuns are how many runs each count averages over:
	// enough to smooth the odd pool miss (the race detector drops
	// sync.Pool items at random), few enough for a quick `make test`.
	callRuns = 50
	pageRuns = 3
)

// memRawClient is the baseline over the in-memory transport.
func memRawClient() *rawClient {
	return &rawClient{hc: &http.Client{Transport: newMemTransport()},
		base: "http://127.0.0.1:1", bearer: "Bearer mem-token"}
}

// memClient is a client over the in-memory transport, with the options of
// BenchmarkGetNetworkInMemory: no per-call timeout, as the baseline has none.
func memClient(tb testing.TB) *client.Client {
	tb.Helper()
	c, err := client.New("http://127.0.0.1:1", benchClientID, benchClientSecret,
		client.WithAllowInsecureLoopback(), noThrottle, client.WithTimeout(0),
		client.WithHTTPClient(&http.Client{Transport: newMemTransport()}))
	require.NoError(tb, err)
	return c
}

// allocsPerRun warms op up once (token, pools) and returns its mean
// allocations over runs runs.
func allocsPerRun(tb testing.TB, runs int, op func() error) float64 {
	tb.Helper()
	require.NoError(tb, op(), "warm-up")
	var err error
	n := testing.AllocsPerRun(runs, func() {
		if e := op(); e != nil && err == nil {
			err = e
		}
	})
	require.NoError(tb, err)
	return n
}

// rawCreateNetwork is CreateNetwork as the baseline makes it: the body
// encoded with encoding/json, the answer decoded with a json.Decoder.
func (rc *rawClient) createNetwork(ctx context.Context, body gen.NetworkCreateRequest) (*gen.NetworkResponse, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rc.base+createNetworkPath, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", rc.bearer)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := rc.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return nil, rawStatusError(resp.StatusCode)
	}
	var n gen.NetworkResponse
	if err := json.NewDecoder(resp.Body).Decode(&n); err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return &n, err
}

func TestAllocGatePerCall(t *testing.T) {
	ctx := context.Background()
	create := gen.NetworkCreateRequest{Name: "bench", Egress: client.Ptr(true)}
	rc := memRawClient()
	c := memClient(t)

	withResponse := func(ctx context.Context, _ string) (*gen.NetworkResponse, error) { return clientGetNetwork(ctx, c) }
	createWithResponse := func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
		resp, err := c.Raw.CreateNetworkWithResponse(ctx, create)
		if err != nil {
			return nil, err
		}
		if resp.JSON201 == nil {
			return nil, errors.New("no JSON201 in the response")
		}
		return resp.JSON201, nil
	}
	for _, tc := range []struct {
		name                        string
		raw, withResponse, resource func(context.Context, string) (*gen.NetworkResponse, error)
	}{
		{"GetNetwork", rc.getNetwork, withResponse, c.Networks.Get},
		{"CreateNetwork",
			func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
				return rc.createNetwork(ctx, create)
			},
			createWithResponse,
			func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
				return c.Networks.Create(ctx, create)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := allocsPerRun(t, callRuns, networkOp(ctx, tc.raw))
			limit := raw * perCallAllocSlack
			for _, side := range []struct {
				name string
				get  func(context.Context, string) (*gen.NetworkResponse, error)
			}{{"with-response", tc.withResponse}, {"resource", tc.resource}} {
				got := allocsPerRun(t, callRuns, networkOp(ctx, side.get))
				t.Logf("%s/%s: %.0f allocs per call, raw %.0f (%.3f×)", tc.name, side.name, got, raw, got/raw)
				assert.LessOrEqual(t, got, limit, "%s/%s: allocations per call over raw %.0f + %.0f %%", tc.name, side.name, raw, (perCallAllocSlack-1)*100)
			}
		})
	}
}

// TestAllocGateUsersPage ranges over the first page of 1,000 users and
// stops at its last user, so that no second page is asked for.
func TestAllocGateUsersPage(t *testing.T) {
	ctx := context.Background()
	rc := memRawClient()
	c := memClient(t)
	size := gen.Size(userPageSize)
	params := &client.UsersListParams{Size: size}

	raw := allocsPerRun(t, pageRuns, func() error {
		p, err := rc.listUsers(ctx, 0, userPageSize)
		if err != nil {
			return err
		}
		for i := range p.Content {
			sinkLen += len(p.Content[i].Email)
		}
		return pageCount(len(p.Content))
	})
	got := allocsPerRun(t, pageRuns, func() error {
		n := 0
		for u, err := range c.Users.All(ctx, params) {
			if err != nil {
				return err
			}
			sinkLen += len(u.Email)
			if n++; n == userPageSize {
				break
			}
		}
		return pageCount(n)
	})
	t.Logf("one page of %d users: All %.0f allocs, raw %.0f (%.3f×)", userPageSize, got, raw, got/raw)
	assert.LessOrEqual(t, got, raw*pageAllocSlack, "allocations of one page through All over raw %.0f + %.0f %%", raw, (pageAllocSlack-1)*100)
}

func pageCount(n int) error {
	if n != userPageSize {
		return fmt.Errorf("iterated %d users, want %d", n, userPageSize)
	}
	return nil
}

// TestHeapGateUsersAll iterates the first pages of users through All and
// through the raw page loop, and reads the live heap (runtime/metrics, after
// a collection) at the first user of every page: what the iteration holds
// while the consumer works on a page. All may hold no more than the raw
// loop, which holds one page, plus 10 %.
func TestHeapGateUsersAll(t *testing.T) {
	const pages = 3
	ctx := context.Background()
	for p := range pages {
		usersPage(p, userPageSize) // render outside the measurement
	}
	rc := memRawClient()
	c := memClient(t)
	size := gen.Size(userPageSize)
	params := &client.UsersListParams{Size: size}

	measure := func(iterate func(probe func(n int)) error) uint64 {
		require.NoError(t, iterate(func(int) {}), "warm-up")
		base := liveHeap()
		var peak uint64
		require.NoError(t, iterate(func(n int) {
			if n%userPageSize == 0 {
				peak = max(peak, liveHeap())
			}
		}))
		return peak - min(peak, base)
	}
	raw := measure(func(probe func(int)) error {
		n := 0
		for page := range pages {
			p, err := rc.listUsers(ctx, page, userPageSize)
			if err != nil {
				return err
			}
			for i := range p.Content {
				probe(n)
				sinkLen += len(p.Content[i].Email)
				n++
			}
		}
		return nil
	})
	got := measure(func(probe func(int)) error {
		n := 0
		for u, err := range c.Users.All(ctx, params) {
			if err != nil {
				return err
			}
			probe(n)
			sinkLen += len(u.Email)
			if n++; n == pages*userPageSize {
				break
			}
		}
		return nil
	})
	t.Logf("peak live heap over %d pages: All %.2f MiB, raw %.2f MiB (%.3f×)", pages, mb(got), mb(raw), float64(got)/float64(raw))
	assert.LessOrEqual(t, float64(got), float64(raw)*pageHeapSlack, "All holds more than raw's one page + %.0f %%", (pageHeapSlack-1)*100)
}
