// Command inventory prints what a CloudConnexa tenant holds: every network
// with its connectors and routes, every host with its connectors and IP
// services, every user group and every user with their group.
//
// It runs against the tenant the CLOUDCONNEXA_* variables name, or against
// an embedded fake server when none is set. It only reads. It imports only
// public packages: copy it into your own module as it is.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, fake, err := connect(os.Stderr)
	if err != nil {
		log.Fatal(err)
	}
	if fake != nil {
		defer fake.Close()
	}
	if err := inventory(ctx, os.Stdout, c); err != nil {
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
	return c, nil, err
}

func inventory(ctx context.Context, out io.Writer, c *client.Client) error {
	for n, err := range c.Networks.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("networks: %w", err)
		}
		fmt.Fprintf(out, "network %s %q egress=%t internet=%s\n", n.ID, n.Name, n.GetEgress(), n.GetInternetAccess())
		for cn, err := range c.NetworkConnectors.All(ctx, &client.NetworkConnectorsListParams{NetworkID: n.ID}) {
			if err != nil {
				return fmt.Errorf("connectors of %s: %w", n.ID, err)
			}
			fmt.Fprintf(out, "  connector %s %q region=%s\n", cn.ID, cn.Name, cn.GetVPNRegionID())
		}
		for r, err := range c.NetworkRoutes.All(ctx, &client.NetworkRoutesListParams{NetworkID: n.ID}) {
			if err != nil {
				return fmt.Errorf("routes of %s: %w", n.ID, err)
			}
			fmt.Fprintf(out, "  route %s %s\n", r.ID, r.Subnet)
		}
	}
	for h, err := range c.Hosts.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("hosts: %w", err)
		}
		fmt.Fprintf(out, "host %s %q domain=%s\n", h.ID, h.Name, h.GetDomain())
		for s, err := range c.HostIPServices.All(ctx, &client.HostIPServicesListParams{HostID: h.ID}) {
			if err != nil {
				return fmt.Errorf("IP services of %s: %w", h.ID, err)
			}
			fmt.Fprintf(out, "  ip-service %s %q\n", s.ID, s.Name)
		}
	}
	groups := map[string]string{}
	for g, err := range c.UserGroups.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("user groups: %w", err)
		}
		groups[g.ID] = g.Name
		fmt.Fprintf(out, "group %s %q\n", g.ID, g.Name)
	}
	for u, err := range c.Users.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("users: %w", err)
		}
		fmt.Fprintf(out, "user %s %s <%s> group=%q\n", u.ID, u.Username, u.Email, groups[u.GetGroupID()])
	}
	return nil
}
