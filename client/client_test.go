package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestNewPerformsNoIO(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, err := New(srv.URL, "id", "secret", WithAllowInsecureLoopback())
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 0 {
		t.Error("New made a request")
	}
	if c.Authenticator() == nil || c.BaseURL() != srv.URL {
		t.Errorf("Authenticator %v, BaseURL %q", c.Authenticator(), c.BaseURL())
	}
	if APIVersion != "1.2.3" {
		t.Errorf("APIVersion = %q", APIVersion)
	}
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
			if err == nil {
				t.Errorf("%q: accepted as %v", tc.in, u)
			} else if !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%q: error %q lacks %q", tc.in, err, tc.errHas)
			} else if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%q: error echoes the userinfo: %v", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
		} else if u.String() != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, u, tc.want)
		}
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New("https://user:pw-secret@acme.example", "id", "secret"); err == nil || strings.Contains(err.Error(), "pw-secret") {
		t.Errorf("userinfo: %v", err)
	}
	if _, err := New("acme", "", "secret"); err == nil {
		t.Error("empty client id accepted")
	}
	if _, err := New("acme", "id", ""); err == nil {
		t.Error("empty secret accepted")
	}
	if _, err := New("acme", "id", "secret", WithUserAgent("bad\r\nX-Injected: 1")); err == nil {
		t.Error("control characters in User-Agent accepted")
	}
	if _, err := New("acme", "id", "secret", WithTokenStyle(auth.TokenStyle(42))); err == nil {
		t.Error("unknown token style accepted")
	}
	for name, opt := range map[string]Option{
		"rate burst":   WithRateLimit(0, time.Second),
		"rate every":   WithRateLimit(1, 0),
		"max bytes":    WithMaxResponseBytes(0),
		"timeout":      WithTimeout(-time.Second),
		"retry policy": WithRetryPolicy(RetryPolicy{MaxAttempts: -1}),
	} {
		if _, err := New("acme", "id", "secret", opt); err == nil {
			t.Errorf("%s: invalid option accepted", name)
		}
	}
}

func TestOptions(t *testing.T) {
	cfg, err := newConfig([]Option{nil, WithRetryPolicy(RetryPolicy{MaxAttempts: 2}), WithTimeout(0), WithRateLimit(3, time.Second), WithoutRateLimit()})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultRetryPolicy()
	want.MaxAttempts = 2
	if cfg.retry != want || cfg.timeout != 0 || !cfg.timeoutSet || cfg.rateLimit {
		t.Errorf("config: %+v", cfg)
	}
	cfg, _ = newConfig([]Option{WithoutRetries()})
	if cfg.retry.MaxAttempts != 1 {
		t.Errorf("WithoutRetries: %+v", cfg.retry)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListRegionsWithResponse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || len(*resp.JSON200) != 1 {
		t.Errorf("regions: %s", resp.Body)
	}
	if hc.Transport != origTransport {
		t.Error("the caller's http.Client was modified")
	}
	if c.pipe.timeout != 5*time.Second {
		t.Errorf("timeout %v, want the caller's", c.pipe.timeout)
	}
	if got, _ := ua.Load().(string); got != UserAgent() {
		t.Errorf("User-Agent %q", got)
	}

	// Without the test server's client, its certificate is not trusted:
	// the failure is not retried.
	c2, err := New(srv.URL, "id", "secret")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c2.ListRegionsWithResponse(context.Background()); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("certificate failure took %v: retried?", time.Since(start))
	}
}

