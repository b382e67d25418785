package cloudconnexatest

import (
	"fmt"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// Client returns a client of package client for the server: its HTTP
// client trusts the server (plain HTTP to loopback allowed, or the
// server's certificate), and opts are applied after that. In a test a
// failure calls tb.Fatal; outside tests it panics, as it can only fail on
// bad opts.
func (s *Server) Client(opts ...client.Option) *client.Client {
	base := []client.Option{client.WithHTTPClient(s.HTTPClient()), client.WithAllowInsecureLoopback()}
	c, err := client.New(s.URL, s.ClientID, s.ClientSecret, append(base, opts...)...)
	if err != nil {
		if s.tb != nil {
			s.tb.Helper()
			s.tb.Fatalf("cloudconnexatest: client: %v", err)
		}
		panic(fmt.Sprintf("cloudconnexatest: client: %v", err))
	}
	return c
}
