package cloudconnexatest

import (
	"context"
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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		_, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("n%02d", i)})
		require.NoError(t, err)
	}
	var names []string
	for n, err := range c.Networks.All(ctx, &client.NetworksListParams{Size: 10}) {
		require.NoError(t, err)
		names = append(names, n.Name)
	}
	if assert.Len(t, names, 25, "networks iterated") {
		assert.Equal(t, "n00", names[0])
		assert.Equal(t, "n24", names[24])
	}
	assert.Equal(t, 3, srv.RequestCount(gen.OpListNetworks), "pages")
	sessions := 0
	for _, err := range c.Sessions.All(ctx, &client.SessionsListParams{Size: 7}) {
		require.NoError(t, err)
		sessions++
	}
	assert.Equal(t, DefaultSessions, sessions, "sessions")
	assert.Equal(t, (DefaultSessions+6)/7, srv.RequestCount(gen.OpListSessions), "session batches")

	_, err := c.Raw.GetNetworkWithResponse(ctx, "missing")
	var apiErr *client.APIError
	assert.ErrorIs(t, err, client.ErrNotFound, "missing network")
	if assert.ErrorAs(t, err, &apiErr, "missing network") {
		assert.Equal(t, 404, apiErr.StatusCode, "missing network: %v", err)
		assert.Equal(t, "getNetwork", apiErr.Operation, "missing network: %v", err)
	}
	// The 400 "… not found" of DNS records is a not-found too.
	_, err = c.Raw.GetDNSRecordWithResponse(ctx, "missing")
	assert.ErrorIs(t, err, client.ErrNotFound, "missing DNS record")
	if assert.ErrorAs(t, err, &apiErr, "missing DNS record") {
		assert.Equal(t, 400, apiErr.StatusCode, "missing DNS record: %v", err)
	}
	_, err = c.Raw.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Size: ptr(int32(5000))})
	if assert.ErrorAs(t, err, &apiErr, "invalid size") {
		assert.Equal(t, 400, apiErr.StatusCode, "invalid size: %v", err)
		assert.Contains(t, apiErr.Message, "size", "invalid size")
	}
}

func TestClientTokenStyles(t *testing.T) {
	srv := NewServer(t)
	for _, style := range []client.Option{client.WithTokenStyle(auth.TokenStyleBasic), client.WithTokenStyle(auth.TokenStyleQuery)} {
		_, err := srv.Client(style).Raw.ListRegionsWithResponse(context.Background())
		assert.NoError(t, err, "token style")
	}
	bad := &Server{URL: srv.URL, ClientID: srv.ClientID, ClientSecret: "wrong", h: srv.h, ts: srv.ts, tb: t}
	_, err := bad.Client(client.WithoutRetries()).Raw.ListRegionsWithResponse(context.Background())
	var authErr *client.AuthenticationError
	assert.ErrorIs(t, err, client.ErrUnauthorized, "wrong secret")
	if assert.ErrorAs(t, err, &authErr, "wrong secret") {
		assert.Equal(t, "invalid_client", authErr.Code, "wrong secret: %v", err)
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
			_, err := c.Raw.ListRegionsWithResponse(ctx)
			require.NoError(t, err)
			tc.expire(srv)
			r, err := c.Raw.ListRegionsWithResponse(ctx)
			require.NoError(t, err, "after expiry")
			require.NotEmpty(t, *r.JSON200, "after expiry")
			assert.Equal(t, 2, srv.TokenRequestCount(), "TokenRequestCount")
			assert.Equal(t, 3, srv.RequestCount(gen.OpListRegions), "listRegions requests (ok, 401, ok)")
		})
	}
}

func TestClientTokenTTL(t *testing.T) {
	clk := newClock(time.Now())
	srv := NewServer(t, WithClock(clk.Now), WithTokenTTL(10*time.Minute))
	c := srv.Client(fastRetries)
	ctx := context.Background()
	_, err := c.Raw.ListRegionsWithResponse(ctx)
	require.NoError(t, err)
	// The server's clock runs ahead of the client's: the token it issued has
	// expired although the client thinks it is fresh.
	clk.Advance(11 * time.Minute)
	_, err = c.Raw.ListRegionsWithResponse(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokenRequestCount(), "TokenRequestCount")
}

func TestClientAbsorbsRateLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("retries after 429", func(t *testing.T) {
		srv := NewServer(t, WithEnforcedRateLimit(2, 1, 200*time.Millisecond))
		c := srv.Client(client.WithoutRateLimit(), client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 5, MaxElapsed: 20 * time.Second}))
		for i := range 4 {
			_, err := c.Raw.GetSNATWithResponse(ctx)
			require.NoError(t, err, "call %d", i)
		}
		assert.Greater(t, srv.RequestCount(gen.OpGetSNAT), 4, "getSnat requests: expected at least one 429")
	})
	t.Run("client limiter learns the budget", func(t *testing.T) {
		srv := NewServer(t, WithEnforcedRateLimit(3, 20, time.Second))
		c := srv.Client(client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 5, MaxElapsed: 20 * time.Second}))
		start := time.Now()
		for i := range 10 {
			_, err := c.Raw.GetSNATWithResponse(ctx)
			require.NoError(t, err, "call %d", i)
		}
		assert.LessOrEqual(t, time.Since(start), 10*time.Second, "10 calls took too long")
	})
	t.Run("without retries 429 is an error", func(t *testing.T) {
		srv := NewServer(t, WithEnforcedRateLimit(1, 1, time.Hour))
		c := srv.Client(client.WithoutRetries(), client.WithoutRateLimit())
		_, _ = c.Raw.GetSNATWithResponse(ctx)
		_, err := c.Raw.GetSNATWithResponse(ctx)
		var apiErr *client.APIError
		if assert.ErrorAs(t, err, &apiErr, "429") {
			assert.Equal(t, 429, apiErr.StatusCode, "429: %v", err)
			assert.Equal(t, time.Hour, apiErr.RetryAfter, "429: %v", err)
		}
	})
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("503 then success", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpListRegions, Fault{Status: 503, Times: 2})
		r, err := srv.Client(fastRetries).Raw.ListRegionsWithResponse(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, *r.JSON200)
		assert.Equal(t, 3, srv.RequestCount(gen.OpListRegions), "listRegions requests")
	})
	t.Run("POST 500 is sent once", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpCreateNetwork, Fault{Status: 500, Times: 1})
		c := srv.Client(fastRetries)
		_, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "once"})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr, "500")
		require.Equal(t, 500, apiErr.StatusCode, "500: %v", err)
		require.Equal(t, 1, apiErr.Attempts, "500: %v", err)
		assert.Equal(t, 1, srv.RequestCount(gen.OpCreateNetwork), "createNetwork requests")
		l, err := c.Raw.ListNetworksWithResponse(ctx, nil)
		if assert.NoError(t, err) {
			assert.Zero(t, l.JSON200.TotalElements, "the faulted create created something")
		}
	})
	t.Run("dropped connection on GET is retried", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSubnet, Fault{DropConnection: true, Times: 1})
		_, err := srv.Client(fastRetries).Raw.GetSubnetWithResponse(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.RequestCount(gen.OpGetSubnet), "getSubnet requests")
	})
	t.Run("dropped connection without retries", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSubnet, Fault{DropConnection: true})
		var reqErr *client.RequestError
		_, err := srv.Client(client.WithoutRetries()).Raw.GetSubnetWithResponse(ctx)
		assert.ErrorAs(t, err, &reqErr, "dropped connection")
	})
	t.Run("truncated body", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpListRegions, Fault{TruncateBody: true})
		_, err := srv.Client(client.WithoutRetries()).Raw.ListRegionsWithResponse(ctx)
		assert.Error(t, err, "truncated body: no error")
		// On the wire: the announced length is not delivered.
		resp, err := srv.HTTPClient().Do(authed(t, srv, "GET", "/api/v1/regions"))
		require.NoError(t, err)
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "reading a truncated body")
	})
	t.Run("malformed body", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetNetwork, Fault{MalformedBody: true})
		c := srv.Client(client.WithoutRetries())
		n, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "m"})
		require.NoError(t, err)
		_, err = c.Raw.GetNetworkWithResponse(ctx, n.JSON201.ID)
		assert.Error(t, err, "malformed body: no error")
	})
	t.Run("custom body, content type and Retry-After", func(t *testing.T) {
		srv := NewServer(t)
		req := authed(t, srv, "GET", "/api/v1/regions")
		srv.InjectFault(AnyOperation, Fault{Status: 502, Body: "<html>Bad Gateway</html>", ContentType: "text/html", RetryAfter: "7"})
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 502, resp.StatusCode, "fault answer")
		assert.Equal(t, "<html>Bad Gateway</html>", string(b), "fault answer")
		assert.Equal(t, "text/html", resp.Header.Get("Content-Type"), "fault answer")
		assert.Equal(t, "7", resp.Header.Get("Retry-After"), "fault answer")
		srv.ClearFaults()
		_, err = srv.Client().Raw.ListRegionsWithResponse(ctx)
		assert.NoError(t, err, "after ClearFaults")
	})
	t.Run("delay", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpGetSNAT, Fault{Delay: 100 * time.Millisecond, Times: 1})
		c := srv.Client(client.WithoutRetries())
		start := time.Now()
		_, err := c.Raw.GetSNATWithResponse(ctx)
		assert.NoError(t, err, "delayed call")
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "delayed call")
		srv.InjectFault(gen.OpGetSNAT, Fault{Delay: time.Minute})
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err = c.Raw.GetSNATWithResponse(short)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "call past its deadline")
	})
	t.Run("queued faults apply in order", func(t *testing.T) {
		srv := NewServer(t)
		req := authed(t, srv, "GET", "/api/v1/settings/wpc/snat")
		srv.InjectFault(gen.OpGetSNAT, Fault{Status: 503, Times: 1})
		srv.InjectFault(gen.OpGetSNAT, Fault{Status: 504, Times: 1})
		srv.InjectFault(AnyOperation, Fault{Status: 418, Times: 1})
		var got []int
		for range 4 {
			resp, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			got = append(got, resp.StatusCode)
		}
		assert.Equal(t, []int{503, 504, 418, 200}, got, "statuses")
	})
	t.Run("token endpoint", func(t *testing.T) {
		srv := NewServer(t)
		srv.InjectFault(gen.OpRequestToken, Fault{Status: 503, Times: 1})
		_, err := srv.Client(fastRetries).Raw.ListRegionsWithResponse(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.TokenRequestCount(), "TokenRequestCount")
	})
}

