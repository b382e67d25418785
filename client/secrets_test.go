package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Credentials of the secret scan, with characters that escaping changes.
// Every token the scan server issues contains tokenMarker; the secret
// contains secretMarker.
const (
	scanID       = "scan-ID-7"
	scanSecret   = "s3cr3t/VALUE+x=y"
	secretMarker = "VALUE"
	tokenMarker  = "SEKRIT"
)

// scanServer is a hostile tenant: its token endpoint and API echo every
// credential they receive, raw and in the encodings a server might use, in
// whatever answer the current mode asks for.
type scanServer struct {
	*httptest.Server
	tokenMode, apiMode atomic.Value // string
	issued             atomic.Int32
	lastBearer         atomic.Value     // string: the token of the last API request
	other              *httptest.Server // another origin, plain http
}

func (s *scanServer) token() string {
	return fmt.Sprintf("tok/%s+%d=", tokenMarker, s.issued.Load())
}

// echo repeats what a request carried, and the token the last API request
// carried, which a token request does not.
func (s *scanServer) echo(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if b, ok := strings.CutPrefix(a, "Bearer "); ok {
		s.lastBearer.Store(b)
	}
	tok, _ := s.lastBearer.Load().(string)
	parts := []string{a, r.URL.RawQuery, scanSecret, tok, url.QueryEscape(tok), url.QueryEscape(scanSecret),
		strings.ReplaceAll(a, "/", `\/`), strings.ReplaceAll(tok, "/", `\/`), strings.ReplaceAll(scanSecret, "/", `\/`)}
	if _, p, ok := r.BasicAuth(); ok {
		parts = append(parts, p)
	}
	return strings.Join(parts, " | ")
}

