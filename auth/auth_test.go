package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
)

func mustToken(t *testing.T, a *auth.Authenticator) string {
	t.Helper()
	tok, err := a.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

func TestNewIsLazy(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			s := newServer(t, issue(3600), nil)
			newAuth(t, s, auth.WithTokenStyle(style))
			if n := s.tokenCalls.Load(); n != 0 {
				t.Fatalf("New made %d token requests, want 0", n)
			}
		})
	}
}

func TestTokenFetchesOnceAndReuses(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			s := newServer(t, issue(43199), nil)
			a := newAuth(t, s, auth.WithTokenStyle(style))

			if got, want := mustToken(t, a), tokenN(1); got != want {
				t.Fatalf("first Token = %q, want %q", got, want)
			}
			if n := s.tokenCalls.Load(); n != 1 {
				t.Fatalf("first Token made %d requests, want 1", n)
			}
			for range 50 {
				if got := mustToken(t, a); got != tokenN(1) {
					t.Fatalf("cached Token = %q, want %q", got, tokenN(1))
				}
			}
			if n := s.tokenCalls.Load(); n != 1 {
				t.Fatalf("51 Token calls made %d requests, want 1", n)
			}
		})
	}
}

func TestRefreshAtMargin(t *testing.T) {
	tests := []struct {
		name      string
		expiresIn any
		opts      []auth.Option
		refreshAt time.Duration // after the first fetch
	}{
		{"default margin", 3600, nil, 55 * time.Minute},
		{"custom margin", 3600, []auth.Option{auth.WithRefreshMargin(time.Minute)}, 59 * time.Minute},
		{"zero margin", 3600, []auth.Option{auth.WithRefreshMargin(0)}, time.Hour},
		{"margin capped at half a short lifetime", 60, nil, 30 * time.Second},
		{"expires_in as string", "3600", nil, 55 * time.Minute},
		{"vendor lifetime", 43199, nil, 43199*time.Second - 5*time.Minute},
		{"expires_in absent uses default lifetime", nil, nil, 55 * time.Minute},
		{"expires_in zero uses default lifetime", 0, nil, 55 * time.Minute},
		{"custom default lifetime", nil, []auth.Option{auth.WithDefaultTokenLifetime(2 * time.Hour)}, 115 * time.Minute},
		{"short default lifetime caps margin", nil, []auth.Option{auth.WithDefaultTokenLifetime(4 * time.Minute)}, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := newServer(t, issue(tt.expiresIn), nil)
			a := newAuth(t, s, append([]auth.Option{auth.WithClock(clk.Now)}, tt.opts...)...)

			mustToken(t, a)
			clk.Advance(tt.refreshAt - time.Nanosecond)
			if got := mustToken(t, a); got != tokenN(1) || s.tokenCalls.Load() != 1 {
				t.Fatalf("just before refresh time: token %q after %d requests, want cached %q", got, s.tokenCalls.Load(), tokenN(1))
			}
			clk.Advance(time.Nanosecond)
			if got := mustToken(t, a); got != tokenN(2) || s.tokenCalls.Load() != 2 {
				t.Fatalf("at refresh time: token %q after %d requests, want %q after 2", got, s.tokenCalls.Load(), tokenN(2))
			}
			// The refreshed token is cached for a full period again.
			clk.Advance(tt.refreshAt - time.Nanosecond)
			if got := mustToken(t, a); got != tokenN(2) || s.tokenCalls.Load() != 2 {
				t.Fatalf("after refresh: token %q after %d requests, want %q after 2", got, s.tokenCalls.Load(), tokenN(2))
			}
			clk.Advance(time.Hour * 24)
			if got := mustToken(t, a); got != tokenN(3) {
				t.Fatalf("long after expiry: token %q, want %q", got, tokenN(3))
			}
		})
	}
}

