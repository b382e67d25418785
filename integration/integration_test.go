// Package integration runs the client against a real CloudConnexa tenant when
// CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and CLOUDCONNEXA_CLIENT_SECRET
// are set, and against the fake server otherwise, so CI always runs it.
// Against a real tenant it only reads unless CLOUDCONNEXA_INTEGRATION_WRITE=1.
// It never prints the variables.
package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
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
	if err != nil {
		t.Fatalf("client from environment: %v", err)
	}
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

	regions, err := tg.c.ListRegionsWithResponse(ctx)
	if err != nil {
		t.Fatalf("listRegions: %v", err)
	}
	if len(*regions.JSON200) == 0 {
		t.Fatal("no regions")
	}
	for _, r := range *regions.JSON200 {
		if r.Id == "" {
			t.Fatal("region without id")
		}
	}

	networks := 0
	for n, err := range tg.c.AllNetworks(ctx, nil) {
		if err != nil {
			t.Fatalf("listNetworks: %v", err)
		}
		if n.Id == "" || n.Name == "" {
			t.Fatalf("network without id or name: %+v", n)
		}
		networks++
	}
	users := 0
	for _, err := range tg.c.AllUsers(ctx, nil) {
		if err != nil {
			t.Fatalf("listUsers: %v", err)
		}
		users++
	}
	groups := 0
	for _, err := range tg.c.AllUserGroups(ctx, nil) {
		if err != nil {
			t.Fatalf("listUserGroups: %v", err)
		}
		groups++
	}
	if groups == 0 {
		t.Fatal("a tenant always has at least one user group")
	}
	t.Logf("%d regions, %d networks, %d users, %d user groups", len(*regions.JSON200), networks, users, groups)

	topology, err := tg.c.GetTopologyWithResponse(ctx)
	if err != nil {
		t.Fatalf("getTopology: %v", err)
	}
	if v := gen.Topology(topology.Body); !v.Valid() {
		t.Fatalf("topology %q is not a known value", topology.Body)
	}
	if _, err := tg.c.GetSnatWithResponse(ctx); err != nil {
		t.Fatalf("getSnat: %v", err)
	}

	_, err = tg.c.GetNetworkWithResponse(ctx, "00000000-0000-0000-0000-000000000000")
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("get of a missing network: %v, want ErrNotFound", err)
	}
}

func TestNetworkLifecycle(t *testing.T) {
	tg := open(t)
	if !tg.write {
		t.Skip("read-only run against a real tenant; set CLOUDCONNEXA_INTEGRATION_WRITE=1 to create and delete a network")
	}
	ctx := ctx(t)
	regions, err := tg.c.ListRegionsWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	region := (*regions.JSON200)[0].Id
	name := fmt.Sprintf("cloudconnexa-go-it-%d", time.Now().UnixNano())
	created, err := tg.c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:           name,
		InternetAccess: ptr(gen.InternetAccessSplitTunnelOn),
		Egress:         ptr(false),
		Connectors:     []gen.NetworkConnectorRequest{{Name: name + "-c", VpnRegionId: region}},
	})
	if err != nil {
		t.Fatalf("createNetwork: %v", err)
	}
	id := created.JSON201.Id
	t.Cleanup(func() { _, _ = tg.c.DeleteNetworkWithResponse(context.Background(), id) })

	route, err := tg.c.CreateNetworkRouteWithResponse(ctx, &gen.CreateNetworkRouteParams{NetworkId: id}, gen.NetworkRouteRequest{Value: "10.99.0.0/24"})
	if err != nil {
		t.Fatalf("createNetworkRoute: %v", err)
	}
	got, err := tg.c.GetNetworkWithResponse(ctx, id)
	if err != nil {
		t.Fatalf("getNetwork: %v", err)
	}
	if got.JSON200.Name != name || len(got.JSON200.Connectors) != 1 {
		t.Fatalf("getNetwork = %+v", got.JSON200)
	}
	found := false
	for r, err := range tg.c.AllNetworkRoutes(ctx, &gen.ListNetworkRoutesParams{NetworkId: &id}) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || r.Id == route.JSON201.Id
	}
	if !found {
		t.Fatal("new route not listed")
	}
	if _, err := tg.c.DeleteNetworkWithResponse(ctx, id); err != nil {
		t.Fatalf("deleteNetwork: %v", err)
	}
	if _, err := tg.c.GetNetworkWithResponse(ctx, id); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
}

func ptr[T any](v T) *T { return &v }
