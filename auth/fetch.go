package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// maxTokenBody caps how much of a token response is read.
const maxTokenBody = 1 << 20

// maxMessage caps AuthenticationError.Message, which may come from a server.
const maxMessage = 200

// fetch performs one token request and returns the access token and its
// expires_in in seconds (0 when absent). Every error is an *AuthenticationError.
func (a *Authenticator) fetch(ctx context.Context) (string, int64, error) {
	if a.opts.style == TokenStyleQuery {
		return a.fetchQuery(ctx)
	}
	return a.fetchBasic(ctx)
}

// fetchBasic lets x/oauth2 build and send the request. A recording transport
// keeps the raw response, so errors are classified from the status and body
// we parse ourselves: x/oauth2's own error strings may embed the body and are
// not stable enough to match on.
func (a *Authenticator) fetchBasic(ctx context.Context) (string, int64, error) {
	rec := &recordingTransport{base: a.opts.httpClient.Transport, auth: a}
	if rec.base == nil {
		rec.base = http.DefaultTransport
	}
	hc := *a.opts.httpClient
	hc.Transport = rec

	cfg := clientcredentials.Config{
		ClientID:     a.clientID,
		ClientSecret: a.cred().secret,
		TokenURL:     a.tokenURL,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	_, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, &hc))

	var ue *url.Error
	switch {
	case err != nil && errors.As(err, &ue):
		// client.Do failed: network, TLS, timeout or redirect policy.
		return "", 0, a.transportError(err)
	case !rec.got:
		// x/oauth2 failed before sending anything.
		return "", 0, &AuthenticationError{Err: a.sanitize(err)}
	case rec.readErr != nil:
		return "", 0, &AuthenticationError{StatusCode: rec.status, Err: a.sanitize(rec.readErr)}
	}
	// The response is judged by the same parser in both token styles, not
	// by x/oauth2's, so both accept and refuse the same answers.
	tok, expiresIn, err := a.parseTokenResponse(rec.status, rec.contentType, rec.body, rec.truncated)
	return tok, expiresIn, a.withRetryAfter(err, rec.retryAfter)
}

// fetchQuery sends the vendor-documented request: an empty POST with the
// credentials as query parameters. x/oauth2 has no such auth style.
func (a *Authenticator) fetchQuery(ctx context.Context) (string, int64, error) {
	q := url.Values{
		"client_id":     {a.clientID},
		"client_secret": {a.cred().secret},
		"grant_type":    {"client_credentials"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL+"?"+q.Encode(), http.NoBody)
	if err != nil {
		return "", 0, &AuthenticationError{Err: a.sanitize(err)}
	}
	a.setTokenRequestHeaders(req.Header)

	resp, err := a.opts.httpClient.Do(req)
	if err != nil {
		return "", 0, a.transportError(err)
	}
	defer resp.Body.Close()
	body, truncated, err := readCapped(resp.Body)
	if err != nil {
		return "", 0, &AuthenticationError{StatusCode: resp.StatusCode, Err: a.sanitize(err)}
	}
	tok, expiresIn, err := a.parseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body, truncated)
	return tok, expiresIn, a.withRetryAfter(err, resp.Header.Get("Retry-After"))
}

// withRetryAfter sets the Retry-After of a 429 or 503 token response on its
// error, so the wait the server asked for is honoured.
func (a *Authenticator) withRetryAfter(err error, header string) error {
	var e *AuthenticationError
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests && e.StatusCode != http.StatusServiceUnavailable {
		return err
	}
	if d, ok := httpsafe.ParseRetryAfter(header, a.opts.now()); ok {
		e.RetryAfter = d
	}
	return err
}

func (a *Authenticator) setTokenRequestHeaders(h http.Header) {
	h.Set("Accept", "application/json")
	if a.opts.userAgent != "" {
		h.Set("User-Agent", a.opts.userAgent)
	}
}

// transportError reports a token request that got no response. The
// *url.Error around the cause is dropped: it repeats the token URL, which
// the error of the API request names anyway.
func (a *Authenticator) transportError(err error) *AuthenticationError {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return &AuthenticationError{Err: a.sanitize(err)}
}

// recordingTransport adds our headers to x/oauth2's token request and keeps
// the last response's status and (capped) body for error classification.
// It is used for a single fetch, so it needs no locking.
type recordingTransport struct {
	base http.RoundTripper
	auth *Authenticator

	got         bool
	status      int
	contentType string
	retryAfter  string
	body        []byte
	truncated   bool
	readErr     error
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	t.auth.setTokenRequestHeaders(r.Header)
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, truncated, readErr := readCapped(resp.Body)
	resp.Body.Close()
	t.got = true
	t.status = resp.StatusCode
	t.contentType = resp.Header.Get("Content-Type")
	t.retryAfter = resp.Header.Get("Retry-After")
	t.body, t.truncated, t.readErr = body, truncated, readErr
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// readCapped reads at most maxTokenBody bytes and reports whether more followed.
func readCapped(r io.Reader) ([]byte, bool, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxTokenBody+1))
	if len(body) > maxTokenBody {
		return body[:maxTokenBody], true, err
	}
	return body, false, err
}

// tokenFields holds what we understand of a token or error body.
type tokenFields struct {
	accessToken string
	badToken    bool // access_token present but not a usable string
	expiresIn   int64
	badExpiry   bool   // expires_in present but not a whole number of seconds
	oauthError  string // RFC 6749 "error"
	code        string // "error" or the API's "statusError"
	message     string // error_description, errorMessage or message
}