func TestConcurrentFirstCallsShareOneRequest(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			release := make(chan struct{})
			s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				<-release // hold the request open until every caller is waiting
				issue(3600)(w, r, n)
			}, nil)
			a := newAuth(t, s, auth.WithTokenStyle(style))

			const callers = 1000
			var started, done sync.WaitGroup
			started.Add(callers)
			errs := make(chan error, callers)
			for range callers {
				done.Go(func() {
					started.Done()
					tok, err := a.Token(context.Background())
					if err == nil && tok != tokenN(1) {
						err = fmt.Errorf("got token %q, want %q", tok, tokenN(1))
					}
					errs <- err
				})
			}
			started.Wait()
			time.Sleep(20 * time.Millisecond) // let the callers reach the wait
			close(release)
			done.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := s.tokenCalls.Load(); n != 1 {
				t.Fatalf("%d concurrent callers made %d token requests, want 1", callers, n)
			}
		})
	}
}

func TestCancelledWaiterDoesNotFailOthers(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		arrived <- struct{}{}
		<-release
		issue(3600)(w, r, n)
	}, nil)
	a := newAuth(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := a.Token(ctx) // this caller starts the fetch
		firstErr <- err
	}()
	<-arrived

	secondTok := make(chan string, 1)
	go func() {
		tok, err := a.Token(context.Background())
		if err != nil {
			t.Errorf("second waiter: %v", err)
		}
		secondTok <- tok
	}()

	cancel()
	select {
	case err := <-firstErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled waiter got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled waiter did not return promptly")
	}

	close(release)
	if tok := <-secondTok; tok != tokenN(1) {
		t.Fatalf("second waiter got %q, want %q", tok, tokenN(1))
	}
	if n := s.tokenCalls.Load(); n != 1 {
		t.Fatalf("made %d token requests, want 1", n)
	}
}

func TestTokenWithDoneContext(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Token(cancelled ctx) = %v, want context.Canceled", err)
	}
	if n := s.tokenCalls.Load(); n != 0 {
		t.Fatalf("made %d token requests for a cancelled caller, want 0", n)
	}
}

// tokenRequest is what the test server saw of a token request.
type tokenRequest struct {
	method, rawQuery, contentType, authorization, userAgent, accept string
	query                                                           url.Values
	user, pass                                                      string
	hasBasic                                                        bool
	body                                                            string
}

func recordingIssuer(got *tokenRequest) tokenFunc {
	return func(w http.ResponseWriter, r *http.Request, n int64) {
		b, _ := io.ReadAll(r.Body)
		user, pass, ok := r.BasicAuth()
		*got = tokenRequest{
			method: r.Method, rawQuery: r.URL.RawQuery, query: r.URL.Query(),
			contentType: r.Header.Get("Content-Type"), authorization: r.Header.Get("Authorization"),
			userAgent: r.Header.Get("User-Agent"), accept: r.Header.Get("Accept"),
			user: user, pass: pass, hasBasic: ok, body: string(b),
		}
		issue(3600)(w, r, n)
	}
}

func TestBasicStyleRequest(t *testing.T) {
	var got tokenRequest
	s := newServer(t, recordingIssuer(&got), nil)
	a := newAuth(t, s, auth.WithUserAgent("cc-test/1.0")) // Basic is the default
	mustToken(t, a)

	if got.method != http.MethodPost {
		t.Errorf("method = %s, want POST", got.method)
	}
	if !got.hasBasic || got.user != testID || got.pass != testSecret {
		t.Errorf("Basic auth = (%t, %q, pass ok: %t), want the client credentials", got.hasBasic, got.user, got.pass == testSecret)
	}
	if got.contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", got.contentType)
	}
	if form, _ := url.ParseQuery(got.body); form.Get("grant_type") != "client_credentials" || form.Has("client_secret") {
		t.Errorf("form body = %q, want grant_type=client_credentials only", got.body)
	}
	if got.rawQuery != "" || strings.Contains(got.rawQuery, testSecret) {
		t.Errorf("URL query = %q, want none", got.rawQuery)
	}
	if got.userAgent != "cc-test/1.0" || got.accept != "application/json" {
		t.Errorf("User-Agent = %q, Accept = %q", got.userAgent, got.accept)
	}
}

