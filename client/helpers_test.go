package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testClientID = "client-id-1"
	testSecret   = "s3cr3t-VALUE-never-shown"
	testToken    = "tok-1"
)

// recorded is one API request as the test server saw it.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// testAPI is an httptest server with a token endpoint and a per-test API
// handler. It records every API request.
type testAPI struct {
	*httptest.Server
	t testing.TB

	tokenRequests atomic.Int32

	mu       sync.Mutex
	tokens   []string // issued in turn; the last one repeats
	accept   func(token string) bool
	requests []recorded
	handler  http.HandlerFunc
}

func newTestAPI(t testing.TB, h http.HandlerFunc) *testAPI {
	t.Helper()
	s := &testAPI{t: t, tokens: []string{testToken}, handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *testAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v1/oauth/token" {
		n := int(s.tokenRequests.Add(1))
		id, secret, ok := r.BasicAuth()
		if !ok || id != testClientID || secret != testSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"bad client credentials"}`)
			return
		}
		s.mu.Lock()
		tok := s.tokens[min(n, len(s.tokens))-1]
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	h, accept := s.handler, s.accept
	s.mu.Unlock()
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if accept == nil {
		accept = func(tok string) bool { return tok == testToken }
	}
	if !accept(tok) {
		writeJSON(w, http.StatusUnauthorized, `{"statusError":"UNAUTHORIZED","errorMessage":"invalid token"}`)
		return
	}
	if h == nil {
		writeJSON(w, http.StatusNotFound, `{"errorMessage":"no handler"}`)
		return
	}
	h(w, r)
}

func (s *testAPI) setHandler(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

// setTokens sets the tokens the token endpoint issues and which of them the
// API accepts.
func (s *testAPI) setTokens(issued []string, accept func(string) bool) {
	s.mu.Lock()
	s.tokens, s.accept = issued, accept
	s.mu.Unlock()
}

func (s *testAPI) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *testAPI) recorded() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.requests...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func writeValue(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	writeJSON(w, status, string(data))
}

// sequence answers the n-th request with statuses[n] (the last repeats),
// with body "{}" for 2xx or an error body otherwise.
func sequence(statuses ...int) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1)), len(statuses)) - 1
		st := statuses[i]
		if st >= 200 && st < 300 {
			writeJSON(w, st, `{"id":"n-1","name":"net"}`)
			return
		}
		writeJSON(w, st, fmt.Sprintf(`{"statusError":%q,"errorMessage":"failure %d"}`, http.StatusText(st), i+1))
	}
}

// fastRetries keeps backoff in the millisecond range.
var fastRetries = WithRetryPolicy(RetryPolicy{MaxAttempts: 5, MaxElapsed: 10 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

func newTestClient(t testing.TB, s *testAPI, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{WithAllowInsecureLoopback(), fastRetries}, opts...)
	c, err := New(s.URL, testClientID, testSecret, all...)
	require.NoError(t, err, "New")
	return c
}

func ptr[T any](v T) *T { return &v }
