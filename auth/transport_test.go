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
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if resp.StatusCode != http.StatusCreated || string(got) != payload {
		t.Fatalf("response %d %q, want 201 echoing the payload", resp.StatusCode, got)
	}
	if n := s.tokenCalls.Load(); n != 2 {
		t.Fatalf("token requests = %d, want 2 (initial + one re-auth)", n)
	}
	calls := api.Calls()
	if len(calls) != 2 {
		t.Fatalf("API calls = %d, want 2 (original + one retry)", len(calls))
	}
	for i, c := range calls {
		if c.body != payload {
			t.Errorf("call %d body = %q, want the full payload", i, c.body)
		}
		if c.userAgent != "cc-test/1.0" {
			t.Errorf("call %d User-Agent = %q", i, c.userAgent)
		}
	}
	if calls[0].authorization != "Bearer "+tokenN(1) || calls[1].authorization != "Bearer "+tokenN(2) {
		t.Errorf("authorizations = %q, %q; want the old then the new token", calls[0].authorization, calls[1].authorization)
	}
	if req.Header.Get("Authorization") != "" || req.Header.Get("User-Agent") != "" {
		t.Error("Transport modified the caller's request")
	}
	if mustToken(t, a) != tokenN(2) {
		t.Error("the new token is not cached")
	}
}

func TestTransportSecond401IsReturned(t *testing.T) {
	api := &fakeAPI{ok: func(string) bool { return false }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	a := newAuth(t, s)
	hc := &http.Client{Transport: a.Transport(http.DefaultTransport)}

	resp, err := hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "Token expired") {
		t.Fatalf("response %d %q, want the second 401 with its body", resp.StatusCode, body)
	}
	if n, calls := s.tokenCalls.Load(), len(api.Calls()); n != 2 || calls != 2 {
		t.Fatalf("token requests %d, API calls %d; want exactly 2 and 2", n, calls)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(api.Calls()) != 1 {
		t.Fatalf("got %d after %d API calls, want the 401 as is after 1", resp.StatusCode, len(api.Calls()))
	}
	// The rejected token was still dropped, so the next request works.
	resp, err = hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":2}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || s.tokenCalls.Load() != 2 {
		t.Fatalf("next request got %d with %d token requests, want 201 with 2", resp.StatusCode, s.tokenCalls.Load())
	}
}

func TestTransportGetRetriesWithoutBody(t *testing.T) {
	api := &fakeAPI{ok: func(tok string) bool { return tok == tokenN(2) }}
	s := newServer(t, issue(3600), api.ServeHTTP)
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}
	resp, err := hc.Get(s.URL + "/api/v1/networks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || len(api.Calls()) != 2 {
		t.Fatalf("got %d after %d calls, want 201 after 2", resp.StatusCode, len(api.Calls()))
	}
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
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != n {
		t.Fatalf("%d of %d requests succeeded", ok.Load(), n)
	}
	if got := s.tokenCalls.Load(); got != 2 {
		t.Fatalf("token requests = %d, want 2 (initial + a single refetch)", got)
	}
}

func TestTransportSameTokenReissued(t *testing.T) {
	// Some servers hand out the same token until it expires. A rejected token
	// re-issued unchanged must not make concurrent 401 handlers loop.
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) { issue(3600)(w, r, 1) },
		(&fakeAPI{ok: func(string) bool { return false }}).ServeHTTP)
	a := newAuth(t, s)
	hc := &http.Client{Transport: a.Transport(nil)}
	resp, err := hc.Get(s.URL + "/api/v1/networks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || s.tokenCalls.Load() != 2 {
		t.Fatalf("got %d with %d token requests, want 401 with 2", resp.StatusCode, s.tokenCalls.Load())
	}
}

func TestTransportTokenFailure(t *testing.T) {
	api := &fakeAPI{ok: func(string) bool { return true }}
	s := newServer(t, respond(http.StatusUnauthorized, "application/json",
		`{"error":"invalid_client","error_description":"Bad client credentials"}`), api.ServeHTTP)
	hc := &http.Client{Transport: newAuth(t, s).Transport(nil)}

	_, err := hc.Do(postJSON(t, s.URL+"/api/v1/networks", `{"x":1}`))
	var ae *auth.AuthenticationError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || ae.Code != "invalid_client" {
		t.Fatalf("error = %v, want an AuthenticationError through url.Error", err)
	}
	if len(api.Calls()) != 0 {
		t.Fatal("the API was called without a token")
	}
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
	if !errors.As(err, &ae) || ae.Code != "invalid_client" {
		t.Fatalf("error = %v, want the re-auth AuthenticationError", err)
	}
	if len(api.Calls()) != 1 {
		t.Fatalf("API calls = %d, want 1", len(api.Calls()))
	}
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
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, _ := seen.Load().(string); got != "" {
			t.Fatalf("%s: other origin received Authorization %q", u, got)
		}
	}
}

func TestTransportPassesThroughErrors(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	boom := errors.New("boom")
	rt := a.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/api/v1/x", bytes.NewReader([]byte("{}")))
	if _, err := rt.RoundTrip(req); !errors.Is(err, boom) {
		t.Fatalf("RoundTrip error = %v, want the base transport's", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
