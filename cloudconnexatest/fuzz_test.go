package cloudconnexatest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/stretchr/testify/require"
)

// FuzzHandler sends arbitrary requests (method, path with query, body,
// with or without a valid token) to the fake's HTTP handler, in memory. The
// fake must never panic, never answer 5xx (500 is how it reports a response
// of its own that violates the document), and every error answer must be a
// JSON body.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct {
		method, path, body string
		auth               bool
	}{
		{"GET", "/api/v1/networks", "", true},
		{"GET", "/api/v1/networks?page=-1&size=100000", "", true},
		{"POST", "/api/v1/networks", `{"name":"n","internetAccess":"SPLIT_TUNNEL_ON","egress":false,"connectors":[{"name":"c","vpnRegionId":"us-east-1"}]}`, true},
		{"POST", "/api/v1/networks", `{"name":`, true},
		{"PUT", "/api/v1/networks/..%2F..%2Fusers", `{}`, true},
		{"DELETE", "/api/v1/users/%00", "", true},
		{"GET", "/api/v1/sessions?cursor=SAME&startDate=x", "", true},
		{"POST", "/api/v1/oauth/token?grant_type=client_credentials&client_id=a&client_secret=b", "", false},
		{"GET", "/api/v1/networks", "", false},
		{"PATCH", "/", "\x00\xff", true},
	} {
		f.Add(seed.method, seed.path, []byte(seed.body), seed.auth)
	}
	h, err := cloudconnexatest.NewHandler(cloudconnexatest.WithoutRateLimit())
	require.NoError(f, err)
	token := fetchToken(f, h)

	f.Fuzz(func(t *testing.T, method, path string, body []byte, auth bool) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://fake.test"+path, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.True(t, rec.Code >= 200 && rec.Code <= 499, "%s %q: status %d: %s", method, path, rec.Code, rec.Body.Bytes())
		if rec.Code >= 400 && method != http.MethodHead {
			require.True(t, json.Valid(rec.Body.Bytes()), "%s %q: %d with a body that is not JSON: %q", method, path, rec.Code, rec.Body.Bytes())
		}
	})
}

func fetchToken(tb testing.TB, h *cloudconnexatest.Handler) string {
	id, secret := h.Credentials()
	req := httptest.NewRequest(http.MethodPost, "http://fake.test/api/v1/oauth/token?grant_type=client_credentials", nil)
	req.SetBasicAuth(id, secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(tb, json.Unmarshal(rec.Body.Bytes(), &tok), "token: %d %s", rec.Code, rec.Body.Bytes())
	require.NotEmpty(tb, tok.AccessToken, "token: %d %s", rec.Code, rec.Body.Bytes())
	return tok.AccessToken
}
