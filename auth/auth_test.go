package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustToken(t *testing.T, a *auth.Authenticator) string {
	t.Helper()
	tok, err := a.Token(context.Background())
	require.NoError(t, err, "Token")
	return tok
}

func TestNewIsLazy(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			s := newServer(t, issue(3600), nil)
			newAuth(t, s, auth.WithTokenStyle(style))
			require.Zero(t, s.tokenCalls.Load(), "New made token requests")
		})
	}
}

func TestTokenFetchesOnceAndReuses(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		t.Run(style.String(), func(t *testing.T) {
			s := newServer(t, issue(43199), nil)
			a := newAuth(t, s, auth.WithTokenStyle(style))

			require.Equal(t, tokenN(1), mustToken(t, a), "first Token")
			require.Equal(t, int64(1), s.tokenCalls.Load(), "requests made by the first Token")
			for range 50 {
				require.Equal(t, tokenN(1), mustToken(t, a), "cached Token")
			}
			require.Equal(t, int64(1), s.tokenCalls.Load(), "requests made by 51 Token calls")
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
			require.Equal(t, tokenN(1), mustToken(t, a), "just before refresh time: want the cached token")
			require.Equal(t, int64(1), s.tokenCalls.Load(), "just before refresh time: token requests")
			clk.Advance(time.Nanosecond)
			require.Equal(t, tokenN(2), mustToken(t, a), "at refresh time")
			require.Equal(t, int64(2), s.tokenCalls.Load(), "at refresh time: token requests")
			// The refreshed token is cached for a full period again.
			clk.Advance(tt.refreshAt - time.Nanosecond)
			require.Equal(t, tokenN(2), mustToken(t, a), "after refresh")
			require.Equal(t, int64(2), s.tokenCalls.Load(), "after refresh: token requests")
			clk.Advance(time.Hour * 24)
			require.Equal(t, tokenN(3), mustToken(t, a), "long after expiry")
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
				require.NoError(t, err)
			}
			require.Equal(t, int64(1), s.tokenCalls.Load(), "token requests made by %d concurrent callers", callers)
		})
	}
}

