package auth

import (
	"encoding/base64"
	"net/url"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// Redact returns s with every credential the Authenticator knows replaced by
// "[redacted]": the client secret, the Basic credentials built from the
// client id and secret, and the last eight access tokens fetched, each
// also in the encodings a server may echo it in (query and path escaping,
// JSON string escaping, with and without escaped slashes). A credential
// shorter than 8 bytes (a test mock's token "t") is masked only where it
// stands alone, not inside words. Each credential is masked once: a mask
// already in s is left as it is, so redacting a redacted text changes
// nothing. It is the one redaction used for every text built from a
// server's answer, by this package for token errors and by package client
// for API errors, response snippets and log attributes. It is safe for
// concurrent use.
func (a *Authenticator) Redact(s string) string {
	if s == "" {
		return s
	}
	return a.redactor().Redact(s)
}

// redactor is the Redactor of the credentials known now.
func (a *Authenticator) redactor() *httpsafe.Redactor {
	st := a.state()
	st.mu.Lock()
	r := st.redact
	st.mu.Unlock()
	if r == nil {
		r = a.cred().redact
	}
	return r
}

// newRedactor builds the Redactor for the secret as we send it (raw, and
// inside the Basic credentials, which x/oauth2 form-escapes before
// encoding) and for tokens.
func newRedactor(clientID, secret string, tokens ...string) *httpsafe.Redactor {
	secrets := append([]string{
		secret,
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret)),
	}, tokens...)
	return httpsafe.NewRedactor(secrets...)
}
