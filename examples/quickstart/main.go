// Command quickstart runs the main job of the library end to end:
// authenticate, list regions, create a network with a connector and a route,
// page through users, handle a not-found error and clean up.
//
// With CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and
// CLOUDCONNEXA_CLIENT_SECRET unset it runs against an embedded fake server.
// Against a real tenant it only reads, unless you pass -write.
//
// It imports only public packages: copy it into your own module as it is.
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
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func main() {
	write := flag.Bool("write", false, "against a real tenant, also create and delete a network")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, fake, err := connect(os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	if fake != nil {
		defer fake.Close()
	}
	if err := run(ctx, os.Stdout, c, fake != nil || *write); err != nil {
		log.Fatal(err)
	}
}

// connect returns a client for the tenant the CLOUDCONNEXA_* variables name
// or, when none is set, for an embedded fake server, which the caller closes.
func connect(out io.Writer) (*client.Client, *cloudconnexatest.Server, error) {
	if os.Getenv("CLOUDCONNEXA_BASE_URL")+os.Getenv("CLOUDCONNEXA_CLIENT_ID")+os.Getenv("CLOUDCONNEXA_CLIENT_SECRET") == "" {
		srv, err := cloudconnexatest.Start()
		if err != nil {
			return nil, nil, fmt.Errorf("start fake server: %w", err)
		}
		fmt.Fprintf(out, "CLOUDCONNEXA_* not set: using the embedded fake server at %s\n", srv.URL)
		return srv.Client(), srv, nil
	}
	c, err := client.NewFromEnv()
	if err == nil {
		fmt.Fprintf(out, "using the tenant at %s\n", c.BaseURL())
	}
	return c, nil, err
}

func run(ctx context.Context, out io.Writer, c *client.Client, write bool) error {
	// 1. Authenticate. Calls do this lazily; asking explicitly surfaces bad
	// credentials before any other work.
	if _, err := c.Authenticator().Token(ctx); err != nil {
		return fmt.Errorf("authenticate: %w", err)
	}
	fmt.Fprintln(out, "1. authenticated (OAuth2 client credentials)")

	// 2. List the VPN regions.
	regions, err := c.Regions.List(ctx)
	if err != nil {
		return fmt.Errorf("list regions: %w", err)
	}
	if len(regions) == 0 {
		return errors.New("list regions: the tenant has no regions")
	}
	fmt.Fprintf(out, "2. %d regions, e.g.", len(regions))
	for _, r := range regions[:min(5, len(regions))] {
		fmt.Fprintf(out, " %s", r.ID)
	}
	fmt.Fprintln(out)

	if !write {
		fmt.Fprintln(out, "3. read-only run against a real tenant: not creating a network (pass -write to do so)")
	} else {
		// 3. Create a network with a connector and a route, then add a second route.
		name := fmt.Sprintf("quickstart-%d", time.Now().Unix())
		network, err := c.Networks.Create(ctx, gen.NetworkCreateRequest{
			Name:           name,
			Description:    client.Ptr("created by the cloudconnexa-go quickstart"),
			InternetAccess: client.Ptr(gen.InternetAccessSplitTunnelOn),
			Egress:         client.Ptr(false),
			Connectors:     []gen.NetworkConnectorRequest{{Name: name + "-connector", VPNRegionID: regions[0].ID}},
			Routes:         []gen.NetworkRouteRequest{{Value: "10.10.0.0/24", Description: client.Ptr("office LAN")}},
		})
		if err != nil {
			return fmt.Errorf("create network: %w", err)
		}
		fmt.Fprintf(out, "3. created network %q (%s) with %d connector(s) and %d route(s)\n", network.Name, network.ID, len(network.Connectors), len(network.Routes))
		// Clean up even if a later step fails.
		defer func() {
			if err := c.Networks.Delete(context.WithoutCancel(ctx), network.ID); err != nil {
				fmt.Fprintf(out, "   cleanup: %v\n", err)
				return
			}
			_, err := c.Networks.Get(ctx, network.ID)
			fmt.Fprintf(out, "6. deleted network %s; getting it again: not found = %t\n", network.ID, errors.Is(err, client.ErrNotFound))
		}()
		route, err := c.NetworkRoutes.Create(ctx, network.ID, gen.NetworkRouteRequest{Value: "10.20.0.0/24"})
		if err != nil {
			return fmt.Errorf("create route: %w", err)
		}
		fmt.Fprintf(out, "   added route %s (%s)\n", route.Subnet, route.ID)
	}

	// 4. Page through all users; pages are fetched lazily, 1,000 at a time.
	fmt.Fprintln(out, "4. users, fetched page by page:")
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
	fmt.Fprintf(out, "   %d user(s) in total\n", users)

	// 5. A missing resource is a typed error, whichever way the API reports it.
	_, err = c.Networks.Get(ctx, "00000000-0000-0000-0000-000000000000")
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) {
		return fmt.Errorf("expected a not-found error, got %v", err)
	}
	fmt.Fprintf(out, "5. not found, as expected: %s returned %d\n", apiErr.Operation, apiErr.StatusCode)
	return nil
}
