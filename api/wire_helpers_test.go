package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/api"
	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// wireRequest is one API request as the test server received it.
type wireRequest struct {
	Method, Path string
	Body         []byte
	Header       http.Header
}

// wireServer answers the token endpoint and every API request with one
// canned response, recording what it received. It checks nothing itself:
// tests assert on the recorded bytes and validate them against the document.
type wireServer struct {
	*httptest.Server
	status      int
	contentType string
	body        string

	mu       sync.Mutex
	requests []wireRequest
}

func newWireServer(t *testing.T, status int, contentType, body string) *wireServer {
	t.Helper()
	s := &wireServer{status: status, contentType: contentType, body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *wireServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v1/oauth/token" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, wireRequest{Method: r.Method, Path: r.URL.Path, Body: body, Header: r.Header.Clone()})
	s.mu.Unlock()
	if s.contentType != "" {
		w.Header().Set("Content-Type", s.contentType)
	}
	w.WriteHeader(s.status)
	_, _ = io.WriteString(w, s.body)
}

func (s *wireServer) client(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(s.URL, "id", "secret", client.WithAllowInsecureLoopback(), client.WithoutRetries(), client.WithoutRateLimit())
	require.NoError(t, err)
	return c
}

// specRouter routes requests to the operations of the embedded document.
func specRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := api.Spec()
	require.NoError(t, err)
	doc.Servers = nil // match any host: the test server is on loopback
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

// validateRequest checks a recorded request against the document, so a body
// the generated code sends is also one the document accepts.
func validateRequest(t *testing.T, router routers.Router, rec wireRequest) {
	t.Helper()
	require.NoError(t, validateRequestErr(t, router, rec), "%s %s %s", rec.Method, rec.Path, rec.Body)
}

func validateRequestErr(t *testing.T, router routers.Router, rec wireRequest) error {
	t.Helper()
	req, err := http.NewRequest(rec.Method, "http://localhost"+rec.Path, bytes.NewReader(rec.Body))
	require.NoError(t, err)
	req.Header = rec.Header.Clone()
	route, params, err := router.FindRoute(req)
	require.NoError(t, err)
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

// validateResponse checks a response body against the document's schema for
// the operation at method and path.
func validateResponse(t *testing.T, router routers.Router, method, path string, status int, body []byte) error {
	t.Helper()
	req, err := http.NewRequest(method, "http://localhost"+path, nil)
	require.NoError(t, err)
	route, params, err := router.FindRoute(req)
	require.NoError(t, err)
	h := http.Header{"Content-Type": {"application/json"}}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status, Header: h, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

// last returns the one API request received since the previous call.
func (s *wireServer) last(t *testing.T) wireRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.requests, 1, "API requests received")
	r := s.requests[0]
	s.requests = nil
	return r
}
