package auth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiCall is what the fake API saw of one request.
type apiCall struct {
	authorization, userAgent, body string
}

// fakeAPI accepts requests whose bearer token satisfies ok and records them.
type fakeAPI struct {
	ok    func(token string) bool
	mu    sync.Mutex
	calls []apiCall
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{r.Header.Get("Authorization"), r.Header.Get("User-Agent"), string(b)})
	f.mu.Unlock()
	if !f.ok(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errorMessage":"Token expired","statusError":"Unauthorized"}`)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}

func (f *fakeAPI) Calls() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

func postJSON(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body)) // sets GetBody
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestTransportRetriesOnceAfter401(t *testing.T) {
	api := &fakeAPI{ok: func(tok string) bool { return tok == tokenN(2) }} // the first token is "revoked"
	s := newServer(t, issue(3600), api.ServeHTTP)
	a := newAuth(t, s, auth.WithUserAgent("cc-test/1.0"))
	hc := &http.Client{Transport: a.Transport(nil)}

	const payload = `{"name":"office","description":"replayed body"}`
	req := postJSON(t, s.URL+"/api/v1/networks", payload)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	require.Equal(t, http.StatusCreated, resp.StatusCode, "response %q", got)
	require.Equal(t, payload, string(got), "response body: want the payload echoed")
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests (initial + one re-auth)")
	calls := api.Calls()
	require.Len(t, calls, 2, "API calls (original + one retry)")
	for i, c := range calls {
		assert.Equal(t, payload, c.body, "call %d body: want the full payload", i)
		assert.Equal(t, "cc-test/1.0", c.userAgent, "call %d User-Agent", i)
	}
	assert.Equal(t, []string{"Bearer " + tokenN(1), "Bearer " + tokenN(2)},
		[]string{calls[0].authorization, calls[1].authorization}, "authorizations: want the old then the new token")
	assert.Empty(t, req.Header.Get("Authorization"), "Transport modified the caller's request")
	assert.Empty(t, req.Header.Get("User-Agent"), "Transport modified the caller's request")
	assert.Equal(t, tokenN(2), mustToken(t, a), "the new token is not cached")
}

func TestTransportSecond401IsReturned(t *testing.T) {
	api := &fakeAPI{ok: func(string) bool { return false }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	a := newAuth(t, s)
	hc := &http.Client{Transport: a.Transport(http.DefaultTransport)}

	resp, err := hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "response %q: want the second 401", body)
	require.Contains(t, string(body), "Token expired", "want the second 401 with its body")
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests")
	require.Len(t, api.Calls(), 2, "API calls")
}

func TestTransportBodyWithoutGetBody(t *testing.T) {
	api := &fakeAPI{ok: func(tok string) bool { return tok == tokenN(2) }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	a := newAuth(t, s)
	hc := &http.Client{Transport: a.Transport(nil)}

	req := postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`)
	req.Body = io.NopCloser(strings.NewReader(`{"x":1}`)) // a stream that cannot be replayed
	req.GetBody = nil
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "want the 401 as is")
	require.Len(t, api.Calls(), 1, "API calls")
	// The rejected token was still dropped, so the next request works.
	resp, err = hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":2}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, "next request")
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests")
}

func TestTransportGetRetriesWithoutBody(t *testing.T) {
	api := &fakeAPI{ok: func(tok string) bool { return tok == tokenN(2) }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}
	resp, err := hc.Get(s.URL + "/api/v1/networks")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Len(t, api.Calls(), 2, "API calls")
}

func TestTransportConcurrent401sRefetchOnce(t *testing.T) {
	api := &fakeAPI{ok: func(tok string) bool { return tok != tokenN(1) }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	a := newAuth(t, s)
	mustToken(t, a) // everyone starts with the soon-rejected token
	hc := &http.Client{Transport: a.Transport(nil)}

	const n = 50
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range n {
		wg.Go(func() {
			resp, err := hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`))
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(n), ok.Load(), "requests that succeeded")
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests (initial + a single refetch)")
}

func TestTransportSameTokenReissued(t *testing.T) {
	// Some servers hand out the same token until it expires. A rejected token
	// re-issued unchanged must not make concurrent 401 handlers loop.
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) { issue(3600)(w, r, 1) },
		(&fakeAPI{ok: func(string) bool { return false }}).ServeHTTP)
	a := newAuth(t, s)
	hc := &http.Client{Transport: a.Transport(nil)}
	resp, err := hc.Get(s.URL + "/api/v1/networks")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests")
}

func TestTransportTokenFailure(t *testing.T) {
	api := &fakeAPI{ok: func(string) bool { return true }}
	s := newServer(t, respond(http.StatusUnauthorized, "application/json",
		`{"error":"invalid_client","error_description":"Bad client credentials"}`), api.ServeHTTP)
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}

	_, err := hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`))
	var ae *auth.AuthenticationError
	require.ErrorAs(t, err, &ae, "want an AuthenticationError through url.Error")
	require.Equal(t, http.StatusUnauthorized, ae.StatusCode)
	require.Equal(t, "invalid_client", ae.Code)
	require.Empty(t, api.Calls(), "the API was called without a token")
}

func TestTransportReauthFailure(t *testing.T) {
	// The API rejects the first token and the token endpoint then refuses us.
	api := &fakeAPI{ok: func(string) bool { return false }}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			issue(3600)(w, r, n)
			return
		}
		respond(http.StatusUnauthorized, "application/json", `{"error":"invalid_client"}`)(w, r, n)
	}, api.ServeHTTP)
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}
	_, err := hc.Get(s.URL + "/api/v1/networks")
	var ae *auth.AuthenticationError
	require.ErrorAs(t, err, &ae, "want the re-auth AuthenticationError")
	require.Equal(t, "invalid_client", ae.Code, "error %v", err)
	require.Len(t, api.Calls(), 1, "API calls")
}

func TestTransportDoesNotSignOtherOrigins(t *testing.T) {
	var seen atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization"))
	}))
	defer other.Close()

	s := newServer(t, issue(3600), func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
	})
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}

	// Directly, and by following a redirect from the tenant.
	for _, u := range []string{other.URL + "/direct", s.URL + "/api/v1/redirect"} {
		resp, err := hc.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		got, _ := seen.Load().(string)
		require.Empty(t, got, "%s: other origin received Authorization", u)
	}
}

func TestTransportPassesThroughErrors(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	boom := errors.New("boom")
	rt := a.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/api/v1/x", bytes.NewReader([]byte("{}")))
	_, err := rt.RoundTrip(req)
	require.ErrorIs(t, err, boom, "RoundTrip error: want the base transport's")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
