package cloudconnexatest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Start runs the fake outside a test; in tests prefer NewServer(t).
func ExampleStart() {
	srv, err := cloudconnexatest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	n, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:       "branch-office",
		Connectors: []gen.NetworkConnectorRequest{{Name: "branch-1", VPNRegionID: "us-east-1"}},
		Routes:     []gen.NetworkRouteRequest{{Value: "10.20.0.0/16"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.JSON201.Name, len(n.JSON201.Connectors), n.JSON201.Routes[0].Subnet)

	_, err = c.Raw.GetNetworkWithResponse(ctx, "no-such-id")
	fmt.Println(errors.Is(err, client.ErrNotFound))
	// Output:
	// branch-office 1 10.20.0.0/16
	// true
}

// InjectFault makes the next requests of one operation misbehave.
func ExampleServer_InjectFault() {
	srv, err := cloudconnexatest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.InjectFault(gen.OpListRegions, cloudconnexatest.Fault{Status: 503, Times: 2})

	c := srv.Client(client.WithRetryPolicy(client.RetryPolicy{BaseDelay: 1, MaxDelay: 1}))
	if _, err := c.Raw.ListRegionsWithResponse(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.RequestCount(gen.OpListRegions), "requests,", srv.TokenRequestCount(), "token request")
	// Output:
	// 3 requests, 1 token request
}

// Writes proves that a second run of an idempotent tool changes nothing:
// the first run creates what is missing, the second only reads.
func ExampleServer_Writes() {
	srv, err := cloudconnexatest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.GenClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	ensureNetwork := func(name string) { // the tool under test
		list, err := c.ListNetworksWithResponse(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		for _, n := range list.JSON200.Content {
			if n.Name == name {
				return
			}
		}
		if _, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: name}); err != nil {
			log.Fatal(err)
		}
	}

	ensureNetwork("branch-office")
	for _, r := range srv.Writes() {
		fmt.Println("first run:", r.Method, r.Path, r.Operation, r.Status)
	}
	srv.ResetRequests()
	ensureNetwork("branch-office")
	fmt.Println("second run:", len(srv.Writes()), "writes,", srv.Count(), "request,", srv.Count(gen.OpListNetworks), "of them listNetworks")
	// Output:
	// first run: POST /api/v1/networks createNetwork 201
	// second run: 0 writes, 1 request, 1 of them listNetworks
}
