package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPostAnswered500IsSentOnce(t *testing.T) {
	s := newTestAPI(t, sequence(500, 201))
	c := newTestClient(t, s)
	resp, err := c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
	assert.Nil(t, resp, "response")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "want *APIError 500")
	require.Equal(t, 500, apiErr.StatusCode, "err = %v", err)
	assert.Equal(t, "createNetwork", apiErr.Operation, "APIError = %+v", apiErr)
	assert.Equal(t, 1, apiErr.Attempts, "APIError = %+v", apiErr)
	assert.Equal(t, "POST", apiErr.Method, "APIError = %+v", apiErr)
	assert.Equal(t, "/api/v1/networks", apiErr.Path, "APIError = %+v", apiErr)
	assert.Equal(t, 1, s.count(), "requests the server saw")
}

func TestGetRetriedAfter500s(t *testing.T) {
	s := newTestAPI(t, sequence(500, 502, 200))
	c := newTestClient(t, s)
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	if assert.NotNil(t, resp.JSON200) {
		assert.Equal(t, "n-1", resp.JSON200.ID, "JSON200 = %+v", resp.JSON200)
	}
	assert.Equal(t, 3, s.count(), "requests the server saw")
}

func TestRetriesExhausted(t *testing.T) {
	s := newTestAPI(t, sequence(504))
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "want 504 after 3 attempts")
	require.Equal(t, 504, apiErr.StatusCode, "err = %v", err)
	require.Equal(t, 3, apiErr.Attempts, "err = %v", err)
	assert.ErrorContains(t, err, "(after 3 attempts)", "want the attempt count")
	assert.Equal(t, 3, s.count(), "requests the server saw")
}

