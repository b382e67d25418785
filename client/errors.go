package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// Sentinels for errors.Is. An [*APIError] matches the one of its status; a
// [*RequestError] wrapping a token failure matches ErrUnauthorized,
// ErrForbidden or ErrRateLimited likewise.
var (
	// ErrNotFound matches a 404, and a 400 whose message or error details
	// say "not found" or "does not exist", as the API answers for some
	// unknown ids; but not when the message names another id than the
	// call's own resource (see [APIError.MissingID]): a device call whose
	// user is missing is not "device not found".
	ErrNotFound = errors.New("cloudconnexa: not found")
	// ErrRateLimited matches a 429 that was still failing when retries ran out.
	ErrRateLimited = errors.New("cloudconnexa: rate limited")
	// ErrUnauthorized matches a 401, and a token request refused for bad
	// credentials.
	ErrUnauthorized = errors.New("cloudconnexa: unauthorized")
	// ErrForbidden matches a 403: the API key may not perform the operation.
	ErrForbidden = errors.New("cloudconnexa: forbidden")
	// ErrResponseTooLarge is wrapped by the error of reading a response body
	// longer than the cap set with [WithMaxResponseBytes].
	ErrResponseTooLarge = errors.New("cloudconnexa: response body too large")
	// ErrDotSegment is wrapped by the error of a call with an id of "." or
	// "..", which is refused before sending: the server or a proxy would
	// resolve it to another resource.
	ErrDotSegment = errors.New(`cloudconnexa: "." or ".." as a path parameter`)
)

// maxMessageLen bounds the server text quoted in Error strings;
// maxSnippetLen the piece of a non-JSON body quoted as the message.
const (
	maxMessageLen = 512
	maxSnippetLen = 200
)

// APIError is a non-2xx answer of the API, after any retries. The generated
// XxxWithResponse methods return it as their error, with a nil response.
type APIError struct {
	StatusCode int
	Method     string
	// Path is the request path as sent, without the query.
	Path string
	// Operation is the operationId (for example "getNetwork"), empty if the
	// path matches no operation of the API document.
	Operation string
	// ResourceID is the value of the {id} (or {userId}) path parameter, if any.
	ResourceID string
	// MissingKind and MissingID are what the service said was not found,
	// from a message such as "User with ID u-1 not found": "User" and
	// "u-1"; empty when the answer names nothing. A MissingID that is not
	// ResourceID means another resource of the call was missing (a swapped
	// pair of ids, a deleted parent), and the error does not match
	// [ErrNotFound].
	MissingKind string
	MissingID   string

	// StatusError, Message and Details come from the API's error body
	// (statusError, errorMessage, errorDetails). When the body has no
	// errorMessage, Message summarizes the details or quotes a short,
	// sanitized piece of a non-JSON body.
	StatusError string
	Message     string
	Details     Details

	// Body is the raw response body, at most 64 KiB of it.
	Body []byte
	// RetryAfter is the response's Retry-After, 0 when it had none.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int

	// notFound is what the body, as the server sent it, said: a 400 for
	// an unknown id. Decided before redaction, which may mask words.
	notFound bool
}

// Error formats the error as
// `cloudconnexa: getNetwork "n-123": 404 Not Found: network n-123 not found`.
// It never includes headers, tokens or the body beyond the message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("cloudconnexa: ")
	b.WriteString(subject(e.Operation, e.ResourceID, e.Method, e.Path))
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	} else if se := httpsafe.Sanitize(e.StatusError, 64); se != "" {
		b.WriteString(" " + se)
	}
	if msg := httpsafe.Sanitize(e.Message, maxMessageLen); msg != "" {
		b.WriteString(": " + msg)
	}
	if e.Attempts > 1 {
		b.WriteString(" (after " + strconv.Itoa(e.Attempts) + " attempts)")
	}
	return b.String()
}

// Is makes errors.Is match the sentinels: ErrNotFound, ErrRateLimited,
// ErrUnauthorized and ErrForbidden.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		if e.MissingID != "" && e.ResourceID != "" && e.MissingID != e.ResourceID {
			return false
		}
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusBadRequest && (e.notFound || e.saysNotFound())
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	}
	return false
}

// saysNotFound recognizes the API's habit of answering 400 for unknown ids.
func (e *APIError) saysNotFound() bool {
	return saysNotFound(e.Message, e.Details)
}

func saysNotFound(message string, details Details) bool {
	if notFoundText(message) {
		return true
	}
	for _, list := range details {
		for _, d := range list {
			if d.Message != nil && notFoundText(*d.Message) {
				return true
			}
		}
	}
	return false
}

