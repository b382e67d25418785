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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{"400 message not found", 400, `{"errorMessage":"Network with ID n-1 not found","statusError":"Bad Request"}`, true},
		{"404 names the call's id", 404, `{"errorMessage":"Network with ID n-1 not found","statusError":"Not Found"}`, true},
		// Another id was missing (a parent, or ids passed swapped): not
		// "n-1 not found", so an idempotent delete does not pass silently.
		{"404 names another id", 404, `{"errorMessage":"User with ID u-9 not found","statusError":"Not Found"}`, false},
		{"400 detail names another id", 400, `{"errorDetails":{"user":[{"message":"User with ID u-9 not found"}]}}`, false},
		{"400 upper case", 400, `{"errorMessage":"NETWORK NOT FOUND"}`, true},
		{"ordinary 400", 400, `{"errorDetails":{"name":[{"errorCode":"1-2","message":"must not be blank"}]},"statusError":"Bad Request"}`, false},
		{"500 not found text", 500, `{"errorMessage":"route not found in cache"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, tc.body) })
			c := newTestClient(t, s, WithoutRetries())
			_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
			require.Error(t, err)
			assert.Equal(t, tc.want, errors.Is(err, ErrNotFound), "errors.Is(%v, ErrNotFound)", err)
		})
	}
}

// TestSwappedDeviceIDsAreNotAlreadyGone: Devices.Delete(ctx, userID,
// deviceID) with the ids swapped reaches the service as DELETE
// /devices/{the user's id}?userId={the device's id}; the service answers
// that the user (the device's id) does not exist. That must not read as
// "the device is already gone" to the usual idempotent-delete check.
func TestSwappedDeviceIDsAreNotAlreadyGone(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"errorMessage":"User with ID `+r.URL.Query().Get("userId")+` not found","statusError":"Not Found"}`)
	})
	c := newTestClient(t, s, WithoutRetries())
	userID, deviceID := "u-1", "d-1"
	err := c.Devices.Delete(context.Background(), deviceID, userID) // swapped
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotFound), "a missing user read as a missing device: %v", err)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "User", apiErr.MissingKind)
	assert.Equal(t, deviceID, apiErr.MissingID)
	assert.Equal(t, userID, apiErr.ResourceID, "the path id of the call")
}

func TestSentinels(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   error
	}{{429, ErrRateLimited}, {401, ErrUnauthorized}, {403, ErrForbidden}, {404, ErrNotFound}} {
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, `{}`) })
		c := newTestClient(t, s, WithoutRetries())
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		for _, sentinel := range []error{ErrRateLimited, ErrUnauthorized, ErrForbidden, ErrNotFound} {
			assert.Equal(t, sentinel == tc.want, errors.Is(err, sentinel), "%d: errors.Is(err, %v)", tc.status, sentinel)
		}
		assert.NotErrorIs(t, err, context.Canceled, "APIError must not match unrelated errors")
	}
}

func TestAPIErrorFields(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		writeJSON(w, 400, `{"errorDetails":{"application":[{"errorCode":"9-11-6","message":"Entity does not exist"}]},"errorMessage":"network n-123 not found","statusError":"BAD_REQUEST"}`)
	})
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-123")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "getNetwork", apiErr.Operation, "identity")
	assert.Equal(t, "n-123", apiErr.ResourceID, "identity")
	assert.Equal(t, "GET", apiErr.Method, "identity")
	assert.Equal(t, "/api/v1/networks/n-123", apiErr.Path, "identity")
	assert.Equal(t, 400, apiErr.StatusCode, "fields")
	assert.Equal(t, "BAD_REQUEST", apiErr.StatusError, "fields")
	assert.Equal(t, "network n-123 not found", apiErr.Message, "fields")
	assert.Equal(t, 7*time.Second, apiErr.RetryAfter, "fields")
	assert.Equal(t, 1, apiErr.Attempts, "fields")
	d := apiErr.Details["application"]
	if assert.Len(t, d, 1, "details: %+v", apiErr.Details) {
		assert.Equal(t, "9-11-6", *d[0].ErrorCode, "details")
		assert.Equal(t, "Entity does not exist", *d[0].Message, "details")
	}
	assert.Contains(t, string(apiErr.Body), `"9-11-6"`, "body")
	assert.EqualError(t, err, `cloudconnexa: getNetwork "n-123": 400 Bad Request: network n-123 not found`)
}

func TestAPIErrorBodyIsBounded(t *testing.T) {
	big := strings.Repeat("x", 3*maxErrorBody)
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, big) })
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Len(t, apiErr.Body, maxErrorBody, "body")
	assert.LessOrEqual(t, len(err.Error()), 400, "Error() length")
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
			assert.Equal(t, tc.want, msg, "message")
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
		assert.EqualError(t, tc.err, tc.want)
	}
	long := &APIError{StatusCode: 400, Message: strings.Repeat("é", 1000)}
	msg := long.Error()
	assert.LessOrEqual(t, len(msg), maxMessageLen+100, "long message not truncated")
	assert.True(t, utf8.ValidString(msg), "long message not truncated cleanly")
	assert.True(t, strings.HasSuffix(msg, "…"), "long message not truncated cleanly")
}