func TestQueryStyleRequest(t *testing.T) {
	var got tokenRequest
	s := newServer(t, recordingIssuer(&got), nil)
	a := newAuth(t, s, auth.WithTokenStyle(auth.TokenStyleQuery), auth.WithUserAgent("cc-test/1.0"))
	mustToken(t, a)

	if got.method != http.MethodPost {
		t.Errorf("method = %s, want POST", got.method)
	}
	want := url.Values{"client_id": {testID}, "client_secret": {testSecret}, "grant_type": {"client_credentials"}}
	if got.query.Encode() != want.Encode() {
		t.Errorf("query has %d params (secret ok: %t), want client_id, client_secret, grant_type",
			len(got.query), got.query.Get("client_secret") == testSecret)
	}
	if got.authorization != "" {
		t.Errorf("Authorization header present in query style")
	}
	if got.body != "" {
		t.Errorf("body = %q, want empty", got.body)
	}
	if got.userAgent != "cc-test/1.0" || got.accept != "application/json" {
		t.Errorf("User-Agent = %q, Accept = %q", got.userAgent, got.accept)
	}
}

func TestEditRequest(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s, auth.WithUserAgent("cc-test/1.0"))
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/networks", nil)
	if err := a.EditRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer "+tokenN(1) {
		t.Errorf("Authorization = %q", got)
	}
	if got := req.Header.Get("User-Agent"); got != "cc-test/1.0" {
		t.Errorf("User-Agent = %q", got)
	}

	// It satisfies oapi-codegen's RequestEditorFn shape.
	var _ func(context.Context, *http.Request) error = a.EditRequest

	bad := newServer(t, respond(http.StatusUnauthorized, "application/json", `{"error":"invalid_client"}`), nil)
	req, _ = http.NewRequest(http.MethodGet, bad.URL, nil)
	var ae *auth.AuthenticationError
	if err := newAuth(t, bad).EditRequest(context.Background(), req); !errors.As(err, &ae) || ae.Code != "invalid_client" {
		t.Fatalf("EditRequest error = %v, want AuthenticationError invalid_client", err)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("request signed despite the error")
	}
}

func TestInvalidate(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	old := mustToken(t, a)

	a.Invalidate("some-other-token")
	if mustToken(t, a) != old || s.tokenCalls.Load() != 1 {
		t.Fatal("Invalidate of a foreign token dropped the cache")
	}

	// Many concurrent invalidations of the same stale token: one refetch.
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			a.Invalidate(old)
			if _, err := a.Token(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := s.tokenCalls.Load(); n != 2 {
		t.Fatalf("concurrent Invalidate(old) caused %d token requests in total, want 2", n)
	}
	if mustToken(t, a) != tokenN(2) {
		t.Fatal("new token not cached")
	}
}

func TestNewValidation(t *testing.T) {
	const userinfoSecret = "pa55-IN-URL"
	tests := []struct {
		name    string
		baseURL string
		id, sec string
		opts    []auth.Option
		wantErr error // nil: New must succeed
	}{
		{"https", "https://acme.api.openvpn.com", testID, testSecret, nil, nil},
		{"https with path prefix", "https://proxy.example/cc/", testID, testSecret, nil, nil},
		{"empty id", "https://acme.api.openvpn.com", "", testSecret, nil, auth.ErrMissingCredentials},
		{"empty secret", "https://acme.api.openvpn.com", testID, "", nil, auth.ErrMissingCredentials},
		{"empty URL", "", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"unparsable", "https://acme api.com/%zz", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"relative", "acme.api.openvpn.com", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"no host", "https:///path", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"other scheme", "ftp://acme.api.openvpn.com", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"query", "https://acme.api.openvpn.com?x=1", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"userinfo", "https://admin:" + userinfoSecret + "@acme.api.openvpn.com", testID, testSecret, nil, auth.ErrInvalidBaseURL},
		{"userinfo with loopback", "http://admin:" + userinfoSecret + "@localhost:8080", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, auth.ErrInvalidBaseURL},
		{"http rejected", "http://acme.api.openvpn.com", testID, testSecret, nil, auth.ErrInsecureURL},
		{"http localhost rejected without option", "http://localhost:8080", testID, testSecret, nil, auth.ErrInsecureURL},
		{"http localhost allowed", "http://localhost:8080", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, nil},
		{"http 127.0.0.1 allowed", "http://127.0.0.1:8080", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, nil},
		{"http 127.1.2.3 allowed", "http://127.1.2.3", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, nil},
		{"http ::1 allowed", "http://[::1]:8080", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, nil},
		{"http example.com rejected with option", "http://example.com", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, auth.ErrInsecureURL},
		{"http 10.0.0.1 rejected with option", "http://10.0.0.1", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, auth.ErrInsecureURL},
		{"http localhost.evil.com rejected with option", "http://localhost.evil.com", testID, testSecret, []auth.Option{auth.WithAllowInsecureLoopback()}, auth.ErrInsecureURL},
		{"negative margin", "https://acme.api.openvpn.com", testID, testSecret, []auth.Option{auth.WithRefreshMargin(-time.Second)}, nil},
		{"unknown style", "https://acme.api.openvpn.com", testID, testSecret, []auth.Option{auth.WithTokenStyle(7)}, nil},
		{"zero default lifetime", "https://acme.api.openvpn.com", testID, testSecret, []auth.Option{auth.WithDefaultTokenLifetime(0)}, nil},
	}
	optionErrors := map[string]bool{"negative margin": true, "unknown style": true, "zero default lifetime": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := auth.New(tt.baseURL, tt.id, tt.sec, tt.opts...)
			switch {
			case optionErrors[tt.name]:
				if err == nil {
					t.Fatal("New accepted an invalid option")
				}
			case tt.wantErr == nil:
				if err != nil || a == nil {
					t.Fatalf("New = %v", err)
				}
			default:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("New error = %v, want %v", err, tt.wantErr)
				}
			}
			if err != nil && (strings.Contains(err.Error(), userinfoSecret) || strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "admin")) {
				t.Fatalf("error echoes credentials: %v", err)
			}
		})
	}
}