// missingRe matches the service's not-found message: "{Entity} with ID
// {id} not found".
var missingRe = regexp.MustCompile(`^(.{1,64}?) with ID (\S{1,256}) not found`)

// missing reads what a not-found answer names: its message, else the first
// detail message that names something.
func missing(message string, details Details) (kind, id string) {
	if m := missingRe.FindStringSubmatch(message); m != nil {
		return m[1], m[2]
	}
	for _, list := range details {
		for _, d := range list {
			if d.Message == nil {
				continue
			}
			if m := missingRe.FindStringSubmatch(*d.Message); m != nil {
				return m[1], m[2]
			}
		}
	}
	return "", ""
}

func notFoundText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "not found") || strings.Contains(s, "does not exist")
}

// newAPIError builds the error for a non-2xx response to req whose
// (bounded) body has been read, with the Retry-After its observation read.
// What the error says is decided on the body as the server sent it; then
// every value shown is redacted, each once: the body, and each string
// parsed from it (decoding JSON escapes can spell a credential anew).
func newAPIError(resp *http.Response, body []byte, req *http.Request, op opInfo, attempts int, retryAfter time.Duration, redact func(string) string) *APIError {
	statusError, message, details := parseErrorBody(body)
	messageLen := maxMessageLen
	if details == nil && statusError == "" && !isJSONObject(body) {
		messageLen = maxSnippetLen // a piece of a page, not the service's message
	}
	var kind, id string
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest {
		kind, id = missing(message, details)
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     req.Method,
		Path:       req.URL.Path,
		Operation:  op.ID,
		ResourceID: op.ResourceID,
		RetryAfter: retryAfter,
		Attempts:   attempts,
		notFound:   resp.StatusCode == http.StatusBadRequest && saysNotFound(message, details),

		Body:        redactBytes(body, redact),
		StatusError: httpsafe.Cut(redact(httpsafe.Clean(statusError)), maxMessageLen),
		Message:     httpsafe.Cut(redact(httpsafe.Clean(message)), messageLen),
		Details:     redactDetails(details, redact),
	}
	if kind != "" || id != "" {
		e.MissingKind, e.MissingID = redact(kind), redact(id)
	}
	return e
}

// redactBytes redacts a response body.
func redactBytes(b []byte, redact func(string) string) []byte {
	if len(b) == 0 {
		return b
	}
	if r := redact(string(b)); r != string(b) {
		return []byte(r)
	}
	return b
}

// redactDetails redacts the fields, messages and codes of details, in
// place.
func redactDetails(details Details, redact func(string) string) Details {
	for field, list := range details {
		for i := range list {
			if m := list[i].Message; m != nil {
				list[i].Message = Ptr(redact(*m))
			}
			if c := list[i].ErrorCode; c != nil {
				list[i].ErrorCode = Ptr(redact(*c))
			}
		}
		if rf := redact(field); rf != field {
			delete(details, field)
			details[rf] = list
		}
	}
	return details
}

