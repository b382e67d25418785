package client

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
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
		e := newAPIError(resp, body, req, opInfo{ID: "getNetwork", ResourceID: "x"}, 1, 0, func(s string) string { return s })
		msg := e.Error()
		assert.True(t, utf8.ValidString(msg), "Error() is not valid UTF-8: %q", msg)
		assert.False(t, strings.ContainsAny(msg, "\n\r\x00\x1b"), "Error() contains control characters: %q", msg)
		assert.LessOrEqual(t, len(msg), 1024, "Error() length in bytes")
		_ = e.Is(ErrNotFound)
		if status == http.StatusNotFound {
			assert.True(t, e.Is(ErrNotFound), "404 must match ErrNotFound")
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
		o := NewRateObservation(rateHeaders(remaining, rate, period, burst), http.StatusTooManyRequests, time.Now())
		// Written as conditions, not ordered comparisons, so that NaN is
		// judged as before.
		require.False(t, o.Remaining < 0 || o.Remaining > maxHeaderCount || o.Burst < 0 || o.Rate < 0, "out of range: %+v", o)
		require.False(t, o.Burst != 0 && o.Burst < 1, "burst below 1: %+v", o)
		require.False(t, o.Rate != 0 && o.Rate < pacing.MinHeaderRate, "rate below pacing.MinHeaderRate: %+v", o)
		require.False(t, o.PerRequest() < 0, "negative per-request time: %+v", o)
		// Whatever the headers say, the limiter stays usable.
		l := newLimiter(0, 0, time.Now)
		p, err := l.Acquire(t.Context(), time.Minute)
		require.NoError(t, err)
		require.NoError(t, l.Observe(t.Context(), p, o))
		require.NoError(t, l.Release(t.Context(), p))
		l.mu.Lock()
		d, _ := l.turnLocked(time.Now(), 1)
		l.mu.Unlock()
		require.GreaterOrEqual(t, d, time.Duration(0), "negative delay")
		require.False(t, l.s.Mode != pacing.Open && (l.s.Server.Rate <= 0 || l.s.Server.Capacity < 1), "limiter broken: %+v", l.s.Server)
	})
}

func mustURL(p string) *url.URL {
	u, err := url.Parse(p)
	if err != nil {
		panic(err)
	}
	return u
}

// FuzzParseEnvLine feeds arbitrary dotenv lines to the parser. It must never
// panic, and a parsed line must have a valid key and a value free of the
// quoting that was removed.
func FuzzParseEnvLine(f *testing.F) {
	for _, seed := range []string{
		"CLOUDCONNEXA_BASE_URL=https://acme.api.openvpn.com",
		"export KEY='literal # not a comment'",
		`KEY="a\nb\"c\\" # comment`,
		"KEY=value # comment",
		"# comment", "", "\uFEFFKEY=v", "=v", "1KEY=v", `KEY="unterminated`, "KEY='x' y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		key, _, ok, err := parseEnvLine(line)
		if err != nil {
			require.False(t, ok, "ok with error %v", err)
			if len(line) > 8 {
				require.NotContains(t, err.Error(), line, "the error repeats the line")
			}
		}
		if ok {
			require.True(t, validEnvKey(key), "invalid key %q accepted", key)
		}
	})
}
