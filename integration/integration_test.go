// Package integration runs the client against a real CloudConnexa tenant when
// CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and CLOUDCONNEXA_CLIENT_SECRET
// are set, and against the fake server otherwise, so CI always runs it.
// Against a real tenant it only reads unless CLOUDCONNEXA_INTEGRATION_WRITE=1.
// It never prints the variables.
package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

type target struct {
	c     *client.Client
	real  bool
	write bool
}

func open(t *testing.T) target {
	t.Helper()
	if os.Getenv("CLOUDCONNEXA_BASE_URL") == "" {
		srv := cloudconnexatest.NewServer(t)
		return target{c: srv.Client(), write: true}
	}
	c, err := client.NewFromEnv()
	require.NoError(t, err, "client from environment")
	return target{c: c, real: true, write: os.Getenv("CLOUDCONNEXA_INTEGRATION_WRITE") == "1"}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestReadOnly(t *testing.T) {
	tg := open(t)
	ctx := ctx(t)

	regions, err := tg.c.Raw.ListRegionsWithResponse(ctx)
	require.NoError(t, err, "listRegions")
	require.NotEmpty(t, *regions.JSON200, "no regions")
	for _, r := range *regions.JSON200 {
		require.NotEmpty(t, r.ID, "region without id")
	}

	networks := 0
	for n, err := range tg.c.Networks.All(ctx, nil) {
		require.NoError(t, err, "listNetworks")
		require.NotEmpty(t, n.ID, "network without id: %+v", n)
		require.NotEmpty(t, n.Name, "network without name: %+v", n)
		networks++
	}
	users := 0
	for _, err := range tg.c.Users.All(ctx, nil) {
		require.NoError(t, err, "listUsers")
		users++
	}
	groups := 0
	for _, err := range tg.c.UserGroups.All(ctx, nil) {
		require.NoError(t, err, "listUserGroups")
		groups++
	}
	require.NotZero(t, groups, "a tenant always has at least one user group")
	t.Logf("%d regions, %d networks, %d users, %d user groups", len(*regions.JSON200), networks, users, groups)

	topology, err := tg.c.Raw.GetTopologyWithResponse(ctx)
	require.NoError(t, err, "getTopology")
	require.True(t, gen.Topology(topology.Body).Valid(), "topology %q is not a known value", topology.Body)
	_, err = tg.c.Raw.GetSNATWithResponse(ctx)
	require.NoError(t, err, "getSnat")

	_, err = tg.c.Raw.GetNetworkWithResponse(ctx, "00000000-0000-0000-0000-000000000000")
	require.ErrorIs(t, err, client.ErrNotFound, "get of a missing network")
}

func TestNetworkLifecycle(t *testing.T) {
	tg := open(t)
	if !tg.write {
		t.Skip("read-only run against a real tenant; set CLOUDCONNEXA_INTEGRATION_WRITE=1 to create and delete a network")
	}
	ctx := ctx(t)
	regions, err := tg.c.Raw.ListRegionsWithResponse(ctx)
	require.NoError(t, err)
	region := (*regions.JSON200)[0].ID
	name := fmt.Sprintf("cloudconnexa-go-it-%d", time.Now().UnixNano())
	created, err := tg.c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:           name,
		InternetAccess: ptr(gen.InternetAccessSplitTunnelOn),
		Egress:         ptr(false),
		Connectors:     []gen.NetworkConnectorRequest{{Name: name + "-c", VPNRegionID: region}},
	})
	require.NoError(t, err, "createNetwork")
	id := created.JSON201.ID
	t.Cleanup(func() { _, _ = tg.c.Raw.DeleteNetworkWithResponse(context.Background(), id) })

	route, err := tg.c.Raw.CreateNetworkRouteWithResponse(ctx, &gen.CreateNetworkRouteParams{NetworkID: id}, gen.NetworkRouteRequest{Value: "10.99.0.0/24"})
	require.NoError(t, err, "createNetworkRoute")
	got, err := tg.c.Raw.GetNetworkWithResponse(ctx, id)
	require.NoError(t, err, "getNetwork")
	require.Equal(t, name, got.JSON200.Name, "getNetwork = %+v", got.JSON200)
	require.Len(t, got.JSON200.Connectors, 1, "getNetwork = %+v", got.JSON200)
	found := false
	for r, err := range tg.c.NetworkRoutes.All(ctx, &client.NetworkRoutesListParams{NetworkID: id}) {
		require.NoError(t, err)
		found = found || r.ID == route.JSON201.ID
	}
	require.True(t, found, "new route not listed")
	_, err = tg.c.Raw.DeleteNetworkWithResponse(ctx, id)
	require.NoError(t, err, "deleteNetwork")
	_, err = tg.c.Raw.GetNetworkWithResponse(ctx, id)
	require.ErrorIs(t, err, client.ErrNotFound, "get after delete")
}

func ptr[T any](v T) *T { return &v }
