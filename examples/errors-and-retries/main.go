// Command errors-and-retries shows the typed errors and the retry policy,
// using the fake server's fault injection to provoke them. It always runs
// against the embedded fake server. It imports only public packages: copy it
// into your own module as it is.
package main

import (
	"context"
	"errors"
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
	// srv.Client() alone would take the server's waits in the fake's time
	// (milliseconds); this example shows them as a real service makes them,
	// so it talks to the fake through its plain HTTP client.
	c := srv.Client(
		client.WithHTTPClient(srv.HTTPClient()),
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 4, MaxElapsed: 30 * time.Second, BaseDelay: 50 * time.Millisecond, MaxDelay: time.Second}),
	)
	fmt.Fprintf(out, "fake server at %s\n", srv.URL)

	// Not found: one sentinel, whether the API says 404 or 400 "not found".
	_, err = c.Networks.Get(ctx, "no-such-network")
	fmt.Fprintf(out, "get missing network: ErrNotFound=%t\n  %v\n", errors.Is(err, client.ErrNotFound), err)
	_, err = c.DNSRecords.Get(ctx, "no-such-record")
	fmt.Fprintf(out, "get missing DNS record: ErrNotFound=%t\n  %v\n", errors.Is(err, client.ErrNotFound), err)

	// Validation errors carry the API's message and details.
	_, err = c.Networks.List(ctx, &client.NetworksListParams{Size: 5000})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Fprintf(out, "invalid page size: HTTP %d from %s: %s\n", apiErr.StatusCode, apiErr.Operation, apiErr.Message)
	}

	// Transient failures of a GET are retried: two 503s, then success.
	srv.InjectFault(gen.OpListRegions, cloudconnexatest.Fault{Status: 503, Times: 2})
	regions, err := c.Regions.List(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "listRegions after two 503s: %d regions in %d attempts\n", len(regions), srv.RequestCount(gen.OpListRegions))

	// Rate limiting: a 429 with Retry-After is waited out, then retried.
	srv.InjectFault(gen.OpGetSNAT, cloudconnexatest.Fault{Status: 429, RetryAfter: "1", Times: 1})
	start := time.Now()
	if _, err := c.Settings.GetSNAT(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "getSnat after a 429 with Retry-After: 1 succeeded after %.1fs\n", time.Since(start).Seconds())

	// A POST that failed with 500 may have been applied: it is not retried.
	srv.InjectFault(gen.OpCreateNetwork, cloudconnexatest.Fault{Status: 500, Times: 1})
	_, err = c.Networks.Create(ctx, gen.NetworkCreateRequest{Name: "not-retried"})
	fmt.Fprintf(out, "createNetwork answered 500: sent %d time(s), error: %v\n", srv.RequestCount(gen.OpCreateNetwork), err)

	// Expired tokens are replaced transparently (one new token, one resend).
	srv.ExpireTokens()
	if _, err := c.Settings.GetSNAT(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "after the server expired all tokens: call succeeded; token requests so far: %d\n", srv.TokenRequestCount())
	return nil
}