func TestRequestError(t *testing.T) {
	e := &RequestError{Operation: "getNetwork", ResourceID: "n-1", Err: &AuthenticationError{StatusCode: 401, Code: "invalid_client"}}
	assert.ErrorIs(t, e, ErrUnauthorized, "401 token failure should match ErrUnauthorized")
	assert.NotErrorIs(t, e, ErrForbidden, "401 token failure should match ErrUnauthorized only")
	assert.NotErrorIs(t, e, ErrNotFound, "401 token failure should match ErrUnauthorized only")
	assert.EqualError(t, e, `cloudconnexa: getNetwork "n-1": authentication failed: 401 invalid_client`)
	assert.ErrorIs(t, &RequestError{Err: &AuthenticationError{StatusCode: 403}}, ErrForbidden, "403")
	assert.ErrorIs(t, &RequestError{Err: &AuthenticationError{StatusCode: 429}}, ErrRateLimited, "429")
	assert.NotErrorIs(t, &RequestError{Err: errors.New("x")}, ErrUnauthorized, "plain errors match no sentinel")
	assert.EqualError(t, &RequestError{Method: "GET", Path: "/p", Attempts: 2}, "cloudconnexa: GET /p: unknown error (after 2 attempts)")
}

func TestBadCredentials(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c, err := New(s.URL, testClientID, "wrong-"+testSecret, WithAllowInsecureLoopback(), fastRetries)
	require.NoError(t, err)
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var authErr *AuthenticationError
	require.ErrorAs(t, err, &authErr, "want an AuthenticationError 401")
	require.Equal(t, 401, authErr.StatusCode, "err = %v", err)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.NotContains(t, err.Error(), testSecret, "error shows the secret")
	assert.Equal(t, int32(1), s.tokenRequests.Load(), "token requests: refused credentials must not be retried")
	assert.Zero(t, s.count(), "requests the API saw")
}

func TestReauthenticatesOn401(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) })
	s.setTokens([]string{"tok-old", "tok-new"}, func(tok string) bool { return tok == "tok-new" })
	c := newTestClient(t, s)
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.Equal(t, "n-1", resp.JSON200.ID, "response %+v", resp.JSON200)
	assert.Equal(t, int32(2), s.tokenRequests.Load(), "token requests")
	reqs := s.recorded()
	if assert.Len(t, reqs, 2, "requests: %+v", reqs) {
		assert.Equal(t, "Bearer tok-old", reqs[0].Header.Get("Authorization"), "first request")
		assert.Equal(t, "Bearer tok-new", reqs[1].Header.Get("Authorization"), "second request")
	}

	// A server that keeps refusing: one re-authentication, then the 401.
	s.setTokens([]string{"tok-new"}, func(string) bool { return false })
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.ErrorIs(t, err, ErrUnauthorized)
}

func TestResponseTooLarge(t *testing.T) {
	big := `{"id":"` + strings.Repeat("x", 5000) + `"}`
	t.Run("content-length", func(t *testing.T) {
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, big) })
		c := newTestClient(t, s, WithMaxResponseBytes(1000))
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		var rerr *RequestError
		require.ErrorIs(t, err, ErrResponseTooLarge)
		require.ErrorAs(t, err, &rerr)
		require.Equal(t, "getNetwork", rerr.Operation, "err = %v", err)
		assert.Equal(t, 1, s.count(), "requests the server saw: not retried")
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
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		require.ErrorIs(t, err, ErrResponseTooLarge)
	})
	t.Run("exactly at the cap", func(t *testing.T) {
		body := `{"id":"n-1"}`
		s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
			w.(http.Flusher).Flush() // no Content-Length
		})
		c := newTestClient(t, s, WithMaxResponseBytes(int64(len(body))))
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		require.NoError(t, err)
	})
}

func TestUnknownOperationError(t *testing.T) {
	s := newTestAPI(t, sequence(418))
	c := newTestClient(t, s)
	resp, err := c.Raw.ClientInterface.(*gen.Client).Client.Do(mustRequest(t, s.URL+"/api/v1/teapot"))
	require.Nil(t, resp, "want no response")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Empty(t, apiErr.Operation, "err = %v", err)
	require.True(t, strings.HasPrefix(err.Error(), "cloudconnexa: GET /api/v1/teapot: 418"), "err = %v", err)
}

func mustRequest(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return (&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}).WithContext(context.Background())
}

func TestDotSegmentIsRefused(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) })
	c := newTestClient(t, s)
	ctx := context.Background()
	for _, id := range []string{".", ".."} {
		_, err := c.Raw.GetNetworkWithResponse(ctx, id)
		var rerr *RequestError
		if assert.ErrorIs(t, err, ErrDotSegment, "GetNetwork(%q)", id) && assert.ErrorAs(t, err, &rerr, "GetNetwork(%q)", id) {
			assert.Equal(t, "getNetwork", rerr.Operation, "GetNetwork(%q)", id)
			assert.Zero(t, rerr.Attempts, "GetNetwork(%q)", id)
		}
		_, err = c.Raw.UpdateNetworkWithResponse(ctx, id, gen.NetworkUpdateRequest{Name: "x"})
		assert.ErrorIs(t, err, ErrDotSegment, "UpdateNetwork(%q)", id)
	}
	require.Empty(t, s.recorded(), "requests sent")
	for _, id := range []string{"...", "a.b", ".x"} {
		_, err := c.Raw.GetNetworkWithResponse(ctx, id)
		assert.NoError(t, err, "GetNetwork(%q)", id)
	}
}