func TestWithoutRetries(t *testing.T) {
	s := newTestAPI(t, sequence(503, 200))
	c := newTestClient(t, s, WithoutRetries())
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.Error(t, err, "want the 503")
	assert.Equal(t, 1, s.count(), "requests the server saw")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{"errorMessage":"slow down"}`)
			return
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s) // default limiter: the Retry-After must not cost a 15 s token
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, 900*time.Millisecond, "want about 1 s")
	assert.Less(t, took, 3*time.Second, "want about 1 s")
	assert.Equal(t, int32(2), n.Load(), "requests the server saw")
}

func TestRetryAfterHTTPDate(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			// A date in the past means "now".
			w.Header().Set("Retry-After", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
			return
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s)
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.LessOrEqual(t, time.Since(start), time.Second, "took")
}

func TestPost429And503AreRetried(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var n atomic.Int32
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", "0")
					writeJSON(w, status, `{}`)
					return
				}
				writeJSON(w, http.StatusCreated, `{"id":"n-2","name":"n"}`)
			})
			c := newTestClient(t, s)
			resp, err := c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, resp.StatusCode(), "status")
			assert.Equal(t, int32(2), n.Load(), "requests the server saw")
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, `{}`)
	})
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{})) // MaxElapsed 2 min allows the 30 s wait
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled atomic.Int64
	time.AfterFunc(200*time.Millisecond, func() {
		cancelled.Store(time.Now().UnixNano())
		cancel()
	})
	_, err := c.Raw.GetNetworkWithResponse(ctx, "n-1")
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	lag := returned.Sub(time.Unix(0, cancelled.Load()))
	assert.LessOrEqual(t, lag, 50*time.Millisecond, "time from cancel to return")
	var rerr *RequestError
	if assert.ErrorAs(t, err, &rerr, "err = %#v", err) {
		assert.Equal(t, "getNetwork", rerr.Operation, "err = %#v", err)
		assert.Equal(t, "n-1", rerr.ResourceID, "err = %#v", err)
	}
	assert.Equal(t, 1, s.count(), "requests the server saw")
}

func TestCancelledContextSendsNothing(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Raw.GetNetworkWithResponse(ctx, "n-1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.count(), "requests the server saw")
}

func TestRetryAfterBeyondMaxElapsedStops(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, `{"errorMessage":"budget exhausted"}`)
	})
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxElapsed: 5 * time.Second}))
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	assert.LessOrEqual(t, time.Since(start), time.Second, "waited")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "want 429 with RetryAfter 1m")
	require.Equal(t, time.Minute, apiErr.RetryAfter, "err = %v", err)
	require.ErrorIs(t, err, ErrRateLimited)
}

func TestRetryAfterMayExceedMaxDelay(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
			return
		}
		writeJSON(w, 200, `{}`)
	})
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxDelay: time.Millisecond, BaseDelay: time.Millisecond}))
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "want the full Retry-After")
}

func TestRequestBodyReplayedOnRetry(t *testing.T) {
	s := newTestAPI(t, sequence(500, 500, 200))
	c := newTestClient(t, s)
	body := gen.NetworkUpdateRequest{Name: "renamed", Description: ptr("a description")}
	_, err := c.Raw.UpdateNetworkWithResponse(context.Background(), "n-1", body)
	require.NoError(t, err)
	reqs := s.recorded()
	require.Len(t, reqs, 3, "requests the server saw")
	for i, r := range reqs {
		assert.Equal(t, http.MethodPut, r.Method, "request %d", i)
		assert.Equal(t, reqs[0].Body, r.Body, "request %d body", i)
		assert.NotEmpty(t, r.Body, "request %d body", i)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"), "request %d Content-Type", i)
	}
}

// onlyReader hides bytes.Reader so http.NewRequest cannot set GetBody.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestUnreplayableBodyIsBuffered(t *testing.T) {
	s := newTestAPI(t, sequence(503, 200))
	c := newTestClient(t, s)
	payload := `{"name":"streamed"}`
	_, err := c.Raw.UpdateNetworkWithBodyWithResponse(context.Background(), "n-1", "application/json", onlyReader{strings.NewReader(payload)})
	require.NoError(t, err)
	for i, r := range s.recorded() {
		assert.Equal(t, payload, string(r.Body), "request %d body", i)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestUnreadableBody(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	_, err := c.Raw.UpdateNetworkWithBodyWithResponse(context.Background(), "n-1", "application/json", failingReader{})
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	require.ErrorContains(t, err, "disk on fire")
	require.Equal(t, "updateNetwork", rerr.Operation, "err = %v", err)
	assert.Zero(t, s.count(), "requests the server saw")
}

// dropConnection makes the server close the connection without answering.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestConnectionErrors(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropConnection(w)
			return
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err, "GET after a dropped connection")

	n.Store(0)
	_, err = c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr, "POST after a dropped connection: want a RequestError")
	require.Equal(t, "createNetwork", rerr.Operation, "err = %v", err)
	require.Equal(t, 1, rerr.Attempts, "POST after a dropped connection: err = %v", err)
	assert.Equal(t, int32(1), n.Load(), "times the POST was sent")
	assert.NotContains(t, err.Error(), s.URL, "error repeats the URL")
}

func TestConnectionRefusedIsRetriedForGet(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	c, err := New("http://"+addr, testClientID, testSecret, WithAllowInsecureLoopback(), fastRetries, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	require.NoError(t, err)
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var authErr *AuthenticationError
	var rerr *RequestError
	require.ErrorAs(t, err, &authErr, "want a token failure")
	require.ErrorAs(t, err, &rerr, "want a token failure")
	require.Equal(t, 2, rerr.Attempts, "err = %v, want a token failure after 2 attempts", err)
}

func TestPerAttemptTimeout(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		writeJSON(w, 200, `{"id":"n-1"}`)
	})
	c := newTestClient(t, s, WithTimeout(200*time.Millisecond))
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.LessOrEqual(t, time.Since(start), 1500*time.Millisecond, "took")
}

// TestPerAttemptTimeoutCoversBody checks that the timeout also bounds
// reading the body, which the caller does after Do has returned.
func TestPerAttemptTimeoutCoversBody(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"id":`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newTestClient(t, s, WithTimeout(200*time.Millisecond))
	start := time.Now()
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.ErrorIs(t, err, context.DeadlineExceeded, "want the attempt's deadline")
	assert.LessOrEqual(t, time.Since(start), 2*time.Second, "took")
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			d := p.backoff(attempt)
			require.GreaterOrEqual(t, d, ceiling/2, "backoff(%d)", attempt)
			require.Less(t, d, ceiling, "backoff(%d)", attempt)
		}
	}
	assert.Zero(t, (RetryPolicy{}).backoff(3), "zero policy backoff")
}

func TestRetryClassification(t *testing.T) {
	for _, tc := range []struct {
		status int
		method string
		want   bool
	}{
		{429, "POST", true}, {503, "POST", true}, {500, "POST", false}, {502, "POST", false}, {504, "PATCH", false},
		{500, "GET", true}, {502, "PUT", true}, {504, "DELETE", true}, {500, "HEAD", true}, {500, "OPTIONS", true},
		{400, "GET", false}, {404, "GET", false}, {501, "GET", false},
	} {
		assert.Equal(t, tc.want, retryableStatus(tc.status, tc.method), "retryableStatus(%d, %s)", tc.status, tc.method)
	}
	netErr := errors.New("connection reset")
	assert.True(t, retryableError(netErr, "GET"), "transport errors: retry GET only")
	assert.False(t, retryableError(netErr, "POST"), "transport errors: retry GET only")
	assert.True(t, retryableError(&AuthenticationError{}, "POST"), "token fetch failures without an answer are retried for any method")
	assert.True(t, retryableError(&AuthenticationError{StatusCode: 503}, "POST"), "token fetch failures without an answer are retried for any method")
	assert.False(t, retryableError(&AuthenticationError{StatusCode: 401}, "GET"), "refused credentials are not retried")
	assert.False(t, retryableError(&AuthenticationError{StatusCode: 400}, "GET"), "refused credentials are not retried")
	assert.False(t, retryableError(ErrResponseTooLarge, "GET"), "oversized responses are not retried")
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, sleep(ctx, time.Millisecond))
	cancel()
	require.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
	require.ErrorIs(t, sleep(ctx, 0), context.Canceled)
}
