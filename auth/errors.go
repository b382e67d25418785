package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Causes carried in AuthenticationError.Err for 2xx token responses that do
// not hold a usable token.
var (
	// ErrNoAccessToken reports a successful response without access_token.
	ErrNoAccessToken = errors.New("token response has no access_token")
	// ErrMalformedTokenResponse reports a successful response that could not
	// be decoded (not JSON, too large, or an unusable access_token).
	ErrMalformedTokenResponse = errors.New("malformed token response")
)

// AuthenticationError is returned for every failed token request. Its fields
// and its Error text never contain the client secret or a token: server
// text is redacted, bounded and stripped of control characters.
type AuthenticationError struct {
	// StatusCode is the HTTP status of the token response; 0 when no
	// response arrived (network, TLS or timeout failure).
	StatusCode int
	// Code is the server's error code: the OAuth2 "error" (for example
	// "invalid_client") or the API's "statusError".
	Code string
	// Message is the server's explanation: error_description, errorMessage,
	// or a short snippet of a non-JSON body such as an HTML page's title.
	Message string
	// RetryAfter is the Retry-After of a 429 or 503 token response: how
	// long from now no token request is made (every caller of the
	// Authenticator gets this error, with the time left, until then). 0
	// when the response had none.
	RetryAfter time.Duration
	// Err is the underlying cause, if any: a (sanitized) network error,
	// ErrNoAccessToken, ErrMalformedTokenResponse...
	Err error
}

// Error formats the error as
// "cloudconnexa: authentication failed: 401 invalid_client: bad credentials".
func (e *AuthenticationError) Error() string {
	var b strings.Builder
	b.WriteString("cloudconnexa: authentication failed")
	head := ""
	if e.StatusCode != 0 {
		head = strconv.Itoa(e.StatusCode)
	}
	if e.Code != "" {
		head = strings.TrimSpace(head + " " + e.Code)
	} else if e.StatusCode != 0 && e.Message == "" && e.Err == nil {
		head += " " + http.StatusText(e.StatusCode)
	}
	for _, part := range []string{strings.TrimSpace(head), e.Message} {
		if part != "" {
			b.WriteString(": ")
			b.WriteString(part)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *AuthenticationError) Unwrap() error { return e.Err }
