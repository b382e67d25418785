package cloudconnexatest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// call sends a raw request to srv, with a bearer token when tok is set, and
// returns the status, headers and body.
func call(t *testing.T, srv *Server, tok, method, path, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func getToken(t *testing.T, srv *Server) string {
	t.Helper()
	tok, err := srv.Token()
	require.NoError(t, err)
	return tok
}

func TestInvalidRequests(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	tests := []struct {
		name, method, path, ct, body string
		status                       int
		field                        string   // errorDetails key expected
		says                         []string // in errorMessage
	}{
		{"page size too large", "GET", "/api/v1/networks?size=5000", "", "", 400, "size", []string{`"size"`, "at most 1000"}},
		{"negative page", "GET", "/api/v1/users?page=-1", "", "", 400, "page", []string{`"page"`}},
		{"cursor size too large", "GET", "/api/v1/sessions?size=500", "", "", 400, "size", []string{"at most 100"}},
		{"cursor size missing", "GET", "/api/v1/audit-log", "", "", 400, "size", []string{`"size"`, "required"}},
		{"missing networkId", "POST", "/api/v1/networks/connectors", "application/json", `{"name":"c","vpnRegionId":"us-east-1"}`, 400, "networkId", []string{`"networkId"`, "required"}},
		{"wrong enum in body", "POST", "/api/v1/networks", "application/json", `{"name":"n","internetAccess":"EVERYTHING"}`, 400, "internetAccess", []string{"EVERYTHING", "SPLIT_TUNNEL_ON"}},
		{"missing required field", "POST", "/api/v1/networks", "application/json", `{"description":"no name"}`, 400, "name", []string{`"name"`}},
		{"wrong type", "POST", "/api/v1/dns-records", "application/json", `{"domain":42}`, 400, "domain", []string{"string"}},
		{"malformed JSON", "POST", "/api/v1/networks", "application/json", `{"name":`, 400, "body", nil},
		{"missing body", "POST", "/api/v1/networks", "application/json", ``, 400, "body", []string{"required"}},
		{"wrong content type", "POST", "/api/v1/networks", "text/plain", `name`, 400, "body", []string{"text/plain"}},
		{"bad text enum", "PUT", "/api/v1/settings/wpc/topology", "text/plain", `STAR`, 400, "body", []string{"FULL_MESH"}},
		{"bad date", "GET", "/api/v1/sessions?size=5&startDate=yesterday", "", "", 400, "startDate", nil},
		{"bad bundle type", "POST", "/api/v1/networks/connectors/x/profile/bundle?type=EXE", "", "", 400, "type", nil},
		{"unknown path", "GET", "/api/v1/nothing", "", "", 404, "", []string{"/api/v1/nothing"}},
		{"wrong method", "PATCH", "/api/v1/networks", "", "", 405, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := call(t, srv, tok, tc.method, tc.path, tc.ct, tc.body)
			require.Equal(t, tc.status, status, "status; body: %s", body)
			assert.Equal(t, "application/json", hdr.Get("Content-Type"), "Content-Type")
			var e gen.ErrorResponse
			require.NoError(t, json.Unmarshal([]byte(body), &e), "not an ErrorResponse: %s", body)
			require.NotNil(t, e.ErrorMessage, "not an ErrorResponse: %s", body)
			for _, s := range tc.says {
				assert.Contains(t, *e.ErrorMessage, s, "errorMessage")
			}
			if tc.field != "" {
				assert.NotEmpty(t, e.ErrorDetails[tc.field], "errorDetails %v has no %q", e.ErrorDetails, tc.field)
			}
		})
	}
}

// recordingTB captures what the fake reports to its test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	logs   []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) got() (errs, logs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...), append([]string(nil), r.logs...)
}

