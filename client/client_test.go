package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewPerformsNoIO(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, err := New(srv.URL, "id", "secret", WithAllowInsecureLoopback())
	require.NoError(t, err)
	assert.Zero(t, hits.Load(), "New made a request")
	assert.NotNil(t, c.Authenticator(), "Authenticator")
	assert.Equal(t, srv.URL, c.BaseURL(), "BaseURL")
	assert.Equal(t, "1.2.3", APIVersion)
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		in       string
		loopback bool
		want     string // "" means an error
		errHas   string
	}{
		{"https://acme.api.openvpn.com", false, "https://acme.api.openvpn.com", ""},
		{"https://acme.api.openvpn.com/", false, "https://acme.api.openvpn.com", ""},
		{"  https://acme.api.openvpn.com//  ", false, "https://acme.api.openvpn.com", ""},
		{"HTTPS://acme.api.openvpn.com", false, "https://acme.api.openvpn.com", ""},
		{"https://proxy.example/cc", false, "https://proxy.example/cc", ""},
		{"https://proxy.example/cc/", false, "https://proxy.example/cc", ""},
		{"https://proxy.example:8443/a/b", false, "https://proxy.example:8443/a/b", ""},
		{"acme", false, "https://acme.api.openvpn.com", ""},
		{"My-Company", false, "https://my-company.api.openvpn.com", ""},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080", ""},
		{"http://127.1.2.3", true, "http://127.1.2.3", ""},
		{"http://localhost:9", true, "http://localhost:9", ""},
		{"http://[::1]:9/x/", true, "http://[::1]:9/x", ""},
		{"http://127.0.0.1:8080", false, "", "https"},
		{"http://example.com", true, "", "https"},
		{"http://10.0.0.1", true, "", "https"},
		{"ftp://acme.example", false, "", "https"},
		{"https://user:hunter2@acme.example", false, "", "userinfo"},
		{"https://hunter2@acme.example", false, "", "userinfo"},
		{"https://acme.example?x=1", false, "", "query"},
		{"https://acme.example#frag", false, "", "fragment"},
		{"acme.api.openvpn.com", false, "", "absolute"},
		{"/api", false, "", "absolute"},
		{"https://", false, "", "absolute"},
		{"https://:443", false, "", "host"},
		{"", false, "", "empty"},
		{"-acme", false, "", "absolute"},
		{"https://ac me.example\x7f", false, "", "not a valid URL"},
	} {
		u, err := normalizeBaseURL(tc.in, tc.loopback)
		if tc.want == "" {
			if assert.Error(t, err, "%q: accepted as %v", tc.in, u) &&
				assert.ErrorContains(t, err, tc.errHas, "%q", tc.in) {
				assert.NotContains(t, err.Error(), "hunter2", "%q: error echoes the userinfo", tc.in)
			}
			continue
		}
		if assert.NoError(t, err, "%q", tc.in) {
			assert.Equal(t, tc.want, u.String(), "%q", tc.in)
		}
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	_, err := New("https://user:pw-secret@acme.example", "id", "secret")
	if assert.Error(t, err, "userinfo accepted") {
		assert.NotContains(t, err.Error(), "pw-secret", "userinfo")
	}
	_, err = New("acme", "", "secret")
	assert.Error(t, err, "empty client id accepted")
	_, err = New("acme", "id", "")
	assert.Error(t, err, "empty secret accepted")
	_, err = New("acme", "id", "secret", WithUserAgent("bad\r\nX-Injected: 1"))
	assert.Error(t, err, "control characters in User-Agent accepted")
	_, err = New("acme", "id", "secret", WithTokenStyle(auth.TokenStyle(42)))
	assert.Error(t, err, "unknown token style accepted")
	for name, opt := range map[string]Option{
		"rate burst":   WithRateLimit(0, time.Second),
		"rate every":   WithRateLimit(1, 0),
		"max bytes":    WithMaxResponseBytes(0),
		"timeout":      WithTimeout(-time.Second),
		"retry policy": WithRetryPolicy(RetryPolicy{MaxAttempts: -1}),
	} {
		_, err := New("acme", "id", "secret", opt)
		assert.Error(t, err, "%s: invalid option accepted", name)
	}
}

