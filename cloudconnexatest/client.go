package cloudconnexatest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// Client returns a client of package client for the server, built from
// [Server.ClientOptions] followed by opts: it trusts the server (plain HTTP
// to loopback allowed, or the server's certificate), and its failure paths
// take milliseconds, not seconds (see [Server.ClientOptions]). In a test a
// failure calls tb.Fatal; outside tests it panics, as it can only fail on
// bad opts.
func (s *Server) Client(opts ...client.Option) *client.Client {
	c, err := client.New(s.URL, s.ClientID, s.ClientSecret, append(s.ClientOptions(), opts...)...)
	if err != nil {
		if s.tb != nil {
			s.tb.Helper()
			s.tb.Fatalf("cloudconnexatest: client: %v", err)
		}
		panic(fmt.Sprintf("cloudconnexatest: client: %v", err))
	}
	return c
}

// ClientOptions returns the options [Server.Client] builds its client
// with, for clients built with client.New (append yours after them; a
// later option wins):
//
//   - client.WithHTTPClient with the server's HTTP client, its transport
//     wrapped by [Server.FastTransport], and client.WithAllowInsecureLoopback;
//   - client.WithRetryPolicy([FastRetryPolicy]): the same number of
//     attempts and the same limit on elapsed time as the default policy,
//     with backoff of at most a few milliseconds.
//
// Together they make a test of "500 three times, then success" or "429
// with Retry-After: 1, then success" take milliseconds while the client
// goes through the same steps as against the service.
func (s *Server) ClientOptions() []client.Option {
	return []client.Option{
		client.WithHTTPClient(&http.Client{Transport: s.FastTransport(nil)}),
		client.WithAllowInsecureLoopback(),
		client.WithRetryPolicy(FastRetryPolicy()),
	}
}

// FastRetryPolicy is the retry policy of [Server.ClientOptions]: the
// attempts and elapsed-time limit of client.DefaultRetryPolicy, with a
// backoff from 1 ms up to 8 ms instead of 500 ms up to 30 s.
func FastRetryPolicy() client.RetryPolicy {
	p := client.DefaultRetryPolicy()
	p.BaseDelay, p.MaxDelay = time.Millisecond, 8*time.Millisecond
	return p
}

// MaxSkippedWait is the longest Retry-After that [Server.FastTransport]
// takes in the fake's time; a longer one reaches the client unchanged, so
// that a client that gives up on a long wait still does.
const MaxSkippedWait = time.Minute

// FastTransport wraps base (the server's own transport when nil) so that
// the waits the server asks for pass in the fake's time instead of the
// caller's: a response with a Retry-After of at most [MaxSkippedWait]
// reaches the client with "Retry-After: 0", and the server's clock (its
// rate limiter, token lifetimes, timestamps) moves on by the wait, as if
// the client had waited. The original value is kept in the
// X-Cloudconnexatest-Retry-After header. Everything else passes
// unchanged.
func (s *Server) FastTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = s.HTTPClient().Transport
	}
	return &fastTransport{base: base, h: s.h}
}

type fastTransport struct {
	base http.RoundTripper
	h    *Handler
}

func (t *fastTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	ra := resp.Header.Get("Retry-After")
	if ra == "" {
		return resp, nil
	}
	d, ok := retryAfter(ra, t.h.cfg.now())
	if !ok || d > MaxSkippedWait {
		return resp, nil
	}
	t.h.skip(d)
	resp.Header.Set("X-Cloudconnexatest-Retry-After", ra)
	resp.Header.Set("Retry-After", "0")
	return resp, nil
}

// retryAfter reads delta-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > int64(MaxSkippedWait/time.Second)+1 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// skip moves the fake's clock on by d.
func (h *Handler) skip(d time.Duration) { h.skew.Add(int64(d)) }