func TestDefaultTransport(t *testing.T) {
	tr := DefaultTransport()
	if tr.MaxIdleConnsPerHost < 64 || tr.TLSHandshakeTimeout == 0 || tr.TLSClientConfig.MinVersion == 0 || tr.Proxy == nil {
		t.Errorf("transport: %+v", tr)
	}
	c, err := New("acme", "id", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if c.pipe.timeout != DefaultTimeout {
		t.Errorf("timeout = %v", c.pipe.timeout)
	}
	c, err = New("acme", "id", "secret", WithHTTPClient(&http.Client{}), WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.pipe.timeout != time.Second {
		t.Errorf("WithTimeout over WithHTTPClient: %v", c.pipe.timeout)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetNetworkWithResponse(context.Background(), "n-9")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Operation != "getNetwork" || apiErr.ResourceID != "n-9" || apiErr.Path != "/cc/api/v1/networks/n-9" {
		t.Fatalf("err = %v (%+v)", err, apiErr)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(paths, " ") != "/cc/api/v1/oauth/token /cc/api/v1/networks/n-9" {
		t.Errorf("paths %v", paths)
	}
	if op := c.pipe.operation(mustRequest(t, srv.URL+"/elsewhere/api/v1/networks")); op.ID != "" {
		t.Errorf("a path outside the prefix matched %q", op.ID)
	}
}

func TestUserAgent(t *testing.T) {
	if ua := UserAgent(); !regexp.MustCompile(`^cloudconnexa-go/\S+ \(api 1\.2\.3\)$`).MatchString(ua) {
		t.Errorf("UserAgent() = %q", ua)
	}
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	c = newTestClient(t, s, WithUserAgent("my-tool/2.0"))
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	reqs := s.recorded()
	if got := reqs[0].Header.Get("User-Agent"); got != UserAgent() {
		t.Errorf("default User-Agent sent: %q", got)
	}
	if got := reqs[1].Header.Get("User-Agent"); got != "my-tool/2.0" {
		t.Errorf("overridden User-Agent sent: %q", got)
	}
}

func TestModuleVersion(t *testing.T) {
	dep := func(path, version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: path, Version: version, Replace: replace}
	}
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "devel"},
		{&debug.BuildInfo{Deps: []*debug.Module{nil, dep("other", "v9", nil), dep(modulePath, "v1.4.0", nil)}}, true, "v1.4.0"},
		{&debug.BuildInfo{Deps: []*debug.Module{dep(modulePath, "v1.4.0", dep("../fork", "", nil))}}, true, "v1.4.0"},
		{&debug.BuildInfo{Deps: []*debug.Module{dep(modulePath, "v1.4.0", dep("example.com/fork", "v1.4.1", nil))}}, true, "v1.4.1"},
		{&debug.BuildInfo{Deps: []*debug.Module{dep(modulePath, "(devel)", nil)}}, true, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.5.0"}}, true, "v1.5.0"},
		{&debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, true, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "v3.0.0"}}, true, "devel"},
	} {
		if got := moduleVersion(tc.bi, tc.ok); got != tc.want {
			t.Errorf("moduleVersion(%+v) = %q, want %q", tc.bi, got, tc.want)
		}
	}
	if got := userAgentFor(&debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.5.0"}}, true); got != "cloudconnexa-go/v1.5.0 (api 1.2.3)" {
		t.Errorf("userAgentFor = %q", got)
	}
}

func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newTestAPI(t, sequence(503, 500, 200))
	s.setTokens([]string{"tok-SEKRIT-123"}, func(tok string) bool { return tok == "tok-SEKRIT-123" })
	c := newTestClient(t, s, WithLogger(logger))
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	// A failed token request and a transport error are logged too.
	s.setTokens([]string{"tok-SEKRIT-456"}, func(tok string) bool { return tok == "tok-SEKRIT-456" })
	c.Authenticator().Invalidate("tok-SEKRIT-123")
	s.setHandler(func(w http.ResponseWriter, r *http.Request) { dropConnection(w) })
	c.GetNetworkWithResponse(context.Background(), "n-2")

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	var debugs, warns int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		switch {
		case strings.Contains(line, `"msg":"cloudconnexa: request"`):
			debugs++
			for _, attr := range []string{`"level":"DEBUG"`, `"operation":"getNetwork"`, `"method":"GET"`, `"path":"/api/v1/networks/n-`, `"duration":`, `"attempt":`} {
				if !strings.Contains(line, attr) {
					t.Errorf("debug record lacks %s: %s", attr, line)
				}
			}
		case strings.Contains(line, `"msg":"cloudconnexa: retrying"`):
			warns++
			for _, attr := range []string{`"level":"WARN"`, `"operation":"getNetwork"`, `"attempt":`, `"delay":`} {
				if !strings.Contains(line, attr) {
					t.Errorf("warn record lacks %s: %s", attr, line)
				}
			}
		}
	}
	if debugs != 3+5 || warns != 2+4 {
		t.Errorf("%d debug and %d warn records, want 8 and 6:\n%s", debugs, warns, out)
	}
	if !strings.Contains(out, `"status":503`) || !strings.Contains(out, `"error":`) {
		t.Errorf("records lack status or error:\n%s", out)
	}
	for _, secret := range []string{testSecret, "tok-SEKRIT", "Bearer", "Authorization"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("logged without a logger:\n%s", buf.String())
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s, WithRateLimit(1000, time.Millisecond))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = c.GetNetworkWithResponse(context.Background(), "n-1")
			} else {
				_, err = c.UpdateNetworkWithResponse(context.Background(), "n-1", gen.NetworkUpdateRequest{Name: "x"})
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := s.tokenRequests.Load(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSnatWithResponse(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := gotQuery.Load().(string); got != "the-id" {
		t.Errorf("client_id in query = %q", got)
	}
}

func TestClientFormatting(t *testing.T) {
	c, err := New("acme", testClientID, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "c", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c), buf.String()} {
		if strings.Contains(s, testSecret) {
			t.Errorf("formatted client shows the secret: %s", s)
		}
	}
	if got := c.String(); got != "client.Client{baseURL: https://acme.api.openvpn.com, api: 1.2.3}" {
		t.Errorf("String() = %q", got)
	}
	if !strings.Contains(buf.String(), "c.base_url=https://acme.api.openvpn.com") {
		t.Errorf("slog: %s", buf.String())
	}
	var nilClient *Client
	if nilClient.String() == "" || nilClient.GoString() == "" || nilClient.LogValue().String() == "" {
		t.Error("nil client formatting")
	}
}