func TestTokenURLKeepsPathPrefix(t *testing.T) {
	var gotPath string
	s := newServer(t, issue(3600), func(w http.ResponseWriter, r *http.Request) { // requests under the prefix land here
		gotPath = r.URL.Path
		issue(3600)(w, r, 1)
	})
	a, err := auth.New(s.URL+"/cc/", testID, testSecret, auth.WithAllowInsecureLoopback())
	if err != nil {
		t.Fatal(err)
	}
	mustToken(t, a)
	if gotPath != "/cc/api/v1/oauth/token" {
		t.Fatalf("token request path = %q, want /cc/api/v1/oauth/token", gotPath)
	}
	if !strings.Contains(a.String(), "/cc/api/v1/oauth/token") {
		t.Fatalf("String() = %s", a)
	}
}

func TestFormattingHidesSecrets(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s, auth.WithTokenStyle(auth.TokenStyleQuery))
	tok := mustToken(t, a) // so the cache holds a token too

	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("authenticator", "auth", a)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("authenticator", "auth", a)

	outputs := map[string]string{
		"String":   a.String(),
		"GoString": a.GoString(),
		"slog":     logBuf.String(),
	}
	// Every verb, on the pointer and on a dereferenced copy (whose fields
	// fmt would print without calling any method).
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		outputs[verb] = fmt.Sprintf(verb, a)
		outputs["*a "+verb] = fmt.Sprintf(verb, *a)
		outputs["nested "+verb] = fmt.Sprintf(verb, struct{ c *auth.Authenticator }{a})
	}
	for name, out := range outputs {
		if strings.Contains(out, testSecret) || strings.Contains(out, tok) || strings.Contains(out, tokenMark) {
			t.Errorf("%s leaks a secret: %s", name, out)
		}
	}
	for _, name := range []string{"String", "GoString", "%v", "%+v", "%#v", "slog"} {
		if !strings.Contains(outputs[name], "redacted") || !strings.Contains(outputs[name], testID) {
			t.Errorf("%s = %s, want client id and a redacted secret", name, outputs[name])
		}
	}
	var nilAuth *auth.Authenticator
	if nilAuth.String() == "" || nilAuth.GoString() == "" {
		t.Error("nil Authenticator formats as empty")
	}
}
