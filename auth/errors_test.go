package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leakScanner collects every error string and log line the error tests
// produce, to check afterwards that none contains a secret.
type leakScanner struct {
	mu   sync.Mutex
	logs bytes.Buffer
	outs []string
}

func (l *leakScanner) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logs.Write(p)
}

func (l *leakScanner) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// addErr records err as printed every way a caller might, down its chain.
func (l *leakScanner) addErr(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := err; e != nil; e = errors.Unwrap(e) {
		l.outs = append(l.outs, e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	var ae *auth.AuthenticationError
	if errors.As(err, &ae) {
		l.outs = append(l.outs, ae.Code, ae.Message)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		l.outs = append(l.outs, ue.URL)
	}
}

func (l *leakScanner) check(t *testing.T) {
	t.Helper()
	needles := []string{
		testSecret,
		url.QueryEscape(testSecret),
		base64.StdEncoding.EncodeToString([]byte(testID + ":" + testSecret)),
		tokenMark,
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotZero(t, l.logs.Len(), "leak scan has no log output to scan")
	require.NotEmpty(t, l.outs, "leak scan has no error output to scan")
	for _, n := range needles {
		assert.NotContains(t, l.logs.String(), n, "log output")
		for _, s := range l.outs {
			assert.NotContains(t, s, n, "error output")
		}
	}
}

func TestTokenErrors(t *testing.T) {
	scan := &leakScanner{}
	refused := func() string { // a loopback address nobody listens on any more
		srv := httptest.NewServer(http.NotFoundHandler())
		u := srv.URL
		srv.Close()
		return u
	}()

	tests := []struct {
		name    string
		token   tokenFunc // nil: connection refused
		status  int
		code    string
		message string
		is      error             // expected in the chain, if any
		check   func(error) error // extra assertion, if any
	}{
		{
			name:    "invalid_client JSON",
			token:   respond(401, "application/json", `{"error":"invalid_client","error_description":"Bad client credentials"}`),
			status:  401,
			code:    "invalid_client",
			message: "Bad client credentials",
		},
		{
			name: "ErrorResponse JSON",
			token: respond(401, "application/json;charset=UTF-8",
				`{"errorMessage":"Full authentication is required","statusError":"Unauthorized","errorDetails":{"client_id":[{"message":"unknown"}]}}`),
			status:  401,
			code:    "Unauthorized",
			message: "Full authentication is required",
		},
		{
			name:    "HTML page",
			token:   respond(502, "text/html", "<!DOCTYPE html><html><head><TITLE>\n 502 Bad Gateway &amp; friends\n</TITLE></head><body><h1>nginx</h1></body></html>"),
			status:  502,
			message: "502 Bad Gateway & friends",
		},
		{
			name:    "plain text",
			token:   respond(503, "text/plain; charset=utf-8", "upstream connect error\r\nor disconnect/reset before headers"),
			status:  503,
			message: "upstream connect error or disconnect/reset before headers",
		},
		{
			name:   "empty body",
			token:  respond(500, "", ""),
			status: 500,
			check: func(err error) error {
				if !strings.Contains(err.Error(), "500 Internal Server Error") {
					return fmt.Errorf("Error() = %q, want the status text", err)
				}
				return nil
			},
		},
		{
			name:    "server echoes the secret",
			token:   respond(400, "application/json", `{"error":"invalid_request","error_description":"client_secret `+testSecret+` is malformed"}`),
			status:  400,
			code:    "invalid_request",
			message: "client_secret [redacted] is malformed",
		},
		{
			name:    "200 with an OAuth error",
			token:   respond(200, "application/json", `{"error":"unauthorized_client","error_description":"grant not allowed"}`),
			status:  200,
			code:    "unauthorized_client",
			message: "grant not allowed",
		},
		{
			name:   "200 without access_token",
			token:  respond(200, "application/json", `{"token_type":"bearer","expires_in":43199,"scope":"read write"}`),
			status: 200,
			is:     auth.ErrNoAccessToken,
		},
		{
			name:   "200 with empty access_token",
			token:  respond(200, "application/json", `{"access_token":"","token_type":"bearer"}`),
			status: 200,
			is:     auth.ErrNoAccessToken,
		},
		{
			name:   "200 non-JSON",
			token:  respond(200, "application/json", `access_token=`+tokenN(9)+`&oops`),
			status: 200,
			is:     auth.ErrMalformedTokenResponse,
		},
		{
			name:    "200 HTML portal",
			token:   respond(200, "text/html", `<html><title>Sign in to Wi-Fi</title></html>`),
			status:  200,
			message: "Sign in to Wi-Fi",
			is:      auth.ErrMalformedTokenResponse,
		},
		{
			name:   "200 with a non-string access_token",
			token:  respond(200, "application/json", `{"access_token":12345}`),
			status: 200,
			is:     auth.ErrMalformedTokenResponse,
		},
		{
			name:   "200 with header-injecting access_token",
			token:  respond(200, "application/json", `{"access_token":"abc\r\nX-Evil: 1"}`),
			status: 200,
			is:     auth.ErrMalformedTokenResponse,
		},
		{
			name:   "200 body over 1 MiB",
			token:  respond(200, "application/json", `{"access_token":"`+tokenN(9)+`","pad":"`+strings.Repeat("x", 1<<20)+`"}`),
			status: 200,
			is:     auth.ErrMalformedTokenResponse,
		},
		{
			name: "redirect is not followed",
			token: func(w http.ResponseWriter, r *http.Request, _ int64) {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			},
			status: 302,
		},
		{
			name:   "connection refused",
			status: 0,
			is:     syscall.ECONNREFUSED,
			check: func(err error) error {
				var ae *auth.AuthenticationError
				var oe *net.OpError
				if !errors.As(err, &ae) || ae.Err == nil || !errors.As(err, &oe) {
					return fmt.Errorf("want Err set to the network error, got %#v", ae.Err)
				}
				return nil
			},
		},
	}

	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		for _, tt := range tests {
			t.Run(style.String()+"/"+tt.name, func(t *testing.T) {
				base := refused
				var s *server
				if tt.token != nil {
					s = newServer(t, tt.token, nil)
					base = s.URL
				}
				a, err := auth.New(base, testID, testSecret, auth.WithTokenStyle(style),
					auth.WithAllowInsecureLoopback(), auth.WithLogger(scan.logger()))
				require.NoError(t, err)

				tok, err := a.Token(context.Background())
				scan.addErr(err)
				require.Error(t, err, "Token = %q; want an error", tok)
				require.Empty(t, tok, "Token returned a token with the error %v", err)
				var ae *auth.AuthenticationError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.status, ae.StatusCode, "status")
				assert.Equal(t, tt.code, ae.Code, "code")
				assert.Equal(t, tt.message, ae.Message, "message")
				if tt.is != nil {
					assert.ErrorIs(t, err, tt.is)
				}
				if tt.check != nil {
					assert.NoError(t, tt.check(err))
				}
				assert.True(t, strings.HasPrefix(err.Error(), "cloudconnexa: authentication failed"), "Error() = %q", err)
				if s != nil && tt.name == "redirect is not followed" {
					assert.Equal(t, int64(1), s.tokenCalls.Load(), "redirect followed: token requests")
				}

				// Failures are not cached: the next call tries again.
				_, err = a.Token(context.Background())
				scan.addErr(err)
				if s != nil {
					assert.Equal(t, int64(2), s.tokenCalls.Load(), "token requests in total after the second Token")
				}
			})
		}
	}

	// A successful run too, so its log lines are scanned as well.
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		s := newServer(t, issue(3600), (&fakeAPI{ok: func(tok string) bool { return tok == tokenN(2) }}).ServeHTTP)
		a, err := auth.New(s.URL, testID, testSecret, auth.WithTokenStyle(style),
			auth.WithAllowInsecureLoopback(), auth.WithLogger(scan.logger()))
		require.NoError(t, err)
		resp, err := (&http.Client{Transport: a.Transport(nil)}).Get(s.URL + "/api/v1/networks")
		require.NoError(t, err)
		resp.Body.Close()
		scan.logger().Debug("authenticator", "auth", a)
	}

	scan.check(t)
	if t.Failed() {
		return
	}
	for _, want := range []string{"requesting token", "token request failed", "token acquired", "retrying after 401"} {
		assert.Contains(t, scan.logs.String(), want, "debug log")
	}
}

