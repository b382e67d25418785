package cloudconnexatest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// fastRetries retries quickly, so fault tests stay fast.
var fastRetries = client.WithRetryPolicy(client.RetryPolicy{
	MaxAttempts: 4, MaxElapsed: 20 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
})

func TestClientAgainstFake(t *testing.T) {
	srv := NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	for i := range 25 {
		if _, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("n%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for n, err := range c.AllNetworks(ctx, &gen.ListNetworksParams{Size: ptr(int32(10))}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n.Name)
	}
	if len(names) != 25 || names[0] != "n00" || names[24] != "n24" || srv.RequestCount(gen.OpListNetworks) != 3 {
		t.Errorf("iterated %d networks in %d pages", len(names), srv.RequestCount(gen.OpListNetworks))
	}
	sessions := 0
	for _, err := range c.AllSessions(ctx, gen.ListSessionsParams{Size: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		sessions++
	}
	if sessions != DefaultSessions || srv.RequestCount(gen.OpListSessions) != (DefaultSessions+6)/7 {
		t.Errorf("%d sessions in %d batches", sessions, srv.RequestCount(gen.OpListSessions))
	}

	_, err := c.GetNetworkWithResponse(ctx, "missing")
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Operation != "getNetwork" {
		t.Errorf("missing network: %v", err)
	}
	// The 400 "Entity does not exist" of DNS records is a not-found too.
	if _, err := c.GetDnsRecordWithResponse(ctx, "missing"); !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("missing DNS record: %v", err)
	}
	if _, err := c.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Size: ptr(int32(5000))}); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 ||
		!strings.Contains(apiErr.Message, "size") {
		t.Errorf("invalid size: %v", err)
	}
}

func TestClientTokenStyles(t *testing.T) {
	srv := NewServer(t)
	for _, style := range []client.Option{client.WithTokenStyle(auth.TokenStyleBasic), client.WithTokenStyle(auth.TokenStyleQuery)} {
		if _, err := srv.Client(style).ListRegionsWithResponse(context.Background()); err != nil {
			t.Errorf("token style: %v", err)
		}
	}
	bad := &Server{URL: srv.URL, ClientID: srv.ClientID, ClientSecret: "wrong", h: srv.h, ts: srv.ts, tb: t}
	_, err := bad.Client(client.WithoutRetries()).ListRegionsWithResponse(context.Background())
	var authErr *client.AuthenticationError
	if !errors.Is(err, client.ErrUnauthorized) || !errors.As(err, &authErr) || authErr.Code != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestClientReauthenticates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expire func(*Server)
	}{
		{"ExpireTokens", func(s *Server) { s.ExpireTokens() }},
		{"fault ExpireToken", func(s *Server) { s.InjectFault(gen.OpListRegions, Fault{ExpireToken: true, Times: 1}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(t)
			c := srv.Client(fastRetries)
			ctx := context.Background()
			if _, err := c.ListRegionsWithResponse(ctx); err != nil {
				t.Fatal(err)
			}
			tc.expire(srv)
			r, err := c.ListRegionsWithResponse(ctx)
			if err != nil || len(*r.JSON200) == 0 {
				t.Fatalf("after expiry: %v", err)
			}
			if n := srv.TokenRequestCount(); n != 2 {
				t.Errorf("TokenRequestCount = %d, want 2", n)
			}
			if n := srv.RequestCount(gen.OpListRegions); n != 3 {
				t.Errorf("listRegions requests = %d, want 3 (ok, 401, ok)", n)
			}
		})
	}
}

