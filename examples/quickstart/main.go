// Command quickstart runs the main job of the library end to end:
// authenticate, list regions, create a network with a connector and a route,
// page through users, handle a not-found error and clean up.
//
// With CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and
// CLOUDCONNEXA_CLIENT_SECRET unset it runs against an embedded fake server.
// Against a real tenant it only reads, unless you pass -write.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/examples/internal/setup"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func main() {
	write := flag.Bool("write", false, "against a real tenant, also create and delete a network")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *write); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, write bool) error {
	env, err := setup.Open(out)
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client

	// 1. Authenticate. Calls do this lazily; asking explicitly surfaces bad
	// credentials before any other work.
	if _, err := c.Authenticator().Token(ctx); err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	fmt.Fprintln(out, "1. authenticated (OAuth2 client credentials)")

	// 2. List the VPN regions.
	regions, err := c.ListRegionsWithResponse(ctx)
	if err != nil {
		return fmt.Errorf("list regions: %w", err)
	}
	fmt.Fprintf(out, "2. %d regions, e.g.", len(*regions.JSON200))
	for _, r := range (*regions.JSON200)[:min(5, len(*regions.JSON200))] {
		fmt.Fprintf(out, " %s", r.Id)
	}
	fmt.Fprintln(out)
	regionID := (*regions.JSON200)[0].Id

	if env.Fake == nil && !write {
		fmt.Fprintln(out, "3. read-only run against a real tenant: not creating a network (pass -write to do so)")
	} else {
		// 3. Create a network with a connector and a route, then add a second route.
		name := fmt.Sprintf("quickstart-%d", time.Now().Unix())
		created, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
			Name:           name,
			Description:    ptr("created by the cloudconnexa-go quickstart"),
			InternetAccess: ptr(gen.InternetAccessSplitTunnelOn),
			Egress:         ptr(false),
			Connectors:     []gen.NetworkConnectorRequest{{Name: name + "-connector", VpnRegionId: regionID}},
			Routes:         []gen.NetworkRouteRequest{{Value: "10.10.0.0/24", Description: ptr("office LAN")}},
		})
		if err != nil {
			return fmt.Errorf("create network: %w", err)
		}
		network := created.JSON201
		fmt.Fprintf(out, "3. created network %q (%s) with %d connector(s) and %d route(s)\n", network.Name, network.Id, len(network.Connectors), len(network.Routes))
		// Clean up even if a later step fails.
		defer func() {
			if _, err := c.DeleteNetworkWithResponse(context.WithoutCancel(ctx), network.Id); err != nil {
				fmt.Fprintf(out, "   cleanup: %v\n", err)
				return
			}
			_, err := c.GetNetworkWithResponse(ctx, network.Id)
			fmt.Fprintf(out, "6. deleted network %s; getting it again: not found = %t\n", network.Id, errors.Is(err, client.ErrNotFound))
		}()
		route, err := c.CreateNetworkRouteWithResponse(ctx, &gen.CreateNetworkRouteParams{NetworkId: network.Id}, gen.NetworkRouteRequest{Value: "10.20.0.0/24"})
		if err != nil {
			return fmt.Errorf("create route: %w", err)
		}
		fmt.Fprintf(out, "   added route %s (%s)\n", route.JSON201.Subnet, route.JSON201.Id)
	}

	// 4. Page through all users; pages are fetched lazily, 1,000 at a time.
	users := 0
	for u, err := range c.Users.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		if users < 3 {
			fmt.Fprintf(out, "   user %s <%s>\n", u.Username, u.Email)
		}
		users++
	}
	fmt.Fprintf(out, "4. %d user(s) in total\n", users)

	// 5. A missing resource is a typed error, whichever way the API reports it.
	_, err = c.GetNetworkWithResponse(ctx, "00000000-0000-0000-0000-000000000000")
	var apiErr *client.APIError
	if errors.Is(err, client.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Fprintf(out, "5. not found, as expected: %s returned %d\n", apiErr.Operation, apiErr.StatusCode)
	} else {
		return fmt.Errorf("expected a not-found error, got %v", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
