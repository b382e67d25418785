// Command pagination shows the iterators over page-based and cursor-based
// lists: lazy fetching, early exit, filters, and the cost in requests.
//
// It runs against the embedded fake server unless the CLOUDCONNEXA_*
// variables are set (then it only reads).
package main

import (
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	env, err := setup.Open(out)
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client

	if env.Fake != nil {
		// Give the fake something to page through.
		for i := range 250 {
			name := fmt.Sprintf("user%03d", i)
			if _, err := c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: name, Email: name + "@example.com", FirstName: ptr("User"), LastName: ptr(name)}); err != nil {
				return err
			}
		}
		fmt.Fprintln(out, "created 250 users in the fake")
	}

	// All pages, 100 users per request: the iterator asks for the next page
	// only when the loop needs it, and never past the last one.
	before := requests(env)
	n := 0
	for _, err := range c.Users.All(ctx, &client.UsersListParams{Size: ptr(gen.Size(100))}) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(out, "iterated %d users%s\n", n, cost(env, before))

	// Stop early: breaking out of the loop stops fetching.
	before = requests(env)
	for u, err := range c.Users.All(ctx, &client.UsersListParams{Size: ptr(gen.Size(100))}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "first user: %s\n", u.Username)
		break
	}
	fmt.Fprintf(out, "early exit%s\n", cost(env, before))

	// Cursor-based: sessions of the last day, 50 per batch.
	sessions := 0
	for s, err := range c.Sessions.All(ctx, 50, nil) {
		if err != nil {
			return err
		}
		if sessions == 0 {
			fmt.Fprintf(out, "first session: %s\n", s.Id)
		}
		sessions++
	}
	fmt.Fprintf(out, "iterated %d sessions by cursor\n", sessions)
	return nil
}

func requests(env *setup.Env) int {
	if env.Fake == nil {
		return 0
	}
	return env.Fake.RequestCount(gen.OpListUsers)
}

func cost(env *setup.Env, before int) string {
	if env.Fake == nil {
		return ""
	}
	return fmt.Sprintf(" with %d page request(s)", env.Fake.RequestCount(gen.OpListUsers)-before)
}

func ptr[T any](v T) *T { return &v }
