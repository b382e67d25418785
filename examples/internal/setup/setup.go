// Package setup gives the examples a client: against the real tenant when the
// CLOUDCONNEXA_* variables are set, otherwise against an embedded fake server.
package setup

import (
	"fmt"
	"io"
	"os"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

// Env is where an example runs.
type Env struct {
	Client *client.Client
	// Fake is the embedded fake server, nil against a real tenant.
	Fake *cloudconnexatest.Server
}

// Close stops the embedded fake server, if any.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
	}
}

// Open connects to the tenant named by CLOUDCONNEXA_BASE_URL,
// CLOUDCONNEXA_CLIENT_ID and CLOUDCONNEXA_CLIENT_SECRET, or, when none of
// them is set, starts the fake server. It says which on out.
func Open(out io.Writer, fakeOpts ...cloudconnexatest.Option) (*Env, error) {
	if os.Getenv("CLOUDCONNEXA_BASE_URL") == "" && os.Getenv("CLOUDCONNEXA_CLIENT_ID") == "" && os.Getenv("CLOUDCONNEXA_CLIENT_SECRET") == "" {
		srv, err := cloudconnexatest.Start(fakeOpts...)
		if err != nil {
			return nil, fmt.Errorf("start fake server: %w", err)
		}
		fmt.Fprintf(out, "CLOUDCONNEXA_* not set: using the embedded fake server at %s\n", srv.URL)
		return &Env{Client: srv.Client(), Fake: srv}, nil
	}
	c, err := client.NewFromEnv()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "using the tenant at %s\n", os.Getenv("CLOUDCONNEXA_BASE_URL"))
	return &Env{Client: c}, nil
}