func newScanServer(t *testing.T) *scanServer {
	s := &scanServer{}
	s.tokenMode.Store("ok")
	s.apiMode.Store("200")
	s.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"n-1","name":"`+s.echo(r)+`"}`)
	}))
	t.Cleanup(s.other.Close)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/oauth/token" {
			s.serveToken(w, r)
			return
		}
		s.serveAPI(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scanServer) serveToken(w http.ResponseWriter, r *http.Request) {
	echo := s.echo(r) // includes the previous token
	switch s.tokenMode.Load().(string) {
	case "ok":
		s.issued.Add(1)
		writeJSON(w, 200, fmt.Sprintf(`{"access_token":%q,"expires_in":3600}`, s.token()))
	case "401echo":
		writeJSON(w, 401, fmt.Sprintf(`{"error":"invalid_client","error_description":%q}`, echo))
	case "400text":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(strings.Repeat(" ", 700) + echo))
	case "200html":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><title>" + echo + "</title></html>"))
	case "200bad":
		writeJSON(w, 200, fmt.Sprintf(`{"access_token":5,"message":%q}`, echo))
	case "200error":
		writeJSON(w, 200, fmt.Sprintf(`{"error":%q,"error_description":%q}`, echo, echo))
	case "500echo":
		writeJSON(w, 500, fmt.Sprintf(`{"statusError":%q,"errorMessage":%q}`, echo, echo))
	}
}

func (s *scanServer) serveAPI(w http.ResponseWriter, r *http.Request) {
	echo := s.echo(r)
	quoted := fmt.Sprintf("%q", echo)
	switch mode := s.apiMode.Load().(string); mode {
	case "200":
		writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><title>" + echo + "</title></html>"))
	case "badjson":
		writeJSON(w, 200, `{"id":`+quoted+`,`)
	case "undocumented":
		writeJSON(w, 203, `{"id":`+quoted+`}`)
	case "redirect":
		http.Redirect(w, r, s.other.URL+r.URL.Path+"?"+url.QueryEscape(echo), http.StatusTemporaryRedirect)
	case "drop":
		dropConnection(w)
	case "large":
		writeJSON(w, 200, `{"id":"n-1","name":`+quoted+`,"pad":"`+strings.Repeat("x", 4096)+`"}`)
	case "text":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(strings.Repeat("\t", 600) + echo))
	case "cursor":
		writeJSON(w, 200, `{"sessions":[{"id":`+quoted+`}],"nextCursor":"SAME"}`)
	default: // a status: the API's error body, echoing
		var status int
		fmt.Sscan(mode, &status)
		writeJSON(w, status, fmt.Sprintf(`{"statusError":%s,"errorMessage":%s,"errorDetails":{"name":[{"errorCode":%s,"message":%s}],%s:{"message":%s}}}`,
			quoted, quoted, quoted, quoted, quoted, quoted))
	}
}

// forbidden lists what must never appear: the markers (any piece of a
// token or the secret that keeps them), and the Basic credentials.
func forbidden() []string {
	return []string{
		tokenMarker, secretMarker,
		base64.StdEncoding.EncodeToString([]byte(scanID + ":" + scanSecret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(scanID) + ":" + url.QueryEscape(scanSecret))),
	}
}

// texts renders a returned value every way a caller might print it.
func texts(v any) []string {
	if v == nil {
		return nil
	}
	out := []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v)}
	if err, ok := v.(error); ok {
		out = append(out, err.Error())
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			out = append(out, string(apiErr.Body), apiErr.Message, apiErr.StatusError, apiErr.Details.String(), fmt.Sprintf("%+v", *apiErr))
		}
		var rerr *ResponseError
		if errors.As(err, &rerr) {
			out = append(out, rerr.Snippet, fmt.Sprintf("%+v", *rerr))
		}
		var authErr *auth.AuthenticationError
		if errors.As(err, &authErr) {
			out = append(out, authErr.Message, authErr.Code, fmt.Sprintf("%+v", *authErr))
		}
	}
	return out
}

// TestNoSecretOnAnyErrorPath drives every error path of the client and its
// authenticator against the hostile server, in both token styles, and
// scans every returned value and all Debug log output.
func TestNoSecretOnAnyErrorPath(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			s := newScanServer(t)
			var logs bytes.Buffer
			var mu sync.Mutex
			logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			opts := []Option{WithAllowInsecureLoopback(), fastRetries, WithoutRateLimit(), WithLogger(logger), WithTokenStyle(style)}
			c, err := New(s.URL, scanID, scanSecret, opts...)
			require.NoError(t, err)
			small, err := New(s.URL, scanID, scanSecret, append(opts, WithMaxResponseBytes(1024))...)
			require.NoError(t, err)
			unreachable, err := New("http://127.0.0.1:1", scanID, scanSecret, opts...)
			require.NoError(t, err)

			var values []any
			var errs int
			call := func(name string, fn func() (any, error)) {
				resp, err := fn()
				if err != nil {
					errs++
				}
				assert.Error(t, err, name)
				if resp, ok := resp.(*gen.CreateNetworkResponse); ok && resp == nil {
					values = append(values, err)
					return
				}
				values = append(values, resp, err)
			}
			get := func(cl *Client, id string) func() (any, error) {
				return func() (any, error) {
					resp, err := cl.Raw.GetNetworkWithResponse(context.Background(), id)
					if resp == nil {
						return nil, err
					}
					return resp, err
				}
			}
			ctx := context.Background()

			// The API's answers, with a valid token.
			for _, mode := range []string{"400", "401", "403", "404", "409", "429", "500", "503", "html", "badjson", "undocumented", "drop", "text"} {
				s.apiMode.Store(mode)
				call("api "+mode, get(c, "n-1"))
			}
			s.apiMode.Store("redirect") // refused: a body to another origin
			call("redirect", func() (any, error) {
				return c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "n"})
			})
			s.apiMode.Store("large")
			call("too large", get(small, "n-1"))
			s.apiMode.Store("cursor")
			start := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
			call("pagination loop", func() (any, error) {
				var last error
				for _, err := range c.Sessions.All(ctx, &SessionsListParams{StartDate: start}) {
					last = err
				}
				return nil, last
			})
			s.apiMode.Store("200")
			call("invalid id", get(c, ".."))
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			call("cancelled", func() (any, error) { return c.Raw.GetNetworkWithResponse(cancelled, "n-1") })
			ok, err := c.Raw.GetNetworkWithResponse(ctx, "n-1")
			require.NoError(t, err)
			values = append(values, ok, ok.HTTPResponse.Request.Header, ok.HTTPResponse.Request)

			// The token endpoint's answers, with a token issued before (which
			// the server echoes too).
			for _, mode := range []string{"401echo", "400text", "200html", "200bad", "200error", "500echo"} {
				s.tokenMode.Store("ok")
				held, err := c.Authenticator().Token(ctx)
				require.NoError(t, err)
				s.tokenMode.Store(mode)
				c.Authenticator().Invalidate(held)
				call("token "+mode, get(c, "n-1"))
				_, err = c.Authenticator().Token(ctx)
				values = append(values, err)
			}
			call("token endpoint unreachable", get(unreachable, "n-1"))

			mu.Lock()
			out := logs.String()
			mu.Unlock()
			require.NotEmpty(t, out)
			assert.Contains(t, out, `"level":"DEBUG"`)
			scanned := []string{out}
			for _, v := range values {
				scanned = append(scanned, texts(v)...)
			}
			for _, text := range scanned {
				for _, f := range forbidden() {
					assert.NotContains(t, text, f)
				}
			}
			assert.Equal(t, 25, errs, "error paths driven")
			assert.Contains(t, strings.Join(scanned, "\n"), "[redacted]", "the echoes arrived, redacted")
		})
	}
}
