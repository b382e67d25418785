package client

import (
	"bytes"
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
)

func TestPostAnswered500IsSentOnce(t *testing.T) {
	s := newTestAPI(t, sequence(500, 201))
	c := newTestClient(t, s)
	resp, err := c.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
	if resp != nil {
		t.Errorf("response = %v, want nil", resp)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v, want *APIError 500", err)
	}
	if apiErr.Operation != "createNetwork" || apiErr.Attempts != 1 || apiErr.Method != "POST" || apiErr.Path != "/api/v1/networks" {
		t.Errorf("APIError = %+v", apiErr)
	}
	if n := s.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestGetRetriedAfter500s(t *testing.T) {
	s := newTestAPI(t, sequence(500, 502, 200))
	c := newTestClient(t, s)
	resp, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || resp.JSON200.Id != "n-1" {
		t.Errorf("JSON200 = %+v", resp.JSON200)
	}
	if n := s.count(); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
}

func TestRetriesExhausted(t *testing.T) {
	s := newTestAPI(t, sequence(504))
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 504 || apiErr.Attempts != 3 {
		t.Fatalf("err = %v, want 504 after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "(after 3 attempts)") {
		t.Errorf("Error() = %q, want the attempt count", err)
	}
	if n := s.count(); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
}

func TestWithoutRetries(t *testing.T) {
	s := newTestAPI(t, sequence(503, 200))
	c := newTestClient(t, s, WithoutRetries())
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err == nil {
		t.Fatal("want the 503")
	}
	if n := s.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 900*time.Millisecond || took >= 3*time.Second {
		t.Errorf("took %v, want about 1 s", took)
	}
	if n.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", n.Load())
	}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
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
			resp, err := c.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusCreated {
				t.Errorf("status %d", resp.StatusCode())
			}
			if n.Load() != 2 {
				t.Errorf("server saw %d requests, want 2", n.Load())
			}
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
	_, err := c.GetNetworkWithResponse(ctx, "n-1")
	returned := time.Now()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if lag := returned.Sub(time.Unix(0, cancelled.Load())); lag > 50*time.Millisecond {
		t.Errorf("returned %v after cancel", lag)
	}
	var rerr *RequestError
	if !errors.As(err, &rerr) || rerr.Operation != "getNetwork" || rerr.ResourceID != "n-1" {
		t.Errorf("err = %#v", err)
	}
	if s.count() != 1 {
		t.Errorf("server saw %d requests", s.count())
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetNetworkWithResponse(ctx, "n-1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if s.count() != 0 {
		t.Errorf("server saw %d requests", s.count())
	}
}

func TestRetryAfterBeyondMaxElapsedStops(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, `{"errorMessage":"budget exhausted"}`)
	})
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxElapsed: 5 * time.Second}))
	start := time.Now()
	_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	if time.Since(start) > time.Second {
		t.Errorf("waited %v", time.Since(start))
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Minute || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want 429 with RetryAfter 1m", err)
	}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("took %v, want the full Retry-After", took)
	}
}

func TestRequestBodyReplayedOnRetry(t *testing.T) {
	s := newTestAPI(t, sequence(500, 500, 200))
	c := newTestClient(t, s)
	body := gen.NetworkUpdateRequest{Name: "renamed", Description: ptr("a description")}
	if _, err := c.UpdateNetworkWithResponse(context.Background(), "n-1", body); err != nil {
		t.Fatal(err)
	}
	reqs := s.recorded()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Method != http.MethodPut || !bytes.Equal(r.Body, reqs[0].Body) || len(r.Body) == 0 {
			t.Errorf("request %d: %s %q, want PUT %q", i, r.Method, r.Body, reqs[0].Body)
		}
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d Content-Type %q", i, r.Header.Get("Content-Type"))
		}
	}
}

// onlyReader hides bytes.Reader so http.NewRequest cannot set GetBody.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestUnreplayableBodyIsBuffered(t *testing.T) {
	s := newTestAPI(t, sequence(503, 200))
	c := newTestClient(t, s)
	payload := `{"name":"streamed"}`
	_, err := c.UpdateNetworkWithBodyWithResponse(context.Background(), "n-1", "application/json", onlyReader{strings.NewReader(payload)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range s.recorded() {
		if string(r.Body) != payload {
			t.Errorf("request %d body %q", i, r.Body)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestUnreadableBody(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	_, err := c.UpdateNetworkWithBodyWithResponse(context.Background(), "n-1", "application/json", failingReader{})
	var rerr *RequestError
	if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "disk on fire") || rerr.Operation != "updateNetwork" {
		t.Fatalf("err = %v", err)
	}
	if s.count() != 0 {
		t.Errorf("server saw %d requests", s.count())
	}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatalf("GET after a dropped connection: %v", err)
	}

	n.Store(0)
	_, err := c.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "n"})
	var rerr *RequestError
	if !errors.As(err, &rerr) || rerr.Operation != "createNetwork" || rerr.Attempts != 1 {
		t.Fatalf("POST after a dropped connection: err = %v, want a RequestError after 1 attempt", err)
	}
	if n.Load() != 1 {
		t.Errorf("POST sent %d times, want 1", n.Load())
	}
	if strings.Contains(err.Error(), s.URL) {
		t.Errorf("error repeats the URL: %v", err)
	}
}

func TestConnectionRefusedIsRetriedForGet(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New("http://"+addr, testClientID, testSecret, WithAllowInsecureLoopback(), fastRetries, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetNetworkWithResponse(context.Background(), "n-1")
	var authErr *AuthenticationError
	var rerr *RequestError
	if !errors.As(err, &authErr) || !errors.As(err, &rerr) || rerr.Attempts != 2 {
		t.Fatalf("err = %v, want a token failure after 2 attempts", err)
	}
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
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("took %v", took)
	}
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
	_, err := c.GetNetworkWithResponse(context.Background(), "n-1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the attempt's deadline", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			if d := p.backoff(attempt); d < 0 || d >= ceiling {
				t.Fatalf("backoff(%d) = %v, want [0, %v)", attempt, d, ceiling)
			}
		}
	}
	if d := (RetryPolicy{}).backoff(3); d != 0 {
		t.Errorf("zero policy backoff = %v", d)
	}
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
		if got := retryableStatus(tc.status, tc.method); got != tc.want {
			t.Errorf("retryableStatus(%d, %s) = %t", tc.status, tc.method, got)
		}
	}
	netErr := errors.New("connection reset")
	if !retryableError(netErr, "GET") || retryableError(netErr, "POST") {
		t.Error("transport errors: retry GET only")
	}
	if !retryableError(&AuthenticationError{}, "POST") || !retryableError(&AuthenticationError{StatusCode: 503}, "POST") {
		t.Error("token fetch failures without an answer are retried for any method")
	}
	if retryableError(&AuthenticationError{StatusCode: 401}, "GET") || retryableError(&AuthenticationError{StatusCode: 400}, "GET") {
		t.Error("refused credentials are not retried")
	}
	if retryableError(ErrResponseTooLarge, "GET") {
		t.Error("oversized responses are not retried")
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := sleep(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if err := sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
