package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/httpsafe"
)

// ErrUnexpectedResponse is matched by every [*ResponseError]: a 2xx answer
// that holds no usable result of the operation.
var ErrUnexpectedResponse = errors.New("cloudconnexa: unexpected response")

// maxSnippet bounds ResponseError.Snippet.
const maxSnippet = 256

// ResponseError is a 2xx answer from which the operation's result cannot be
// taken, after its body was read in full:
//
//   - a status the API document does not list for the operation (a create
//     answered 200 where 201 is documented),
//   - a body that is not of the documented media type (an HTML page or XML
//     where application/json is documented; a body with no Content-Type or
//     text/plain, which net/http's sniffing gives unlabelled JSON, is
//     accepted when it decodes into the documented type),
//   - an empty body, or JSON null, where a JSON body is documented,
//   - a body that does not decode into the documented type (invalid JSON,
//     wrong types, nesting beyond the decoder's limit).
//
// The XxxWithResponse methods and the All* iterators return it with a nil
// response; a typed field such as JSON200 is therefore never nil when the
// error is nil and the status is the documented one. A 2xx answer is not
// retried: the server has acted. Operations without a body (204, or 200
// without content) and text/plain ones accept any body. Requests whose path
// matches no operation of the document are not checked.
type ResponseError struct {
	Operation  string // operationId, empty if the path matches no operation
	ResourceID string // value of the {id}/{userId} path parameter, if any
	Method     string
	Path       string
	StatusCode int
	// ContentType is the response's Content-Type header, sanitized.
	ContentType string
	// Snippet is the start of the body, at most 256 bytes, with every
	// credential redacted and control characters removed; empty for a
	// binary body.
	Snippet  string
	Attempts int // how many times the request was sent
	// Err says what is wrong: the decoder's error (for example a
	// *json.SyntaxError or *json.UnmarshalTypeError) or a description.
	Err error
}

// Error formats the error as
// `cloudconnexa: getNetwork "n-1": unexpected 200 response (text/html): <reason>`.
// It never includes the snippet.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("cloudconnexa: ")
	b.WriteString(subject(e.Operation, e.ResourceID, e.Method, e.Path))
	b.WriteString(": unexpected ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(" response")
	if ct := httpsafe.Sanitize(e.ContentType, 64); ct != "" {
		b.WriteString(" (" + ct + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + strings.TrimPrefix(e.Err.Error(), "cloudconnexa: "))
	}
	return b.String()
}

// Is matches [ErrUnexpectedResponse].
func (e *ResponseError) Is(target error) bool { return target == ErrUnexpectedResponse }

// Unwrap returns the reason.
func (e *ResponseError) Unwrap() error { return e.Err }

// checkSuccess checks a 2xx answer, whose body has been read, against the
// operation's documented success responses (gen.SuccessResponses).
func (c *call) checkSuccess(resp *http.Response, body []byte, attempts int) error {
	op := c.operation()
	documented, ok := gen.SuccessResponses[op.ID]
	if !ok {
		return nil
	}
	var want *gen.SuccessResponse
	for i := range documented {
		if documented[i].Status == resp.StatusCode {
			want = &documented[i]
			break
		}
	}
	if want == nil {
		statuses := make([]string, len(documented))
		for i, d := range documented {
			statuses[i] = strconv.Itoa(d.Status)
		}
		return c.unexpected(resp, body, attempts, fmt.Errorf("status not documented for the operation (documented: %s)", strings.Join(statuses, ", ")))
	}
	got := mediaType(resp.Header.Get("Content-Type"))
	switch {
	case want.Decode != nil:
		unlabelled := isUnlabelled(got)
		if !isJSONMediaType(got) && !unlabelled {
			return c.unexpected(resp, body, attempts, fmt.Errorf("content type is not %s", want.MediaType))
		}
		if len(body) == 0 {
			return c.unexpected(resp, body, attempts, errors.New("empty body"))
		}
		if c.req.Context().Value(selfDecodingKey{}) == nil {
			// The one decode of the body: its result travels on in the
			// body (readBody), and the generated Parse function takes
			// it as the typed field instead of decoding again.
			decoded, err := want.Decode(body)
			if err != nil {
				return c.unexpected(resp, body, attempts, fmt.Errorf("decode %s: %w", want.MediaType, err))
			}
			c.decoded = decoded
		}
		if unlabelled {
			// A body that decodes into the documented type, from a server
			// that did not label it (net/http sniffs an unlabelled JSON
			// body as text/plain): label it, so the generated parser,
			// which goes by Content-Type, fills the typed field.
			resp.Header.Set("Content-Type", want.MediaType)
		}
	case want.MediaType != "" && got != "" && !strings.EqualFold(got, want.MediaType):
		return c.unexpected(resp, body, attempts, fmt.Errorf("content type is not %s", want.MediaType))
	}
	return nil
}

// unexpected builds the *ResponseError for a 2xx response to the call.
func (c *call) unexpected(resp *http.Response, body []byte, attempts int, reason error) *ResponseError {
	op := c.operation()
	return &ResponseError{
		Operation:   op.ID,
		ResourceID:  op.ResourceID,
		Method:      c.req.Method,
		Path:        c.req.URL.Path,
		StatusCode:  resp.StatusCode,
		ContentType: httpsafe.Sanitize(resp.Header.Get("Content-Type"), 128),
		Snippet:     c.p.snippetOf(body),
		Attempts:    attempts,
		Err:         reason,
	}
}

// unexpected returns the *ResponseError for a 2xx response the caller cannot
// use although the pipeline accepted it, such as a typed field the generated
// code left nil. body is the response body as read (the generated
// response's Body); reason says what is wrong. For layers built on the
// generated methods, such as typed resource methods.
func (c *Client) unexpected(resp *http.Response, body []byte, reason error) error {
	if resp == nil || resp.Request == nil {
		return &ResponseError{Snippet: c.pipe.snippetOf(body), Err: reason}
	}
	cl := &call{p: c.pipe, req: resp.Request}
	return cl.unexpected(resp, body, 1, reason)
}

// snippetOf quotes the start of a body as text, redacted. The body is
// redacted before it is cut, so a credential straddling the cut cannot
// survive in part; 64 KiB is far more than the snippet can show.
func (p *pipeline) snippetOf(body []byte) string {
	s := p.redact(string(body[:min(len(body), maxErrorBody)]))
	s = s[:min(len(s), 4*maxSnippet)]
	if s == "" || binary(s) {
		return ""
	}
	return httpsafe.Sanitize(s, maxSnippet)
}

// mediaType returns the media type of a Content-Type value, without
// parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// isUnlabelled reports whether a media type says nothing about the body:
// none at all, or the text/plain that net/http's content sniffing gives any
// unlabelled text (a user's httptest handler that writes JSON without a
// Content-Type, a proxy that drops it).
func isUnlabelled(mt string) bool {
	return mt == "" || strings.EqualFold(mt, "text/plain")
}

// isJSONMediaType accepts application/json and the +json types. The
// generated Parse functions decode any Content-Type containing "json".
func isJSONMediaType(mt string) bool {
	mt = strings.ToLower(mt)
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}
