package client

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseErrorBody(f *testing.F) {
	for _, seed := range []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`{"errorDetails":{"application":[{"errorCode":"9-11-6","message":"Entity does not exist"}]},"statusError":"Bad Request"}`,
		`{"errorMessage":"Network with ID x not found","statusError":"Bad Request"}`,
		`{"errorDetails":{"a":{"message":"one"},"b":"bad","c":[1]}}`,
		`{"errorDetails":[1,2,3],"errorMessage":{"x":1}}`,
		`{"error":"invalid_client","error_description":"bad"}`,
		`<html><title>502 Bad Gateway</title></html>`,
		"plain\x00text\x1b[2J\nsecond line",
		"\xff\xfe\xfd",
		`{"errorMessage":"` + strings.Repeat("é", 600) + `"}`,
	} {
		f.Add(400, []byte(seed))
	}
	f.Add(404, []byte(`{"errorMessage":"gone"}`))
	f.Add(-1, []byte(`{`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		req := &http.Request{Method: "GET", URL: mustURL("/api/v1/networks/x")}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: req}
		e := newAPIError(resp, body, req, opInfo{ID: "getNetwork", ResourceID: "x"}, 1, time.Now())
		msg := e.Error()
		if !utf8.ValidString(msg) {
			t.Errorf("Error() is not valid UTF-8: %q", msg)
		}
		if strings.ContainsAny(msg, "\n\r\x00\x1b") {
			t.Errorf("Error() contains control characters: %q", msg)
		}
		if len(msg) > 1024 {
			t.Errorf("Error() is %d bytes", len(msg))
		}
		_ = e.Is(ErrNotFound)
		if status == http.StatusNotFound && !e.Is(ErrNotFound) {
			t.Error("404 must match ErrNotFound")
		}
	})
}

func FuzzParseRateLimitHeaders(f *testing.F) {
	for _, seed := range [][4]string{
		{"19", "500", "1", "20"},
		{"0", "1", "15", "20"},
		{"abc", "-5", "1e99", ""},
		{"99999999999999999999", "NaN", "Inf", "0x10"},
		{"2.5", "0.1", "0.001", "1"},
		{"", "", "", ""},
		{"0", "0", "0", "0"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, remaining, rate, period, burst string) {
		ri := parseRateLimitHeaders(rateHeaders(remaining, rate, period, burst))
		if ri.remaining < 0 || ri.remaining > maxHeaderCount || ri.burst < 0 || ri.rate < 0 {
			t.Fatalf("out of range: %+v", ri)
		}
		if ri.hasBurst && ri.burst < 1 {
			t.Fatalf("burst below 1: %+v", ri)
		}
		if ri.perToken() < 0 {
			t.Fatalf("negative per-token time: %+v", ri)
		}
		// Whatever the headers say, the limiter stays usable.
		clock := newFakeClock()
		l := startedLimiter(20, 15*time.Second, clock)
		l.reserve()
		l.observe(ri, http.StatusTooManyRequests, -1)
		l.release()
		if _, d, _ := l.reserve(); d < 0 {
			t.Fatalf("negative delay %v", d)
		}
		if l.rate <= 0 || l.capacity < 1 {
			t.Fatalf("limiter broken: rate %v capacity %v", l.rate, l.capacity)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"1", "0", "120", "-1", "1.5", "abc", "", "86400", "86401",
		"99999999999999999999", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", " 7 "} {
		f.Add(seed)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %t", v, d, ok)
		}
	})
}

func mustURL(p string) *url.URL {
	u, err := url.Parse(p)
	if err != nil {
		panic(err)
	}
	return u
}
