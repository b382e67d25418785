package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
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
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if len(body) > maxTokenBody {
			body = body[:maxTokenBody]
		}
		tok, expiresIn, err := a.parseTokenResponse(status, contentType, body, false)
		if err != nil {
			if tok != "" {
				t.Fatalf("token %q with error %v", tok, err)
			}
			ae, ok := err.(*AuthenticationError)
			if !ok {
				t.Fatalf("error %T, want *AuthenticationError", err)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", ae), fmt.Sprintf("%#v", ae)} {
				if strings.Contains(s, secret) || strings.Contains(s, basic) {
					t.Fatalf("secret in error: %s", s)
				}
			}
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("status %d accepted", status)
		}
		if !validToken(tok) {
			t.Fatalf("unusable token %q accepted", tok)
		}
		if expiresIn < 0 {
			t.Fatalf("expires_in %d", expiresIn)
		}
	})
}
