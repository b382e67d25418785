// Command pagination shows the iterators over page-based and cursor-based
// lists: lazy fetching, early exit, filters, and the cost in requests.
//
// It runs against the embedded fake server unless the CLOUDCONNEXA_*
// variables are set (then it only reads). It imports only public packages:
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

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, fake, err := connect(os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	if fake != nil {
		defer fake.Close()
	}
	if err := run(ctx, os.Stdout, c, fake); err != nil {
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

// run pages through users and sessions; fake, when not nil, is the server
// behind c, whose request counts show what each loop cost.
func run(ctx context.Context, out io.Writer, c *client.Client, fake *cloudconnexatest.Server) error {
	if fake != nil {
		// Give the fake something to page through.
		for i := range 250 {
			name := fmt.Sprintf("user%03d", i)
			if _, err := c.Users.Create(ctx, gen.UserCreateRequest{Username: name, Email: name + "@example.com", FirstName: client.Ptr("User"), LastName: client.Ptr(name)}); err != nil {
				return err
			}
		}
		fmt.Fprintln(out, "created 250 users in the fake")
	}

	// All pages, 100 users per request: the iterator asks for the next page
	// only when the loop needs it, and never past the last one.
	before := requests(fake)
	n := 0
	for _, err := range c.Users.All(ctx, &client.UsersListParams{Size: 100}) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(out, "iterated %d users%s\n", n, cost(fake, before))

	// Stop early: breaking out of the loop stops fetching.
	before = requests(fake)
	for u, err := range c.Users.All(ctx, &client.UsersListParams{Size: 100}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "first user: %s\n", u.Username)
		break
	}
	fmt.Fprintf(out, "early exit%s\n", cost(fake, before))

	// Cursor-based: sessions of the last day, 50 per batch.
	sessions := 0
	for s, err := range c.Sessions.All(ctx, &client.SessionsListParams{Size: 50}) {
		if err != nil {
			return err
		}
		if sessions == 0 {
			fmt.Fprintf(out, "first session: %s\n", s.ID)
		}
		sessions++
	}
	fmt.Fprintf(out, "iterated %d sessions by cursor\n", sessions)
	return nil
}

func requests(fake *cloudconnexatest.Server) int {
	if fake == nil {
		return 0
	}
	return fake.RequestCount(gen.OpListUsers)
}

func cost(fake *cloudconnexatest.Server, before int) string {
	if fake == nil {
		return ""
	}
	return fmt.Sprintf(" with %d page request(s)", fake.RequestCount(gen.OpListUsers)-before)
}