func TestClientTokenTTL(t *testing.T) {
	clk := newClock(time.Now())
	srv := NewServer(t, WithClock(clk.Now), WithTokenTTL(10*time.Minute))
	c := srv.Client(fastRetries)
	ctx := context.Background()
	if _, err := c.ListRegionsWithResponse(ctx); err != nil {
		t.Fatal(err)
	}
	// The server's clock runs ahead of the client's: the token it issued has
	// expired although the client thinks it is fresh.
	clk.Advance(11 * time.Minute)
	if _, err := c.ListRegionsWithResponse(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequestCount(); n != 2 {
		t.Errorf("TokenRequestCount = %d, want 2", n)
	}
}

func TestClientAbsorbsRateLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("retries after 429", func(t *testing.T) {
		srv := NewServer(t, WithRateLimit(2, 1, 200*time.Millisecond))
		c := srv.Client(client.WithoutRateLimit(), client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 5, MaxElapsed: 20 * time.Second}))
		for i := range 4 {
			if _, err := c.GetSnatWithResponse(ctx); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		if n := srv.RequestCount(gen.OpGetSnat); n <= 4 {
			t.Errorf("getSnat requests = %d: expected at least one 429", n)
		}
	})
	t.Run("client limiter learns the budget", func(t *testing.T) {
		srv := NewServer(t, WithRateLimit(3, 20, time.Second))
		c := srv.Client(client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 5, MaxElapsed: 20 * time.Second}))
		start := time.Now()
		for i := range 10 {
			if _, err := c.GetSnatWithResponse(ctx); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("10 calls took %v", d)
		}
	})
	t.Run("without retries 429 is an error", func(t *testing.T) {
		srv := NewServer(t, WithRateLimit(1, 1, time.Hour))
		c := srv.Client(client.WithoutRetries(), client.WithoutRateLimit())
		_, _ = c.GetSnatWithResponse(ctx)
		_, err := c.GetSnatWithResponse(ctx)
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter != time.Hour {
			t.Errorf("429: %v", err)
		}
	})
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("503 then success", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpListRegions, Fault{Status: 503, Times: 2})
		r, err := srv.Client(fastRetries).ListRegionsWithResponse(ctx)
		if err != nil || len(*r.JSON200) == 0 {
			t.Fatal(err)
		}
		if n := srv.RequestCount(gen.OpListRegions); n != 3 {
			t.Errorf("listRegions requests = %d, want 3", n)
		}
	})
	t.Run("POST 500 is sent once", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpCreateNetwork, Fault{Status: 500, Times: 1})
		c := srv.Client(fastRetries)
		_, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "once"})
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Attempts != 1 {
			t.Fatalf("500: %v", err)
		}
		if n := srv.RequestCount(gen.OpCreateNetwork); n != 1 {
			t.Errorf("createNetwork requests = %d, want 1", n)
		}
		if l, err := c.ListNetworksWithResponse(ctx, nil); err != nil || l.JSON200.TotalElements != 0 {
			t.Errorf("the faulted create created something: %v", err)
		}
	})
	t.Run("dropped connection on GET is retried", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSubnet, Fault{DropConnection: true, Times: 1})
		if _, err := srv.Client(fastRetries).GetSubnetWithResponse(ctx); err != nil {
			t.Fatal(err)
		}
		if n := srv.RequestCount(gen.OpGetSubnet); n != 2 {
			t.Errorf("getSubnet requests = %d, want 2", n)
		}
	})
	t.Run("dropped connection without retries", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSubnet, Fault{DropConnection: true})
		var reqErr *client.RequestError
		if _, err := srv.Client(client.WithoutRetries()).GetSubnetWithResponse(ctx); !errors.As(err, &reqErr) {
			t.Errorf("dropped connection: %v", err)
		}
	})
	t.Run("truncated body", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpListRegions, Fault{TruncateBody: true})
		if _, err := srv.Client(client.WithoutRetries()).ListRegionsWithResponse(ctx); err == nil {
			t.Error("truncated body: no error")
		}
		// On the wire: the announced length is not delivered.
		resp, err := srv.HTTPClient().Do(authed(t, srv, "GET", "/api/v1/regions"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("reading a truncated body: %v", err)
		}
	})
	t.Run("malformed body", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetNetwork, Fault{MalformedBody: true})
		c := srv.Client(client.WithoutRetries())
		n, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetNetworkWithResponse(ctx, n.JSON201.Id); err == nil {
			t.Error("malformed body: no error")
		}
	})
	t.Run("custom body, content type and Retry-After", func(t *testing.T) {
		srv := NewServer(t)
		req := authed(t, srv, "GET", "/api/v1/regions")
		srv.InjectFault(AnyOperation, Fault{Status: 502, Body: "<html>Bad Gateway</html>", ContentType: "text/html", RetryAfter: "7"})
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || string(b) != "<html>Bad Gateway</html>" || resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get("Retry-After") != "7" {
			t.Errorf("fault answer: %d %q %v", resp.StatusCode, b, resp.Header)
		}
		srv.ClearFaults()
		if _, err := srv.Client().ListRegionsWithResponse(ctx); err != nil {
			t.Errorf("after ClearFaults: %v", err)
		}
	})
	t.Run("delay", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSnat, Fault{Delay: 100 * time.Millisecond, Times: 1})
		c := srv.Client(client.WithoutRetries())
		start := time.Now()
		if _, err := c.GetSnatWithResponse(ctx); err != nil || time.Since(start) < 100*time.Millisecond {
			t.Errorf("delayed call: %v after %v", err, time.Since(start))
		}
		srv.InjectFault(gen.OpGetSnat, Fault{Delay: time.Minute})
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := c.GetSnatWithResponse(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("call past its deadline: %v", err)
		}
	})
	t.Run("queued faults apply in order", func(t *testing.T) {
		srv := NewServer(t)
		req := authed(t, srv, "GET", "/api/v1/settings/wpc/snat")
		srv.InjectFault(gen.OpGetSnat, Fault{Status: 503, Times: 1})
		srv.InjectFault(gen.OpGetSnat, Fault{Status: 504, Times: 1})
		srv.InjectFault(AnyOperation, Fault{Status: 418, Times: 1})
		var got []int
		for range 4 {
			resp, err := srv.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got = append(got, resp.StatusCode)
		}
		if fmt.Sprint(got) != "[503 504 418 200]" {
			t.Errorf("statuses %v", got)
		}
	})
	t.Run("token endpoint", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpRequestToken, Fault{Status: 503, Times: 1})
		if _, err := srv.Client(fastRetries).ListRegionsWithResponse(ctx); err != nil {
			t.Fatal(err)
		}
		if n := srv.TokenRequestCount(); n != 2 {
			t.Errorf("TokenRequestCount = %d, want 2", n)
		}
	})
}