func TestResponseViolations(t *testing.T) {
	// A NewServer whose state breaks the document fails its test ...
	rec := &recordingTB{TB: t}
	srv := NewServer(rec)
	srv.h.mu.Lock()
	srv.h.st.networks.put("bad", "", gen.NetworkResponse{ID: "bad", Name: "bad", InternetAccess: ptr(gen.InternetAccess("BOGUS"))})
	srv.h.mu.Unlock()
	tok := getToken(t, srv)
	status, _, body := call(t, srv, tok, "GET", "/api/v1/networks/bad", "", "")
	srv.Close() // the answer is sent before it is checked: wait for the check
	errs, _ := rec.got()
	assert.Equal(t, 200, status, "NewServer: %s", body)
	if assert.Len(t, errs, 1, "NewServer: errors %q", errs) {
		assert.Contains(t, errs[0], "BOGUS", "NewServer: errors")
		assert.Contains(t, errs[0], "getNetwork", "NewServer: errors")
	}

	// ... while a Start server answers 500.
	started, err := Start()
	require.NoError(t, err)
	defer started.Close()
	started.h.mu.Lock()
	started.h.st.networks.put("bad", "", gen.NetworkResponse{ID: "bad", Name: "bad", InternetAccess: ptr(gen.InternetAccess("BOGUS"))})
	started.h.mu.Unlock()
	status, _, body = call(t, started, getToken(t, started), "GET", "/api/v1/networks/bad", "", "")
	assert.Equal(t, 500, status, "Start: %s", body)
	assert.Contains(t, body, "violates the OpenAPI document", "Start")
}

func TestValidatingTransport(t *testing.T) {
	// A server that gets everything wrong.
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/networks/n1":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"n1","name":7}`)) // name must be a string
		case "/api/v1/regions":
			w.WriteHeader(http.StatusTeapot) // undeclared status
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer bad.Close()

	rec := &recordingTB{TB: t}
	hc := &http.Client{Transport: ValidatingTransport(rec, nil)}
	for _, tc := range []struct {
		method, path, body string
		says               string
	}{
		{"GET", "/api/v1/networks/n1", "", "name"},
		{"GET", "/api/v1/regions", "", "418"},
		{"GET", "/api/v1/networks?size=0", "", "size"},
		{"POST", "/api/v1/networks", `{"name":1}`, "request of createNetwork"},
		{"GET", "/not/an/operation", "", "not an operation"},
	} {
		rec.mu.Lock()
		rec.errors = nil
		rec.mu.Unlock()
		req, _ := http.NewRequest(tc.method, bad.URL+tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.path == "/api/v1/networks/n1" {
			assert.Equal(t, `{"id":"n1","name":7}`, string(b), "body not passed on")
		}
		errs, _ := rec.got()
		assert.NotEmpty(t, errs, "%s %s: no errors, want one saying %q", tc.method, tc.path, tc.says)
		assert.Contains(t, strings.Join(errs, "\n"), tc.says, "%s %s: errors", tc.method, tc.path)
	}

	// Against the fake, correct traffic passes unremarked and the request
	// arrives intact (body included).
	srv := NewServer(t)
	rec2 := &recordingTB{TB: t}
	c, err := srv.GenClient(gen.WithHTTPClient(&http.Client{Transport: ValidatingTransport(rec2, srv.HTTPClient().Transport)}))
	require.NoError(t, err)
	r, err := c.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "via-transport"})
	require.NoError(t, err, body(r))
	require.NotNil(t, r.JSON201, body(r))
	require.Equal(t, "via-transport", r.JSON201.Name, body(r))
	errs, _ := rec2.got()
	assert.Empty(t, errs, "errors for valid traffic")
}

