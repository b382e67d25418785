// Command testing-with-the-fake shows how to test your own CloudConnexa code
// offline. EnsureNetwork stands for your code; main_test.go tests it against
// cloudconnexatest.NewServer, and main runs it against the same fake so you
// can watch what it does. It uses only the resource API and public packages:
// copy it into your own module as it is.
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
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// EnsureNetwork returns the id of the network called name, creating it with
// one connector in region if it does not exist yet. It is idempotent.
func EnsureNetwork(ctx context.Context, c *client.Client, name, region string) (id string, created bool, err error) {
	for n, err := range c.Networks.All(ctx, nil) {
		if err != nil {
			return "", false, fmt.Errorf("list networks: %w", err)
		}
		if n.Name == name {
			return n.ID, false, nil
		}
	}
	n, err := c.Networks.Create(ctx, gen.NetworkCreateRequest{
		Name:       name,
		Connectors: []gen.NetworkConnectorRequest{{Name: name + "-connector", VPNRegionID: region}},
	})
	if err != nil {
		return "", false, fmt.Errorf("create network %q: %w", name, err)
	}
	return n.ID, true, nil
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv, err := cloudconnexatest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	c := srv.Client()
	fmt.Fprintf(out, "fake server at %s (every request and response is checked against api/openapi.yaml)\n", srv.URL)
	for i := range 2 {
		id, created, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "EnsureNetwork call %d: id=%s created=%t\n", i+1, id, created)
	}
	fmt.Fprintf(out, "requests: listNetworks=%d createNetwork=%d\n", srv.RequestCount(gen.OpListNetworks), srv.RequestCount(gen.OpCreateNetwork))
	return nil
}