func TestAuthenticationErrorFormat(t *testing.T) {
	tests := []struct {
		err  *auth.AuthenticationError
		want string
	}{
		{&auth.AuthenticationError{StatusCode: 401, Code: "invalid_client", Message: "bad credentials"},
			"cloudconnexa: authentication failed: 401 invalid_client: bad credentials"},
		{&auth.AuthenticationError{StatusCode: 503},
			"cloudconnexa: authentication failed: 503 Service Unavailable"},
		{&auth.AuthenticationError{StatusCode: 200, Err: auth.ErrNoAccessToken},
			"cloudconnexa: authentication failed: 200: token response has no access_token"},
		{&auth.AuthenticationError{Err: errors.New("dial tcp: connection refused")},
			"cloudconnexa: authentication failed: dial tcp: connection refused"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
	inner := errors.New("inner")
	assert.ErrorIs(t, &auth.AuthenticationError{Err: inner}, inner, "Unwrap does not expose Err")
}

func TestTimeoutIsAuthenticationError(t *testing.T) {
	block := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) { <-block }, nil)
	defer close(block)
	a := newAuth(t, s, auth.WithTokenStyle(auth.TokenStyleQuery),
		auth.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	_, err := a.Token(context.Background())
	var ae *auth.AuthenticationError
	var ne net.Error
	require.ErrorAs(t, err, &ae, "want a timeout AuthenticationError")
	require.Zero(t, ae.StatusCode, "timeout AuthenticationError: status")
	require.ErrorAs(t, err, &ne, "want a timeout AuthenticationError")
	require.True(t, ne.Timeout(), "error = %v, want a timeout", err)
	require.NotContains(t, err.Error(), testSecret, "timeout error leaks the query")
	require.NotContains(t, err.Error(), "client_secret", "timeout error leaks the query")
}