func TestAuthentication(t *testing.T) {
	clk := newClock(time.Now())
	srv := NewServer(t, WithCredentials("my-id", "my-secret"), WithClock(clk.Now), WithTokenTTL(time.Hour))
	require.Equal(t, "my-id", srv.ClientID, "credentials")
	require.Equal(t, "my-secret", srv.ClientSecret, "credentials")
	tokenURL := "/api/v1/oauth/token"
	post := func(query url.Values, user, pass, ct, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+tokenURL+"?"+query.Encode(), strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	form := "application/x-www-form-urlencoded"
	styles := []struct {
		name           string
		query          func(id, secret string) url.Values
		user, pass     func(id, secret string) (string, string)
		ct, body       string
		bodyWithSecret func(id, secret string) string
	}{
		{name: "basic and form", ct: form, body: "grant_type=client_credentials"},
		{name: "basic and JSON", ct: "application/json", body: `{"grant_type":"client_credentials","scope":"default"}`},
		// The hand-written clients known to work against the service send
		// this: JSON without a Content-Type.
		{name: "basic and JSON without Content-Type", body: `{"grant_type":"client_credentials","scope":"default"}`},
		{name: "basic, no body"},
		{name: "query parameters", query: func(id, secret string) url.Values {
			return url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"}}
		}},
		{name: "form body credentials", ct: form, bodyWithSecret: func(id, secret string) string {
			return url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"}}.Encode()
		}},
	}
	for _, st := range styles {
		t.Run(st.name, func(t *testing.T) {
			for _, creds := range []struct {
				id, secret string
				status     int
			}{{"my-id", "my-secret", 200}, {"my-id", "wrong", 401}, {"unknown", "my-secret", 401}} {
				q, user, pass, b := url.Values{}, "", "", st.body
				switch {
				case st.query != nil:
					q = st.query(creds.id, creds.secret)
				case st.bodyWithSecret != nil:
					b = st.bodyWithSecret(creds.id, creds.secret)
				default:
					user, pass = creds.id, creds.secret
				}
				status, m := post(q, user, pass, st.ct, b)
				require.Equal(t, creds.status, status, "%s/%s: status; body %v", creds.id, creds.secret, m)
				if status == 200 {
					assert.Equal(t, "bearer", m["token_type"], "token response %v", m)
					assert.Equal(t, float64(3599), m["expires_in"], "token response %v", m)
					assert.Equal(t, "read write", m["scope"], "token response %v", m)
					assert.NotEqual(t, "", m["access_token"], "token response %v", m)
				} else {
					assert.Equal(t, "invalid_client", m["error"], "error response %v", m)
					assert.NotEqual(t, "", m["error_description"], "error response %v", m)
				}
			}
		})
	}
	status, m := post(url.Values{}, "", "", "", "")
	assert.Equal(t, 401, status, "no credentials: %v", m)
	assert.Equal(t, "invalid_client", m["error"], "no credentials")
	status, m = post(url.Values{"grant_type": {"password"}}, "my-id", "my-secret", "", "")
	assert.Equal(t, 400, status, "password grant: %v", m)
	assert.Equal(t, "unsupported_grant_type", m["error"], "password grant")
	status, m = post(url.Values{}, "my-id", "my-secret", form, "grant_type=password")
	assert.Equal(t, 400, status, "password grant in form: %v", m)
	status, m = post(url.Values{}, "my-id", "my-secret", "application/json", "{")
	assert.Equal(t, 400, status, "malformed JSON: %v", m)
	assert.GreaterOrEqual(t, srv.TokenRequestCount(), 15, "TokenRequestCount")

	// API calls need a valid, unexpired bearer token.
	tok := getToken(t, srv)
	for _, tc := range []struct {
		name, auth, says string
	}{
		{"no header", "", "Full authentication"},
		{"basic", "Basic bXktaWQ6bXktc2VjcmV0", "Full authentication"},
		{"unknown token", "Bearer nope", "Invalid access token"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/regions", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode, "%s: %s", tc.name, b)
		assert.Contains(t, string(b), tc.says, tc.name)
		assert.NotEmpty(t, resp.Header.Get("WWW-Authenticate"), "%s: WWW-Authenticate", tc.name)
	}
	status, _, _ = call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	require.Equal(t, 200, status, "valid token")
	clk.Advance(time.Hour)
	status, _, b := call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	assert.Equal(t, 401, status, "expired token: %s", b)
	assert.Contains(t, b, "expired", "expired token")
	tok = getToken(t, srv)
	srv.ExpireTokens()
	status, _, _ = call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	assert.Equal(t, 401, status, "after ExpireTokens")
}

func TestExpiresIn(t *testing.T) {
	for ttl, want := range map[time.Duration]int32{12 * time.Hour: 43199, time.Minute: 59, 30 * time.Second: 30, 1500 * time.Millisecond: 2} {
		assert.Equal(t, want, expiresIn(ttl), "expiresIn(%v)", ttl)
	}
	srv := NewServer(t)
	c := plainClient(t, srv)
	r, err := c.RequestTokenWithResponse(context.Background(), &gen.RequestTokenParams{ClientID: &srv.ClientID, ClientSecret: &srv.ClientSecret}, gen.OAuthTokenRequest{})
	if assert.NoError(t, err, "default expires_in: %s", body(r)) {
		assert.EqualValues(t, 43199, *r.JSON200.ExpiresIn, "default expires_in: %s", body(r))
	}
}

func TestRateLimitHeaders(t *testing.T) {
	clk := newClock(time.Now())
	srv := NewServer(t, WithEnforcedRateLimit(3, 1, time.Minute), WithClock(clk.Now))
	tok := getToken(t, srv)
	for i, want := range []string{"2", "1", "0"} {
		status, hdr, _ := call(t, srv, tok, "GET", "/api/v1/regions", "", "")
		assert.Equal(t, 200, status, "request %d", i)
		assert.Equal(t, want, hdr.Get("X-RateLimit-Remaining"), "request %d: %v", i, hdr)
		assert.Equal(t, "3", hdr.Get("X-RateLimit-Burst-Capacity"), "request %d: %v", i, hdr)
		assert.Equal(t, "1", hdr.Get("X-RateLimit-Replenish-Rate"), "request %d: %v", i, hdr)
		assert.Equal(t, "60", hdr.Get("X-RateLimit-Replenish-Time"), "request %d: %v", i, hdr)
	}
	status, hdr, body := call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	assert.Equal(t, 429, status, "over budget: %v %s", hdr, body)
	assert.Equal(t, "60", hdr.Get("Retry-After"), "over budget: %v", hdr)
	assert.Equal(t, "0", hdr.Get("X-RateLimit-Remaining"), "over budget: %v", hdr)
	assert.Empty(t, body, "over budget: no body, as the service sends it")
	clk.Advance(30 * time.Second)
	status, hdr, _ = call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	assert.Equal(t, 429, status, "half refilled: %v", hdr)
	assert.Equal(t, "30", hdr.Get("Retry-After"), "half refilled: %v", hdr)
	clk.Advance(30 * time.Second)
	status, _, _ = call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	assert.Equal(t, 200, status, "refilled")

	// Another API key has its own budget.
	clk.Advance(time.Minute)
	cid := must[*gen.CreateCloudIDResponse](t, 200)(plainClientTok(t, srv, tok).CreateCloudIDWithResponse(context.Background(), &gen.CreateCloudIDParams{ID: "other"})).JSON200
	other := &Server{URL: srv.URL, ClientID: cid.ClientID, ClientSecret: cid.ClientSecret, h: srv.h, ts: srv.ts}
	otherTok := getToken(t, other)
	for range 3 {
		status, _, _ := call(t, srv, otherTok, "GET", "/api/v1/regions", "", "")
		assert.Equal(t, 200, status, "second key")
	}

	// Sub-second periods are stated per second.
	fast := NewServer(t, WithEnforcedRateLimit(5, 1, 100*time.Millisecond))
	_, hdr, _ = call(t, fast, getToken(t, fast), "GET", "/api/v1/regions", "", "")
	assert.Equal(t, "10", hdr.Get("X-RateLimit-Replenish-Rate"), "fast limit headers %v", hdr)
	assert.Equal(t, "1", hdr.Get("X-RateLimit-Replenish-Time"), "fast limit headers %v", hdr)
	off := NewServer(t, WithoutRateLimit())
	_, hdr, _ = call(t, off, getToken(t, off), "GET", "/api/v1/regions", "", "")
	assert.Empty(t, hdr.Get("X-RateLimit-Remaining"), "headers without rate limit: %v", hdr)
}

// plainClientTok is plainClient with a given token.
func plainClientTok(t *testing.T, srv *Server, tok string) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(srv.URL, gen.WithHTTPClient(srv.HTTPClient()),
		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}))
	require.NoError(t, err)
	return c
}

func TestCloudIDValidation(t *testing.T) {
	srv := NewServer(t)
	c := plainClient(t, srv)
	ctx := context.Background()
	must[*gen.CreateCloudIDResponse](t, 400)(c.CreateCloudIDWithResponse(ctx, &gen.CreateCloudIDParams{ID: "Not Valid"}))
	must[*gen.CreateCloudIDResponse](t, 200)(c.CreateCloudIDWithResponse(ctx, &gen.CreateCloudIDParams{ID: "acme"}))
	must[*gen.CreateCloudIDResponse](t, 400)(c.CreateCloudIDWithResponse(ctx, &gen.CreateCloudIDParams{ID: "acme"}))
}
