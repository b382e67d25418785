package auth

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseTokenResponse feeds arbitrary token endpoint answers to the
// parser both token styles use. It must never panic, never accept a
// non-2xx answer or an unusable token, and never let the secret into an
// error, whatever the body echoes.
func FuzzParseTokenResponse(f *testing.F) {
	const id, secret = "client-ID", "s3cr3t/+=VALUE"
	basic := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	for _, seed := range []struct {
		status      int
		contentType string
		body        string
	}{
		{200, "application/json", `{"access_token":"tok","expires_in":3600}`},
		{200, "application/json", `{"access_token":"tok","expires_in":"abc"}`},
		{200, "application/json", `{"access_token":"tok","expires_in":"3600"}`},
		{200, "application/json", `{"access_token":12}`},
		{200, "application/x-www-form-urlencoded", "access_token=tok&expires_in=60"},
		{200, "text/html", "<html><title>" + secret + "</title></html>"},
		{401, "application/json", `{"error":"invalid_client","error_description":"Basic ` + basic + `"}`},
		{400, "text/plain", "client_secret=" + secret},
		{500, "", ""},
		{200, "application/json", `{"error":"` + secret + `"}`},
	} {
		f.Add(seed.status, seed.contentType, []byte(seed.body))
	}
	a, err := New("https://h.example", id, secret)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if len(body) > maxTokenBody {
			body = body[:maxTokenBody]
		}
		tok, expiresIn, err := a.parseTokenResponse(status, contentType, body, false)
		if err != nil {
			require.Empty(t, tok, "token with error %v", err)
			ae, ok := err.(*AuthenticationError)
			require.True(t, ok, "error %T, want *AuthenticationError", err)
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", ae), fmt.Sprintf("%#v", ae)} {
				require.NotContains(t, s, secret, "secret in error")
				require.NotContains(t, s, basic, "secret in error")
			}
			return
		}
		require.True(t, status >= 200 && status <= 299, "status %d accepted", status)
		require.True(t, validToken(tok), "unusable token %q accepted", tok)
		require.GreaterOrEqual(t, expiresIn, int64(0), "expires_in")
	})
}