func TestCancelledWaiterDoesNotFailOthers(t *testing.T) {
	held, arrived, release := heldIssuer()
	s := newServer(t, held, nil)
	a := newAuth(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	firstErr := tokenAsync(ctx, a) // this caller starts the fetch
	<-arrived

	secondTok := make(chan string, 1)
	go func() {
		tok, err := a.Token(context.Background())
		assert.NoError(t, err, "second waiter")
		secondTok <- tok
	}()

	cancel()
	select {
	case err := <-firstErr:
		require.ErrorIs(t, err, context.Canceled, "cancelled waiter")
	case <-time.After(5 * time.Second):
		require.FailNow(t, "cancelled waiter did not return promptly")
	}

	close(release)
	require.Equal(t, tokenN(1), <-secondTok, "second waiter")
	require.Equal(t, int64(1), s.tokenCalls.Load(), "token requests")
}

func TestTokenWithDoneContext(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.Token(ctx)
	require.ErrorIs(t, err, context.Canceled, "Token(cancelled ctx)")
	require.Zero(t, s.tokenCalls.Load(), "token requests made for a cancelled caller")
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

	assert.Equal(t, http.MethodPost, got.method)
	// The password is compared, not printed.
	assert.True(t, got.hasBasic && got.user == testID && got.pass == testSecret,
		"Basic auth = (%t, %q, pass ok: %t), want the client credentials", got.hasBasic, got.user, got.pass == testSecret)
	assert.Equal(t, "application/x-www-form-urlencoded", got.contentType, "Content-Type")
	form, _ := url.ParseQuery(got.body)
	assert.Equal(t, "client_credentials", form.Get("grant_type"), "form body %q: grant_type", got.body)
	assert.False(t, form.Has("client_secret"), "form body %q carries client_secret", got.body)
	assert.Empty(t, got.rawQuery, "URL query")
	assert.Equal(t, "cc-test/1.0", got.userAgent, "User-Agent")
	assert.Equal(t, "application/json", got.accept, "Accept")
}

func TestQueryStyleRequest(t *testing.T) {
	var got tokenRequest
	s := newServer(t, recordingIssuer(&got), nil)
	a := newAuth(t, s, auth.WithTokenStyle(auth.TokenStyleQuery), auth.WithUserAgent("cc-test/1.0"))
	mustToken(t, a)

	assert.Equal(t, http.MethodPost, got.method)
	want := url.Values{"client_id": {testID}, "client_secret": {testSecret}, "grant_type": {"client_credentials"}}
	// The query holds the secret: compared, not printed.
	assert.True(t, got.query.Encode() == want.Encode(),
		"query has %d params (secret ok: %t), want client_id, client_secret, grant_type",
		len(got.query), got.query.Get("client_secret") == testSecret)
	assert.Empty(t, got.authorization, "Authorization header present in query style")
	assert.Empty(t, got.body, "body")
	assert.Equal(t, "cc-test/1.0", got.userAgent, "User-Agent")
	assert.Equal(t, "application/json", got.accept, "Accept")
}

func TestEditRequest(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s, auth.WithUserAgent("cc-test/1.0"))
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/networks", nil)
	require.NoError(t, a.EditRequest(context.Background(), req))
	assert.Equal(t, "Bearer "+tokenN(1), req.Header.Get("Authorization"))
	assert.Equal(t, "cc-test/1.0", req.Header.Get("User-Agent"))

	// It satisfies oapi-codegen's RequestEditorFn shape.
	var _ func(context.Context, *http.Request) error = a.EditRequest

	bad := newServer(t, respond(http.StatusUnauthorized, "application/json", `{"error":"invalid_client"}`), nil)
	req, _ = http.NewRequest(http.MethodGet, bad.URL, nil)
	var ae *auth.AuthenticationError
	err := newAuth(t, bad).EditRequest(context.Background(), req)
	require.ErrorAs(t, err, &ae, "EditRequest error")
	require.Equal(t, "invalid_client", ae.Code, "EditRequest error %v", err)
	assert.Empty(t, req.Header.Get("Authorization"), "request signed despite the error")
}

func TestInvalidate(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	old := mustToken(t, a)

	a.Invalidate("some-other-token")
	require.Equal(t, old, mustToken(t, a), "Invalidate of a foreign token dropped the cache")
	require.Equal(t, int64(1), s.tokenCalls.Load(), "Invalidate of a foreign token dropped the cache")

	// Many concurrent invalidations of the same stale token: one refetch.
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			a.Invalidate(old)
			_, err := a.Token(context.Background())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, int64(2), s.tokenCalls.Load(), "token requests in total after concurrent Invalidate(old)")
	require.Equal(t, tokenN(2), mustToken(t, a), "new token not cached")
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
				require.Error(t, err, "New accepted an invalid option")
			case tt.wantErr == nil:
				require.NoError(t, err, "New")
				require.NotNil(t, a, "New")
			default:
				require.ErrorIs(t, err, tt.wantErr, "New error")
			}
			if err != nil {
				for _, secret := range []string{userinfoSecret, testSecret, "admin"} {
					require.NotContains(t, err.Error(), secret, "error echoes credentials")
				}
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
	require.NoError(t, err)
	mustToken(t, a)
	require.Equal(t, "/cc/api/v1/oauth/token", gotPath, "token request path")
	require.Contains(t, a.String(), "/cc/api/v1/oauth/token", "String()")
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
		for _, secret := range []string{testSecret, tok, tokenMark} {
			assert.NotContains(t, out, secret, "%s leaks a secret", name)
		}
	}
	for _, name := range []string{"String", "GoString", "%v", "%+v", "%#v", "slog"} {
		assert.Contains(t, outputs[name], "redacted", "%s: want a redacted secret", name)
		assert.Contains(t, outputs[name], testID, "%s: want the client id", name)
	}
	var nilAuth *auth.Authenticator
	assert.NotEmpty(t, nilAuth.String(), "nil Authenticator formats as empty")
	assert.NotEmpty(t, nilAuth.GoString(), "nil Authenticator formats as empty")
}
