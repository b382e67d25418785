package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"pgregory.net/rapid"
)

// TestPropertyValidTokenIsKept: I5 of docs/retries-and-rate-limits.md. Over
// any sequence of token endpoint answers (tokens of any lifetime, 500s,
// 503s with any Retry-After, connection failures) and clock jumps, Token
// fails only when no token fetched so far is still valid.
func TestPropertyValidTokenIsKept(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		clk := newClock()
		var answer func() (*http.Response, error)
		n := 0
		hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return answer() })}
		a, err := auth.New("https://tenant.example", testID, testSecret, auth.WithClock(clk.Now), auth.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		var validUntil time.Time // of the newest token, by the model
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			clk.Advance(time.Duration(rapid.Int64Range(0, int64(20*time.Minute)).Draw(t, "dt")))
			fetchedAt := clk.Now()
			lifetime := time.Duration(rapid.IntRange(1, 7200).Draw(t, "expiresIn")) * time.Second
			kind := rapid.IntRange(0, 3).Draw(t, "answer")
			answer = func() (*http.Response, error) {
				h := http.Header{"Content-Type": {"application/json"}}
				switch kind {
				case 0:
					n++
					body := `{"access_token":"tok-` + strconv.Itoa(n) + `","expires_in":` + strconv.Itoa(int(lifetime/time.Second)) + `}`
					validUntil = fetchedAt.Add(lifetime - min(10*time.Second, lifetime/10))
					return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(body))}, nil
				case 1:
					return &http.Response{StatusCode: 500, Header: h, Body: io.NopCloser(strings.NewReader(`{}`))}, nil
				case 2:
					h.Set("Retry-After", strconv.Itoa(rapid.IntRange(0, 86400).Draw(t, "retryAfter")))
					return &http.Response{StatusCode: 503, Header: h, Body: io.NopCloser(strings.NewReader(`{}`))}, nil
				}
				return nil, errors.New("connection reset")
			}
			_, err := a.Token(context.Background())
			if err != nil && clk.Now().Before(validUntil) {
				t.Fatalf("Token failed with a token valid until %v at %v: %v", validUntil, clk.Now(), err)
			}
		}
	})
}