// parseErrorBody extracts what it can from an error body and never fails:
// the API's ErrorResponse, common alternatives (Spring's "error"/"message",
// OAuth2's "error"/"error_description"), or a snippet of a non-JSON body.
func parseErrorBody(body []byte) (statusError, message string, details Details) {
	trimmed := bytes.TrimSpace(body)
	var fields map[string]json.RawMessage
	if !isJSONObject(trimmed) || json.Unmarshal(trimmed, &fields) != nil {
		return "", snippet(trimmed), nil
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			var s string
			if raw, ok := fields[k]; ok && json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	statusError = str("statusError", "error")
	message = str("errorMessage", "message", "error_description")
	details = parseDetails(fields["errorDetails"])
	if message == "" {
		message = summarizeDetails(details)
	}
	return statusError, message, details
}

// isJSONObject reports whether body looks like a JSON object.
func isJSONObject(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{'
}

// parseDetails accepts the documented map of lists, tolerating a single
// object in place of a list and skipping entries of the wrong shape.
func parseDetails(raw json.RawMessage) Details {
	var byField map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &byField) != nil {
		return nil
	}
	out := make(Details, len(byField))
	for field, v := range byField {
		var list []gen.ErrorDetails
		if json.Unmarshal(v, &list) != nil {
			var one gen.ErrorDetails
			if json.Unmarshal(v, &one) != nil {
				continue
			}
			list = []gen.ErrorDetails{one}
		}
		if len(list) > 0 {
			out[field] = list
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Details are the API's errorDetails: per field (or other key), the list of
// problems reported for it. Printed with %v or %s it reads like
// "name: must not be blank (error 9-11-6); region: unknown", fields sorted,
// rather than showing the pointers inside gen.ErrorDetails.
type Details map[string][]gen.ErrorDetails

// String renders every detail as "field: message (error code)", joined by
// "; ", fields sorted.
func (d Details) String() string {
	return renderDetails(d, true)
}

// GoString is used by %#v; it prints the same text, quoted, as a Details.
func (d Details) GoString() string {
	return "client.Details(" + strconv.Quote(d.String()) + ")"
}

// summarizeDetails renders details as "field: message; field: message",
// fields sorted so the text is stable, for an error without errorMessage.
func summarizeDetails(details Details) string {
	return renderDetails(details, false)
}

func renderDetails(details Details, codes bool) string {
	fields := make([]string, 0, len(details))
	for f := range details {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var parts []string
	for _, f := range fields {
		for _, d := range details[f] {
			msg := ""
			hasCode := d.ErrorCode != nil && *d.ErrorCode != ""
			switch {
			case d.Message != nil && *d.Message != "":
				msg = *d.Message
				if codes && hasCode {
					msg += " (error " + *d.ErrorCode + ")"
				}
			case hasCode:
				msg = "error " + *d.ErrorCode
			default:
				continue
			}
			if f != "" {
				msg = f + ": " + msg
			}
			parts = append(parts, msg)
		}
	}
	return strings.Join(parts, "; ")
}

// snippet quotes a short piece of a non-JSON body: an HTML page's title, or
// the first line of text. Binary bodies give nothing.
func snippet(body []byte) string {
	s := string(body[:min(len(body), 4096)])
	if s == "" || binary(s) {
		return ""
	}
	lower := strings.ToLower(s)
	if i := strings.Index(lower, "<title>"); i >= 0 {
		rest := s[i+len("<title>"):]
		if j := strings.Index(strings.ToLower(rest), "</title>"); j >= 0 {
			return httpsafe.Clean(rest[:j])
		}
	}
	if strings.HasPrefix(lower, "<") {
		return ""
	}
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return httpsafe.Clean(s)
}

// binary reports whether more than a tenth of s is invalid UTF-8 or
// control characters other than whitespace.
func binary(s string) bool {
	bad, total := 0, 0
	for _, r := range s {
		total++
		if r == utf8.RuneError || unicode.IsControl(r) && !unicode.IsSpace(r) {
			bad++
		}
	}
	return bad*10 > total
}

// subject names what a request was about, for error texts:
// `getNetwork "n-123"`, or `GET /api/v1/x` when no operation matched.
func subject(op, id, method, path string) string {
	if op == "" {
		return strings.TrimSpace(method + " " + httpsafe.Sanitize(path, 256))
	}
	if id != "" {
		return op + " " + strconv.Quote(httpsafe.Sanitize(id, 128))
	}
	return op
}

// RequestError is a request that got no API response: a transport failure,
// a token failure (wrapping [*AuthenticationError]), an oversized response,
// or the context ending (wrapping context.Canceled or
// context.DeadlineExceeded).
type RequestError struct {
	Operation  string // operationId, empty if the path matches no operation
	ResourceID string // value of the {id}/{userId} path parameter, if any
	Method     string
	Path       string
	Attempts   int // how many times the request was sent or tried to be
	Err        error
}

// Error formats the error as `cloudconnexa: getNetwork "n-1": <cause>`.
func (e *RequestError) Error() string {
	cause := "unknown error"
	if e.Err != nil {
		cause = strings.TrimPrefix(e.Err.Error(), "cloudconnexa: ")
	}
	s := "cloudconnexa: " + subject(e.Operation, e.ResourceID, e.Method, e.Path) + ": " + cause
	if e.Attempts > 1 {
		s += " (after " + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return s
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// Is matches ErrUnauthorized, ErrForbidden and ErrRateLimited for token
// requests refused with 401 (or OAuth2 invalid_client), 403 and 429.
func (e *RequestError) Is(target error) bool {
	var authErr *AuthenticationError
	if !errors.As(e.Err, &authErr) {
		return false
	}
	switch target {
	case ErrUnauthorized:
		return authErr.StatusCode == http.StatusUnauthorized || authErr.Code == "invalid_client" || authErr.Code == "unauthorized_client"
	case ErrForbidden:
		return authErr.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return authErr.StatusCode == http.StatusTooManyRequests
	}
	return false
}