// authed builds a request with a fresh token of srv.
func authed(t *testing.T, srv *Server, method, path string) *http.Request {
	t.Helper()
	tok := getToken(t, srv)
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

func TestTLS(t *testing.T) {
	srv := NewServer(t, WithTLS())
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") || srv.Certificate() == nil {
		t.Fatalf("URL %s", srv.URL)
	}
	r, err := srv.Client().ListRegionsWithResponse(context.Background())
	if err != nil || len(*r.JSON200) != 30 {
		t.Fatalf("over TLS: %v", err)
	}
	// Without trusting the certificate, the connection fails.
	if _, err := http.Get(srv.URL + "/api/v1/regions"); err == nil {
		t.Error("untrusted certificate accepted")
	}
	if NewServer(t).Certificate() != nil {
		t.Error("plain HTTP server has a certificate")
	}
}

func TestStartAndShutdown(t *testing.T) {
	srv, err := Start(WithCredentials("id", "secret"), WithoutSeed())
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	if u, err := c.ListUsersWithResponse(context.Background(), nil); err != nil || u.JSON200.TotalElements != 0 {
		t.Fatalf("users without seed: %v", err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.HTTPClient().Get(srv.URL + "/api/v1/regions"); err == nil {
		t.Error("server still answers after Shutdown")
	}
	if _, err := Start(WithAddr("256.0.0.1:0")); err == nil {
		t.Error("Start on a bad address succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				n, err := c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("g%d-%d", g, i),
					Connectors: []gen.NetworkConnectorRequest{{Name: "c", VpnRegionId: "us-nyc"}}})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.ListNetworksWithResponse(ctx, nil); err != nil {
					t.Error(err)
				}
				if _, err := c.AddAccessGroupSourceWithResponse(ctx, "none", gen.AccessItemSourceRequest{Type: gen.AccessItemSourceTypeHost}); err == nil {
					t.Error("access group none exists")
				}
				if i%2 == 0 {
					if _, err := c.DeleteNetworkWithResponse(ctx, n.JSON201.Id); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if l, err := c.ListNetworksWithResponse(ctx, nil); err != nil || l.JSON200.TotalElements != 40 {
		t.Errorf("networks left: %v %v", l, err)
	}
}
