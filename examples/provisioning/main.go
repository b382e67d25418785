// Command provisioning sets up a small site idempotently, then removes it:
// a network with a connector and two routes, a DNS record, a host with an
// IP service, and a user in a user group. Each resource is looked up by its
// name first and created only when missing, so running it again changes
// nothing; with -keep it leaves the site in place for the next run.
//
// It runs against the tenant the CLOUDCONNEXA_* variables name, or against
// an embedded fake server when none is set. It imports only public
// packages: copy it into your own module as it is.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log"
	"os"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// The site this program provisions.
const (
	networkName   = "prov-office"
	connectorName = "prov-office-connector"
	region        = "us-east-1"
	dnsDomain     = "git.prov.example"
	hostName      = "prov-db"
	serviceName   = "prov-postgres"
	groupName     = "prov-engineering"
	userName      = "prov-alice"
)

var routes = []string{"10.60.0.0/24", "10.61.0.0/24"}

func main() {
	keep := flag.Bool("keep", false, "leave the site in place instead of removing it")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, fake, err := connect(os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	if fake != nil {
		defer fake.Close()
	}
	site, err := provision(ctx, os.Stdout, c)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := provision(ctx, os.Stdout, c); err != nil { // again: nothing to do
		log.Fatal(err)
	}
	if !*keep {
		if err := site.remove(ctx, os.Stdout, c); err != nil {
			log.Fatal(err)
		}
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

// site holds the ids of what provision found or created.
type site struct {
	network, connector, dnsRecord, host, service, group, user string
	routes                                                    []string
}

// ensure returns the first item of all that match accepts, or the one
// create makes when there is none; out says which.
func ensure[T any](out io.Writer, what string, all iter.Seq2[T, error], match func(*T) bool, create func() (*T, error)) (*T, error) {
	for item, err := range all {
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", what, err)
		}
		if match(&item) {
			fmt.Fprintf(out, "  %s: exists\n", what)
			return &item, nil
		}
	}
	item, err := create()
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", what, err)
	}
	fmt.Fprintf(out, "  %s: created\n", what)
	return item, nil
}

func provision(ctx context.Context, out io.Writer, c *client.Client) (*site, error) {
	fmt.Fprintln(out, "provisioning:")
	var s site
	n, err := ensure(out, "network "+networkName, c.Networks.All(ctx, nil),
		func(n *gen.NetworkResponse) bool { return n.Name == networkName },
		func() (*gen.NetworkResponse, error) {
			return c.Networks.Create(ctx, gen.NetworkCreateRequest{Name: networkName, InternetAccess: client.Ptr(gen.InternetAccessSplitTunnelOn)})
		})
	if err != nil {
		return nil, err
	}
	s.network = n.ID
	byNetwork := &client.NetworkConnectorsListParams{NetworkID: n.ID}
	cn, err := ensure(out, "connector "+connectorName, c.NetworkConnectors.All(ctx, byNetwork),
		func(cn *gen.NetworkConnectorResponse) bool { return cn.Name == connectorName },
		func() (*gen.NetworkConnectorResponse, error) {
			return c.NetworkConnectors.Create(ctx, n.ID, gen.NetworkConnectorRequest{Name: connectorName, VPNRegionID: region})
		})
	if err != nil {
		return nil, err
	}
	s.connector = cn.ID
	for _, subnet := range routes {
		r, err := ensure(out, "route "+subnet, c.NetworkRoutes.All(ctx, &client.NetworkRoutesListParams{NetworkID: n.ID}),
			func(r *gen.NetworkRouteResponse) bool { return r.Subnet == subnet },
			func() (*gen.NetworkRouteResponse, error) {
				return c.NetworkRoutes.Create(ctx, n.ID, gen.NetworkRouteRequest{Value: subnet})
			})
		if err != nil {
			return nil, err
		}
		s.routes = append(s.routes, r.ID)
	}
	rec, err := ensure(out, "DNS record "+dnsDomain, c.DNSRecords.All(ctx, nil),
		func(r *gen.DNSRecordResponse) bool { return r.Domain == dnsDomain },
		func() (*gen.DNSRecordResponse, error) {
			return c.DNSRecords.Create(ctx, gen.DNSRecordRequest{Domain: dnsDomain, IPv4Addresses: &[]string{"10.60.0.10"}})
		})
	if err != nil {
		return nil, err
	}
	s.dnsRecord = rec.ID
	h, err := ensure(out, "host "+hostName, c.Hosts.All(ctx, nil),
		func(h *gen.HostResponse) bool { return h.Name == hostName },
		func() (*gen.HostResponse, error) {
			return c.Hosts.Create(ctx, gen.HostCreateRequest{Name: hostName, Connectors: []gen.HostConnectorRequest{{Name: hostName + "-connector", VPNRegionID: region}}})
		})
	if err != nil {
		return nil, err
	}
	s.host = h.ID
	svc, err := ensure(out, "IP service "+serviceName, c.HostIPServices.All(ctx, &client.HostIPServicesListParams{HostID: h.ID}),
		func(svc *gen.HostIPServiceResponse) bool { return svc.Name == serviceName },
		func() (*gen.HostIPServiceResponse, error) {
			return c.HostIPServices.Create(ctx, h.ID, gen.HostIPServiceRequest{Name: serviceName, Config: &gen.ServiceConfigRequest{
				CustomServiceTypes: &[]gen.CustomServiceTypeRequest{{
					Protocol: client.Ptr(gen.CustomServiceProtocolTCP), Port: &[]gen.RangeInteger{{Value: client.Ptr(int32(5432))}},
				}},
			}})
		})
	if err != nil {
		return nil, err
	}
	s.service = svc.ID
	g, err := ensure(out, "user group "+groupName, c.UserGroups.All(ctx, nil),
		func(g *gen.UserGroupResponse) bool { return g.Name == groupName },
		func() (*gen.UserGroupResponse, error) {
			return c.UserGroups.Create(ctx, gen.UserGroupRequest{Name: groupName, VPNRegionIDs: &[]string{region}})
		})
	if err != nil {
		return nil, err
	}
	s.group = g.ID
	u, err := ensure(out, "user "+userName, c.Users.All(ctx, nil),
		func(u *gen.UserResponse) bool { return u.Username == userName },
		func() (*gen.UserResponse, error) {
			return c.Users.Create(ctx, gen.UserCreateRequest{Username: userName, Email: userName + "@example.com", GroupID: &g.ID})
		})
	if err != nil {
		return nil, err
	}
	s.user = u.ID
	return &s, nil
}

// remove deletes the site, dependents first; what is already gone is fine.
func (s *site) remove(ctx context.Context, out io.Writer, c *client.Client) error {
	type step struct {
		what string
		del  func() error
	}
	steps := []step{
		{"user", func() error { return c.Users.Delete(ctx, s.user) }},
		{"user group", func() error { return c.UserGroups.Delete(ctx, s.group) }},
		{"IP service", func() error { return c.HostIPServices.Delete(ctx, s.service) }},
		{"host", func() error { return c.Hosts.Delete(ctx, s.host) }},
		{"DNS record", func() error { return c.DNSRecords.Delete(ctx, s.dnsRecord) }},
	}
	for _, id := range s.routes {
		steps = append(steps, step{"route", func() error { return c.NetworkRoutes.Delete(ctx, id) }})
	}
	steps = append(steps,
		step{"connector", func() error { return c.NetworkConnectors.Delete(ctx, s.connector) }},
		step{"network", func() error { return c.Networks.Delete(ctx, s.network) }})
	fmt.Fprintln(out, "removing:")
	for _, st := range steps {
		if err := st.del(); err != nil && !errors.Is(err, client.ErrNotFound) {
			return fmt.Errorf("delete %s: %w", st.what, err)
		}
		fmt.Fprintf(out, "  %s: deleted\n", st.what)
	}
	return nil
}