// authed builds a request with a fresh token of srv.
func authed(t *testing.T, srv *Server, method, path string) *http.Request {
	t.Helper()
	tok := getToken(t, srv)
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

func TestTLS(t *testing.T) {
	srv := NewServer(t, WithTLS())
	require.True(t, strings.HasPrefix(srv.URL, "https://127.0.0.1:"), "URL %s", srv.URL)
	require.NotNil(t, srv.Certificate(), "URL %s", srv.URL)
	r, err := srv.Client().Raw.ListRegionsWithResponse(context.Background())
	require.NoError(t, err, "over TLS")
	require.Len(t, *r.JSON200, 35, "over TLS")
	// Without trusting the certificate, the connection fails.
	_, err = http.Get(srv.URL + "/api/v1/regions")
	assert.Error(t, err, "untrusted certificate accepted")
	assert.Nil(t, NewServer(t).Certificate(), "plain HTTP server has a certificate")
}

func TestStartAndShutdown(t *testing.T) {
	srv, err := Start(WithCredentials("id", "secret"), WithoutSeed())
	require.NoError(t, err)
	c := srv.Client()
	u, err := c.Raw.ListUsersWithResponse(context.Background(), nil)
	require.NoError(t, err, "users without seed")
	require.Zero(t, u.JSON200.TotalElements, "users without seed")
	require.NoError(t, srv.Shutdown(context.Background()))
	_, err = srv.HTTPClient().Get(srv.URL + "/api/v1/regions")
	assert.Error(t, err, "server still answers after Shutdown")
	_, err = Start(WithAddr("256.0.0.1:0"))
	assert.Error(t, err, "Start on a bad address succeeded")
}

func TestConcurrentUse(t *testing.T) {
	srv := NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				n, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("g%d-%d", g, i),
					Connectors: []gen.NetworkConnectorRequest{{Name: "c", VPNRegionID: "us-east-1"}}})
				if !assert.NoError(t, err) {
					return
				}
				_, err = c.Raw.ListNetworksWithResponse(ctx, nil)
				assert.NoError(t, err)
				_, err = c.Raw.AddAccessGroupSourceWithResponse(ctx, "none", gen.AccessItemSourceRequest{Type: gen.AccessItemSourceTypeHost})
				assert.Error(t, err, "access group none exists")
				if i%2 == 0 {
					_, err := c.Raw.DeleteNetworkWithResponse(ctx, n.JSON201.ID)
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()
	l, err := c.Raw.ListNetworksWithResponse(ctx, nil)
	if assert.NoError(t, err, "networks left") {
		assert.EqualValues(t, 40, l.JSON200.TotalElements, "networks left")
	}
}