// parseTokenResponse turns a token endpoint response into a token or an
// *AuthenticationError.
func (a *Authenticator) parseTokenResponse(status int, contentType string, body []byte, truncated bool) (string, int64, error) {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	f, decodeErr := decodeTokenBody(mediaType, body)

	if status < 200 || status > 299 {
		e := &AuthenticationError{StatusCode: status}
		if decodeErr == nil && (f.code != "" || f.message != "") {
			e.Code, e.Message = a.clean(f.code, 64), a.clean(f.message, maxMessage)
		} else {
			e.Message = a.clean(textOf(mediaType, body), maxMessage)
		}
		return "", 0, e
	}

	// A 2xx body is never echoed as plain text: it may hold a token.
	e := &AuthenticationError{StatusCode: status}
	switch {
	case truncated:
		e.Err = fmt.Errorf("%w: body exceeds %d bytes", ErrMalformedTokenResponse, maxTokenBody)
	case decodeErr != nil:
		e.Err = fmt.Errorf("%w: %w", ErrMalformedTokenResponse, decodeErr)
		if isHTML(mediaType, body) {
			e.Message = a.clean(htmlTitle(body), maxMessage)
		}
	case f.oauthError != "" || (f.accessToken == "" && f.code != ""):
		// Some servers report errors with a 2xx status.
		e.Code, e.Message = a.clean(f.code, 64), a.clean(f.message, maxMessage)
	case f.badToken:
		e.Err = fmt.Errorf("%w: access_token is not a valid token string", ErrMalformedTokenResponse)
	case f.badExpiry:
		e.Err = fmt.Errorf("%w: expires_in is not a whole number of seconds", ErrMalformedTokenResponse)
	case f.accessToken == "":
		e.Err = ErrNoAccessToken
	default:
		return f.accessToken, f.expiresIn, nil
	}
	return "", 0, e
}

// decodeTokenBody decodes JSON, or form encoding for the content types
// x/oauth2 also treats as form encoded, so both token styles agree.
func decodeTokenBody(mediaType string, body []byte) (tokenFields, error) {
	var f tokenFields
	if mediaType == "application/x-www-form-urlencoded" || mediaType == "text/plain" {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return f, errors.New("body is not form encoded")
		}
		f.accessToken = v.Get("access_token")
		f.badToken = f.accessToken != "" && !validToken(f.accessToken)
		if v.Has("expires_in") {
			f.expiresIn, f.badExpiry = seconds(v.Get("expires_in"))
		}
		f.oauthError = v.Get("error")
		f.code = f.oauthError
		f.message = v.Get("error_description")
		return f, nil
	}

	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return f, err
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(m[key], &s) // non-strings read as ""
		return s
	}
	if raw, ok := m["access_token"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &f.accessToken) != nil {
			f.badToken = true // a number, an object...
		} else {
			f.badToken = f.accessToken != "" && !validToken(f.accessToken)
		}
	}
	if raw, ok := m["expires_in"]; ok && string(raw) != "null" {
		// A JSON number or a string holding one, as x/oauth2 accepts.
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		f.expiresIn, f.badExpiry = seconds(s)
	}
	f.oauthError = str("error")
	f.code = f.oauthError
	if f.code == "" {
		f.code = str("statusError")
	}
	for _, k := range []string{"error_description", "errorMessage", "message"} {
		if s := str(k); s != "" {
			f.message = s
			break
		}
	}
	return f, nil
}

// validToken reports whether s can be sent as a bearer token: RFC 6750
// b64token characters only, which also rules out header injection.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~+/=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// seconds reads an expires_in value: a whole number of seconds (an empty
// form value means none), negative values read as 0 and large ones clamped
// to MaxInt32 like x/oauth2 does. bad reports anything else ("abc", "1.5").
func seconds(v string) (n int64, bad bool) {
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
		if strings.HasPrefix(v, "-") {
			return 0, false
		}
		return math.MaxInt32, false
	case err != nil:
		return 0, true
	case n < 0:
		return 0, false
	}
	return min(n, math.MaxInt32), false
}

// textOf extracts a human-readable hint from a non-JSON error body: an HTML
// page's title, or the start of a plain-text body.
func textOf(mediaType string, body []byte) string {
	if isHTML(mediaType, body) {
		return htmlTitle(body)
	}
	// Cut far beyond what a message shows, and before redaction (clean):
	// a secret straddling the cut must not survive in part.
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	return string(body)
}

func isHTML(mediaType string, body []byte) bool {
	if mediaType == "text/html" || mediaType == "application/xhtml+xml" {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// htmlTitle returns the unescaped text of the first <title> element, if any.
func htmlTitle(body []byte) string {
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	start := indexFold(body, "<title")
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(body[start:], '>')
	if gt < 0 {
		return ""
	}
	rest := body[start+gt+1:]
	end := indexFold(rest, "</title")
	if end < 0 {
		return ""
	}
	return html.UnescapeString(string(rest[:end]))
}

// indexFold is a case-insensitive bytes.Index for an ASCII needle.
func indexFold(s []byte, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(string(s[i:i+len(sub)]), sub) {
			return i
		}
	}
	return -1
}

// clean makes server-supplied text safe to show (see [httpsafe.Redactor.Text]):
// cleaned, every credential redacted once, cut to max bytes.
func (a *Authenticator) clean(s string, max int) string {
	return a.redactor().Text(s, max)
}

// sanitize strips query strings from *url.Error (in query style the URL holds
// the secret) and, should the secret still show, replaces the error with a
// redacted copy.
func (a *Authenticator) sanitize(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		err = &url.Error{Op: ue.Op, URL: stripQuery(ue.URL), Err: ue.Err}
	}
	if msg := err.Error(); a.Redact(msg) != msg {
		return errors.New(a.Redact(msg)) // msg, redacted once
	}
	return err
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
