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

	n, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:       "branch-office",
		Connectors: []gen.NetworkConnectorRequest{{Name: "branch-1", VpnRegionId: "us-east-1"}},
		Routes:     []gen.NetworkRouteRequest{{Value: "10.20.0.0/16"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.JSON201.Name, len(n.JSON201.Connectors), n.JSON201.Routes[0].Subnet)

	_, err = c.GetNetworkWithResponse(ctx, "no-such-id")
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
	if _, err := c.ListRegionsWithResponse(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.RequestCount(gen.OpListRegions), "requests,", srv.TokenRequestCount(), "token request")
	// Output:
	// 3 requests, 1 token request
}