func TestOptions(t *testing.T) {
	cfg, err := newConfig([]Option{nil, WithRetryPolicy(RetryPolicy{MaxAttempts: 2}), WithTimeout(0), WithRateLimit(3, time.Second), WithoutRateLimit()})
	require.NoError(t, err)
	want := DefaultRetryPolicy()
	want.MaxAttempts = 2
	assert.Equal(t, want, cfg.retry, "config: %+v", cfg)
	assert.Zero(t, cfg.timeout, "config: %+v", cfg)
	assert.True(t, cfg.timeoutSet, "config: %+v", cfg)
	assert.False(t, cfg.rateLimit, "config: %+v", cfg)
	cfg, _ = newConfig([]Option{WithoutRetries()})
	assert.Equal(t, 1, cfg.retry.MaxAttempts, "WithoutRetries: %+v", cfg.retry)
}

func TestTLSServerWithCallerHTTPClient(t *testing.T) {
	var ua atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/oauth/token" {
			writeJSON(w, 200, `{"access_token":"tok-1","expires_in":3600}`)
			return
		}
		ua.Store(r.Header.Get("User-Agent"))
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			writeJSON(w, 401, `{}`)
			return
		}
		writeJSON(w, 200, `[{"id":"r1"}]`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate case below
	srv.StartTLS()
	defer srv.Close()
	hc := srv.Client()
	hc.Timeout = 5 * time.Second
	origTransport := hc.Transport
	c, err := New(srv.URL, "id", "secret", WithHTTPClient(hc))
	require.NoError(t, err)
	resp, err := c.Raw.ListRegionsWithResponse(context.Background())
	require.NoError(t, err)
	if assert.NotNil(t, resp.JSON200, "regions: %s", resp.Body) {
		assert.Len(t, *resp.JSON200, 1, "regions: %s", resp.Body)
	}
	assert.True(t, hc.Transport == origTransport, "the caller's http.Client was modified")
	assert.Equal(t, 5*time.Second, c.pipe.timeout, "timeout: want the caller's")
	got, _ := ua.Load().(string)
	assert.Equal(t, UserAgent(), got, "User-Agent")

	// Without the test server's client, its certificate is not trusted:
	// the failure is not retried.
	c2, err := New(srv.URL, "id", "secret")
	require.NoError(t, err)
	start := time.Now()
	_, err = c2.Raw.ListRegionsWithResponse(context.Background())
	require.Error(t, err, "untrusted certificate accepted")
	assert.LessOrEqual(t, time.Since(start), 2*time.Second, "certificate failure took long: retried?")
}

func TestNewTransport(t *testing.T) {
	tr := NewTransport()
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 64, "transport: %+v", tr)
	assert.NotZero(t, tr.TLSHandshakeTimeout, "transport: %+v", tr)
	assert.NotZero(t, tr.TLSClientConfig.MinVersion, "transport: %+v", tr)
	assert.NotNil(t, tr.Proxy, "transport: %+v", tr)
	c, err := New("acme", "id", "secret")
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.pipe.timeout, "timeout")
	c, err = New("acme", "id", "secret", WithHTTPClient(&http.Client{}), WithTimeout(time.Second))
	require.NoError(t, err)
	assert.Equal(t, time.Second, c.pipe.timeout, "WithTimeout over WithHTTPClient")
}

