package auth_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
)

// expires_in is judged by one parser in both token styles.
func TestExpiresInSameForBothStyles(t *testing.T) {
	for _, tc := range []struct {
		value any
		ok    bool
	}{
		{"abc", false}, {1.5, false}, {"1.5", false}, {true, false}, {map[string]any{}, false},
		{3600, true}, {"3600", true}, {-5, true}, {nil, true}, {1e12, true},
	} {
		for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
			s := newServer(t, issue(tc.value), nil)
			if tc.value == nil {
				s = newServer(t, respond(200, "application/json", `{"access_token":"tok","expires_in":null}`), nil)
			}
			a := newAuth(t, s, auth.WithTokenStyle(style))
			tok, err := a.Token(context.Background())
			if tc.ok {
				assert.NoError(t, err, "expires_in %v, %s style", tc.value, style)
				assert.NotEmpty(t, tok)
				continue
			}
			require.ErrorIs(t, err, auth.ErrMalformedTokenResponse, "expires_in %v, %s style", tc.value, style)
			assert.Contains(t, err.Error(), "expires_in is not a whole number of seconds")
		}
	}
}

func TestFormExpiresInSameForBothStyles(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		s := newServer(t, respond(200, "application/x-www-form-urlencoded", "access_token=tok&expires_in=abc"), nil)
		_, err := newAuth(t, s, auth.WithTokenStyle(style)).Token(context.Background())
		assert.ErrorIs(t, err, auth.ErrMalformedTokenResponse, "%s style", style)
	}
}

// A token request that got no answer does not repeat the token URL.
func TestTokenTransportErrorOmitsURL(t *testing.T) {
	for _, style := range []auth.TokenStyle{auth.TokenStyleBasic, auth.TokenStyleQuery} {
		a, err := auth.New("http://127.0.0.1:1", testID, testSecret, auth.WithAllowInsecureLoopback(), auth.WithTokenStyle(style))
		require.NoError(t, err)
		_, err = a.Token(context.Background())
		var ae *auth.AuthenticationError
		require.ErrorAs(t, err, &ae)
		assert.NotContains(t, err.Error(), "oauth/token", "%s style", style)
		assert.NotContains(t, err.Error(), "http://", "%s style", style)
		assert.Contains(t, err.Error(), "connect", "%s style: the cause stays", style)
		var ue *url.Error
		assert.NotErrorAs(t, err, &ue)
	}
}

// The Request of a response from Transport is the caller's, unsigned.
func TestTransportResponseRequestIsUnsigned(t *testing.T) {
	for _, status := range []int{200, 401} {
		s := newServer(t, issue(3600), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		a := newAuth(t, s)
		req, err := http.NewRequest(http.MethodGet, s.URL+"/api/v1/networks", nil)
		require.NoError(t, err)
		resp, err := (&http.Client{Transport: a.Transport(nil)}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.NotNil(t, resp.Request)
		assert.Empty(t, resp.Request.Header.Get("Authorization"), "status %d", status)
	}
}

func TestRedact(t *testing.T) {
	s := newServer(t, issue(3600), nil)
	a := newAuth(t, s)
	basic := base64.StdEncoding.EncodeToString([]byte(testID + ":" + testSecret))
	assert.Equal(t, "x [redacted] [redacted] y", a.Redact("x "+testSecret+" "+basic+" y"), "before any token")

	first, err := a.Token(context.Background())
	require.NoError(t, err)
	a.Invalidate(first)
	second, err := a.Token(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	for _, v := range []string{first, second, url.QueryEscape(second + "/+=")} {
		assert.Equal(t, "Bearer [redacted].", a.Redact("Bearer "+strings.TrimSuffix(v, url.QueryEscape("/+="))+"."), v)
	}
	assert.Equal(t, "nothing secret", a.Redact("nothing secret"))
}

func TestBaseURLPortIsValidated(t *testing.T) {
	for _, u := range []string{"https://h:99999", "https://h:0", "https://h:65536"} {
		_, err := auth.New(u, testID, testSecret)
		assert.ErrorIs(t, err, auth.ErrInvalidBaseURL, u)
	}
	_, err := auth.New("https://h:8443", testID, testSecret)
	assert.NoError(t, err)
}
