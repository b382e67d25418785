package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// BenchmarkResourceAPI is what the resource methods (c.Networks.Get, …) cost
// over the raw …WithResponse layer they stand beside, in the same run: the
// resource method must add at most 2 % time and 2 allocations per call.
//
//   - GetNetwork and CreateNetwork: over the in-memory transport of
//     BenchmarkGetNetworkInMemory, so that the library's own work is not
//     diluted by the network stack (the harder comparison);
//   - ListUsers100k: 100,000 users in pages of 1,000 from the loopback
//     server, c.Users.All against a ListUsersWithResponse page loop.
//
// Each has a with-response and a resource sub-benchmark (allocs/op and
// ns/op of each side) and an interleaved one whose client/raw metric is
// resource time / with-response time.
func BenchmarkResourceAPI(b *testing.B) {
	ctx := context.Background()
	memClient := func(b *testing.B) *client.Client {
		c, err := client.New("http://127.0.0.1:1", benchClientID, benchClientSecret,
			client.WithAllowInsecureLoopback(), noThrottle, client.WithTimeout(0),
			client.WithHTTPClient(&http.Client{Transport: newMemTransport()}))
		require.NoError(b, err)
		return c
	}

	getRaw := func(c *client.Client) func() error {
		return networkOp(ctx, func(ctx context.Context, id string) (*gen.NetworkResponse, error) { return clientGetNetwork(ctx, c) })
	}
	getResource := func(c *client.Client) func() error {
		return networkOp(ctx, c.Networks.Get)
	}
	req := gen.NetworkCreateRequest{Name: "bench", Egress: client.Ptr(true)}
	createRaw := func(c *client.Client) func() error {
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) {
			resp, err := c.Raw.CreateNetworkWithResponse(ctx, req)
			if err != nil {
				return nil, err
			}
			if resp.JSON201 == nil {
				return nil, errors.New("no JSON201 in the response")
			}
			return resp.JSON201, nil
		})
	}
	createResource := func(c *client.Client) func() error {
		return networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) { return c.Networks.Create(ctx, req) })
	}
	for _, tc := range []struct {
		name          string
		raw, resource func(*client.Client) func() error
	}{
		{"GetNetwork", getRaw, getResource},
		{"CreateNetwork", createRaw, createResource},
	} {
		b.Run(tc.name+"/with-response", func(b *testing.B) { loop(b, tc.raw(memClient(b))) })
		b.Run(tc.name+"/resource", func(b *testing.B) { loop(b, tc.resource(memClient(b))) })
		b.Run(tc.name+"/interleaved", func(b *testing.B) {
			const block = 100
			c := memClient(b)
			interleave(b, "call", block, repeat(block, tc.raw(c)), repeat(block, tc.resource(c)))
		})
	}

	warmPages()
	s := newBenchServer(b, unlimited)
	size := gen.Size(userPageSize)
	listRaw := func(c *client.Client) func() error {
		return func() error {
			n := 0
			for page := gen.Page(0); ; page++ {
				resp, err := c.Raw.ListUsersWithResponse(ctx, &gen.ListUsersParams{Page: &page, Size: &size})
				if err != nil {
					return err
				}
				if resp.JSON200 == nil {
					return errors.New("no JSON200 in the response")
				}
				for i := range resp.JSON200.Content {
					sinkLen += len(resp.JSON200.Content[i].Email)
					n++
				}
				if page+1 >= resp.JSON200.TotalPages || len(resp.JSON200.Content) == 0 {
					break
				}
			}
			return count(n)
		}
	}
	listResource := func(c *client.Client) func() error {
		params := &client.UsersListParams{Size: size}
		return func() error {
			n := 0
			for u, err := range c.Users.All(ctx, params) {
				if err != nil {
					return err
				}
				sinkLen += len(u.Email)
				n++
			}
			return count(n)
		}
	}
	b.Run("ListUsers100k/with-response", func(b *testing.B) { loop(b, listRaw(newBenchClient(b, s, noThrottle))) })
	b.Run("ListUsers100k/resource", func(b *testing.B) { loop(b, listResource(newBenchClient(b, s, noThrottle))) })
	b.Run("ListUsers100k/interleaved", func(b *testing.B) {
		c := newBenchClient(b, s, noThrottle)
		interleave(b, "user", totalUsers, listRaw(c), listResource(c))
	})
}

func count(n int) error {
	if n != totalUsers {
		return fmt.Errorf("iterated %d users, want %d", n, totalUsers)
	}
	return nil
}