func TestPathPrefixIsKept(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/cc/api/v1/oauth/token" {
			writeJSON(w, 200, `{"access_token":"tok-1","expires_in":3600}`)
			return
		}
		writeJSON(w, 404, `{"errorMessage":"network n-9 not found"}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/cc/", "id", "secret", WithAllowInsecureLoopback())
	require.NoError(t, err)
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-9")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "getNetwork", apiErr.Operation, "err = %v (%+v)", err, apiErr)
	require.Equal(t, "n-9", apiErr.ResourceID, "err = %v (%+v)", err, apiErr)
	require.Equal(t, "/cc/api/v1/networks/n-9", apiErr.Path, "err = %v (%+v)", err, apiErr)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"/cc/api/v1/oauth/token", "/cc/api/v1/networks/n-9"}, paths)
	op := c.pipe.operation(mustRequest(t, srv.URL+"/elsewhere/api/v1/networks"))
	assert.Empty(t, op.ID, "a path outside the prefix matched")
}

func TestUserAgent(t *testing.T) {
	assert.Regexp(t, `^cloudconnexa-go/\S+ \(api 1\.2\.3\)$`, UserAgent())
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	c = newTestClient(t, s, WithUserAgent("my-tool/2.0"))
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	reqs := s.recorded()
	assert.Equal(t, UserAgent(), reqs[0].Header.Get("User-Agent"), "default User-Agent sent")
	assert.Equal(t, "my-tool/2.0", reqs[1].Header.Get("User-Agent"), "overridden User-Agent sent")
}

func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newTestAPI(t, sequence(503, 500, 200))
	s.setTokens([]string{"tok-SEKRIT-123"}, func(tok string) bool { return tok == "tok-SEKRIT-123" })
	c := newTestClient(t, s, WithLogger(logger))
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	// A failed token request and a transport error are logged too.
	s.setTokens([]string{"tok-SEKRIT-456"}, func(tok string) bool { return tok == "tok-SEKRIT-456" })
	c.Authenticator().Invalidate("tok-SEKRIT-123")
	s.setHandler(func(w http.ResponseWriter, r *http.Request) { dropConnection(w) })
	c.Raw.GetNetworkWithResponse(context.Background(), "n-2")

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	var debugs, warns int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		switch {
		case strings.Contains(line, `"msg":"cloudconnexa: request"`):
			debugs++
			for _, attr := range []string{`"level":"DEBUG"`, `"operation":"getNetwork"`, `"method":"GET"`, `"path":"/api/v1/networks/n-`, `"duration":`, `"attempt":`} {
				assert.Contains(t, line, attr, "debug record")
			}
		case strings.Contains(line, `"msg":"cloudconnexa: retrying"`):
			warns++
			for _, attr := range []string{`"level":"WARN"`, `"operation":"getNetwork"`, `"attempt":`, `"delay":`} {
				assert.Contains(t, line, attr, "warn record")
			}
		}
	}
	// The first attempt at n-2 reuses the connection of n-1; net/http
	// retries that on its own, which counts as an attempt of the five, so
	// there may be one send record fewer.
	assert.GreaterOrEqual(t, debugs, 3+4, "debug records:\n%s", out)
	assert.LessOrEqual(t, debugs, 3+5, "debug records:\n%s", out)
	assert.Equal(t, debugs-2, warns, "warn records:\n%s", out)
	assert.Contains(t, out, `"status":503`, "records lack status")
	assert.Contains(t, out, `"error":`, "records lack error")
	for _, secret := range []string{testSecret, "tok-SEKRIT", "Bearer", "Authorization"} {
		assert.NotContains(t, out, secret, "log output")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestNoLoggerLogsNothing(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)
	s := newTestAPI(t, sequence(500, 200))
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.Zero(t, buf.Len(), "logged without a logger:\n%s", buf.String())
}

func TestConcurrentUse(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s, WithRateLimit(1000, time.Millisecond))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
			} else {
				_, err = c.Raw.UpdateNetworkWithResponse(context.Background(), "n-1", gen.NetworkUpdateRequest{Name: "x"})
			}
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), s.tokenRequests.Load(), "token requests")
}

func TestTokenStyleQuery(t *testing.T) {
	var gotQuery atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/oauth/token" {
			gotQuery.Store(r.URL.Query().Get("client_id"))
			writeJSON(w, 200, `{"access_token":"tok-1","expires_in":3600}`)
			return
		}
		writeJSON(w, 200, `true`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "the-id", "secret", WithAllowInsecureLoopback(), WithTokenStyle(auth.TokenStyleQuery), WithAuthOptions(auth.WithRefreshMargin(time.Minute)))
	require.NoError(t, err)
	_, err = c.Raw.GetSNATWithResponse(context.Background())
	require.NoError(t, err)
	got, _ := gotQuery.Load().(string)
	assert.Equal(t, "the-id", got, "client_id in query")
}

func TestClientFormatting(t *testing.T) {
	c, err := New("acme", testClientID, testSecret)
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "c", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c), buf.String()} {
		assert.NotContains(t, s, testSecret, "formatted client shows the secret")
	}
	assert.Equal(t, "client.Client{baseURL: https://acme.api.openvpn.com, api: 1.2.3}", c.String())
	assert.Contains(t, buf.String(), "c.base_url=https://acme.api.openvpn.com", "slog")
	var nilClient *Client
	assert.NotEmpty(t, nilClient.String(), "nil client formatting")
	assert.NotEmpty(t, nilClient.GoString(), "nil client formatting")
	assert.NotEmpty(t, nilClient.LogValue().String(), "nil client formatting")
}
