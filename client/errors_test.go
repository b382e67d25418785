package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestErrNotFound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"404", 404, `{"statusError":"Not Found","errorMessage":"network n-1 not found"}`, true},
		{"404 without body", 404, ``, true},
		{"400 details does not exist", 400, `{"errorDetails":{"application":[{"errorCode":"9-11-6","message":"Entity does not exist"}]},"statusError":"Bad Request"}`, true},
		{"400 message not found", 400, `{"errorMessage":"Network with ID x not found","statusError":"Bad Request"}`, true},
		{"400 upper case", 400, `{"errorMessage":"NETWORK NOT FOUND"}`, true},
		{"ordinary 400", 400, `{"errorDetails":{"name":[{"errorCode":"1-2","message":"must not be blank"}]},"statusError":"Bad Request"}`, false},
		{"500 not found text", 500, `{"errorMessage":"route not found in cache"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, tc.body) })
			c := newTestClient(t, s, WithoutRetries())
			_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrNotFound); got != tc.want {
				t.Errorf("errors.Is(%v, ErrNotFound) = %t, want %t", err, got, tc.want)
			}
		})
	}
}

func TestSentinels(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   error
	}{{429, ErrRateLimited}, {401, ErrUnauthorized}, {403, ErrForbidden}, {404, ErrNotFound}} {
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, `{}`) })
		c := newTestClient(t, s, WithoutRetries())
		_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
		for _, sentinel := range []error{ErrRateLimited, ErrUnauthorized, ErrForbidden, ErrNotFound} {
			if got := errors.Is(err, sentinel); got != (sentinel == tc.want) {
				t.Errorf("%d: errors.Is(err, %v) = %t", tc.status, sentinel, got)
			}
		}
		if errors.Is(err, context.Canceled) {
			t.Error("APIError must not match unrelated errors")
		}
	}
}

func TestAPIErrorFields(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		writeJSON(w, 400, `{"errorDetails":{"application":[{"errorCode":"9-11-6","message":"Entity does not exist"}]},"errorMessage":"network n-123 not found","statusError":"BAD_REQUEST"}`)
	})
	c := newTestClient(t, s)
	_, err := c.GetNetworkWithResponse(context.Background(), "n-123")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if apiErr.Operation != "getNetwork" || apiErr.ResourceID != "n-123" || apiErr.Method != "GET" || apiErr.Path != "/api/v1/networks/n-123" {
		t.Errorf("identity: %+v", apiErr)
	}
	if apiErr.StatusCode != 400 || apiErr.StatusError != "BAD_REQUEST" || apiErr.Message != "network n-123 not found" || apiErr.RetryAfter != 7*time.Second || apiErr.Attempts != 1 {
		t.Errorf("fields: %+v", apiErr)
	}
	d := apiErr.Details["application"]
	if len(d) != 1 || *d[0].ErrorCode != "9-11-6" || *d[0].Message != "Entity does not exist" {
		t.Errorf("details: %+v", apiErr.Details)
	}
	if !strings.Contains(string(apiErr.Body), `"9-11-6"`) {
		t.Errorf("body: %s", apiErr.Body)
	}
	if want := `cloudconnexa: getNetwork "n-123": 400 Bad Request: network n-123 not found`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestAPIErrorBodyIsBounded(t *testing.T) {
	big := strings.Repeat("x", 3*maxErrorBody)
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, big) })
	c := newTestClient(t, s)
	_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || len(apiErr.Body) != maxErrorBody {
		t.Fatalf("err = %v, body %d bytes", err, len(apiErr.Body))
	}
	if len(err.Error()) > 400 {
		t.Errorf("Error() is %d bytes long", len(err.Error()))
	}
}

func TestAPIErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"errorMessage", `{"errorMessage":"boom"}`, "boom"},
		{"details only", `{"errorDetails":{"b":[{"message":"second"}],"a":[{"message":"first"},{"errorCode":"E1"}]}}`, "a: first; a: error E1; b: second"},
		{"single detail object", `{"errorDetails":{"name":{"message":"too long"}}}`, "name: too long"},
		{"spring", `{"status":500,"error":"Internal Server Error","message":"kaput"}`, "kaput"},
		{"oauth", `{"error":"invalid_request","error_description":"nope"}`, "nope"},
		{"html title", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "502 Bad Gateway"},
		{"html without title", "<html><body>x</body></html>", ""},
		{"plain text", "upstream timed out\nmore lines", "upstream timed out"},
		{"binary", "\x00\x01\x02\x03\x04\xff\xfe", ""},
		{"bad json", `{"errorMessage":`, `{"errorMessage":`},
		{"wrong types", `{"errorMessage":5,"errorDetails":[1,2]}`, ""},
		{"empty", ``, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, msg, _ := parseErrorBody([]byte(tc.body))
			if msg != tc.want {
				t.Errorf("message = %q, want %q", msg, tc.want)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *APIError
		want string
	}{
		{&APIError{StatusCode: 404, Operation: "getNetwork", ResourceID: "n-1"}, `cloudconnexa: getNetwork "n-1": 404 Not Found`},
		{&APIError{StatusCode: 500, Operation: "listRegions", Message: "line1\nline2\x1b[31m"}, `cloudconnexa: listRegions: 500 Internal Server Error: line1 line2[31m`},
		{&APIError{StatusCode: 599, StatusError: "WEIRD", Method: "GET", Path: "/x"}, `cloudconnexa: GET /x: 599 WEIRD`},
		{&APIError{StatusCode: 503, Operation: "getSnat", Attempts: 5}, `cloudconnexa: getSnat: 503 Service Unavailable (after 5 attempts)`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	long := &APIError{StatusCode: 400, Message: strings.Repeat("é", 1000)}
	if msg := long.Error(); len(msg) > maxMessageLen+100 || !utf8.ValidString(msg) || !strings.HasSuffix(msg, "…") {
		t.Errorf("long message not truncated cleanly: %d bytes", len(msg))
	}
}

func TestRequestError(t *testing.T) {
	e := &RequestError{Operation: "getNetwork", ResourceID: "n-1", Err: &AuthenticationError{StatusCode: 401, Code: "invalid_client"}}
	if !errors.Is(e, ErrUnauthorized) || errors.Is(e, ErrForbidden) || errors.Is(e, ErrNotFound) {
		t.Error("401 token failure should match ErrUnauthorized only")
	}
	if want := `cloudconnexa: getNetwork "n-1": authentication failed: 401 invalid_client`; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(&RequestError{Err: &AuthenticationError{StatusCode: 403}}, ErrForbidden) {
		t.Error("403")
	}
	if !errors.Is(&RequestError{Err: &AuthenticationError{StatusCode: 429}}, ErrRateLimited) {
		t.Error("429")
	}
	if errors.Is(&RequestError{Err: errors.New("x")}, ErrUnauthorized) {
		t.Error("plain errors match no sentinel")
	}
	if got := (&RequestError{Method: "GET", Path: "/p", Attempts: 2}).Error(); got != "cloudconnexa: GET /p: unknown error (after 2 attempts)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestBadCredentials(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c, err := New(s.URL, testClientID, "wrong-"+testSecret, WithAllowInsecureLoopback(), fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetNetworkWithResponse(context.Background(), "n-1")
	var authErr *AuthenticationError
	if !errors.As(err, &authErr) || authErr.StatusCode != 401 || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want an AuthenticationError 401", err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error shows the secret: %v", err)
	}
	if n := s.tokenRequests.Load(); n != 1 {
		t.Errorf("token requests = %d: refused credentials must not be retried", n)
	}
	if s.count() != 0 {
		t.Errorf("API saw %d requests", s.count())
	}
}

func TestReauthenticatesOn401(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) })
	s.setTokens([]string{"tok-old", "tok-new"}, func(tok string) bool { return tok == "tok-new" })
	c := newTestClient(t, s)
	resp, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200.Id != "n-1" {
		t.Errorf("response %+v", resp.JSON200)
	}
	if n := s.tokenRequests.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
	reqs := s.recorded()
	if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer tok-old" || reqs[1].Header.Get("Authorization") != "Bearer tok-new" {
		t.Errorf("requests: %+v", reqs)
	}

	// A server that keeps refusing: one re-authentication, then the 401.
	s.setTokens([]string{"tok-new"}, func(string) bool { return false })
	_, err = c.GetNetworkWithResponse(context.Background(), "n-1")
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
}

func TestResponseTooLarge(t *testing.T) {
	big := `{"id":"` + strings.Repeat("x", 5000) + `"}`
	t.Run("content-length", func(t *testing.T) {
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, big) })
		c := newTestClient(t, s, WithMaxResponseBytes(1000))
		_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
		var rerr *RequestError
		if !errors.Is(err, ErrResponseTooLarge) || !errors.As(err, &rerr) || rerr.Operation != "getNetwork" {
			t.Fatalf("err = %v", err)
		}
		if s.count() != 1 {
			t.Errorf("server saw %d requests: not retried", s.count())
		}
	})
	t.Run("chunked", func(t *testing.T) {
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(big); i += 500 {
				w.Write([]byte(big[i:min(i+500, len(big))]))
				w.(http.Flusher).Flush()
			}
		})
		c := newTestClient(t, s, WithMaxResponseBytes(1000))
		_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("exactly at the cap", func(t *testing.T) {
		body := `{"id":"n-1"}`
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
			w.(http.Flusher).Flush() // no Content-Length
		})
		c := newTestClient(t, s, WithMaxResponseBytes(int64(len(body))))
		if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCappedBodyZeroRead(t *testing.T) {
	b := &cappedBody{rc: http.NoBody, left: 0, tooLarge: func() error { return ErrResponseTooLarge }}
	if n, err := b.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	if _, err := b.Read(make([]byte, 1)); err == nil || errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("Read at EOF = %v, want io.EOF", err)
	}
}

func TestUnknownOperationError(t *testing.T) {
	s := newTestAPI(t, sequence(418))
	c := newTestClient(t, s)
	resp, err := c.ClientWithResponses.ClientInterface.(*gen.Client).Client.Do(mustRequest(t, s.URL+"/api/v1/teapot"))
	if resp != nil {
		t.Fatal("want no response")
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Operation != "" || !strings.HasPrefix(err.Error(), "cloudconnexa: GET /api/v1/teapot: 418") {
		t.Fatalf("err = %v", err)
	}
}

func mustRequest(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return (&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}).WithContext(context.Background())
}

func TestDotSegmentIsRefused(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) })
	c := newTestClient(t, s)
	ctx := context.Background()
	for _, id := range []string{".", ".."} {
		_, err := c.GetNetworkWithResponse(ctx, id)
		var rerr *RequestError
		if !errors.Is(err, ErrDotSegment) || !errors.As(err, &rerr) || rerr.Operation != "getNetwork" || rerr.Attempts != 0 {
			t.Errorf("GetNetwork(%q) err = %v", id, err)
		}
		if _, err := c.UpdateNetworkWithResponse(ctx, id, gen.NetworkUpdateRequest{Name: "x"}); !errors.Is(err, ErrDotSegment) {
			t.Errorf("UpdateNetwork(%q) err = %v", id, err)
		}
	}
	if n := len(s.recorded()); n != 0 {
		t.Fatalf("%d requests sent, want none", n)
	}
	for _, id := range []string{"...", "a.b", ".x"} {
		if _, err := c.GetNetworkWithResponse(ctx, id); err != nil {
			t.Errorf("GetNetwork(%q): %v", id, err)
		}
	}
}
