package client

// Decoding of the resource methods (resources.gen.go): each generated method
// builds its request with gen's raw method, sends it through the pipeline and
// hands the 2xx response to one of the functions below, which turn anything
// but the documented body into a typed error.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Ptr returns a pointer to a copy of v, for the optional fields of request
// types: gen.NetworkCreateRequest{Egress: client.Ptr(true)}.
func Ptr[T any](v T) *T { return &v }

// decodeJSON decodes the JSON object of a 2xx response. err is the error of
// sending, already typed by the pipeline, and passes through unchanged.
func decodeJSON[T any](resp *http.Response, err error, op gen.OperationID, id string) (*T, error) {
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := readJSON(resp, v, true, op, id); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeValue decodes a JSON scalar or array.
func decodeValue[T any](resp *http.Response, err error, op gen.OperationID, id string) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	err = readJSON(resp, &v, false, op, id)
	return v, err
}

// decodeText reads a text/plain body. A JSON string is accepted too, as a
// JSON-speaking proxy or mock may answer one.
func decodeText[T ~string](resp *http.Response, err error, op gen.OperationID, id string) (T, error) {
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	media := mediaType(resp.Header.Get("Content-Type"))
	isJSON := isJSONMedia(media)
	if media != "" && !isJSON && (!strings.HasPrefix(media, "text/") || media == "text/html") {
		return "", unexpected(resp, op, id, "content type %q where text/plain is documented", media)
	}
	data, err := readBody(resp, op, id)
	if err != nil {
		return "", err
	}
	if isJSON {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return "", unexpectedErr(resp, op, id, err, "a JSON body that is not a string")
		}
		return T(s), nil
	}
	return T(data), nil
}

// discardBody ends a call whose answer has no documented body.
func discardBody(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return resp.Body.Close()
}

// readJSON reads and decodes a JSON body into v. An object (object true)
// must not be null: a nil result is never a success.
func readJSON(resp *http.Response, v any, object bool, op gen.OperationID, id string) error {
	defer resp.Body.Close()
	// text/plain is what net/http sniffs for a JSON body written without a
	// Content-Type, as hand-written test servers often do; the decoder
	// decides.
	if media := mediaType(resp.Header.Get("Content-Type")); media != "" && !isJSONMedia(media) && media != "text/plain" {
		return unexpected(resp, op, id, "content type %q where application/json is documented", media)
	}
	data, err := readBody(resp, op, id)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return unexpected(resp, op, id, "an empty body where JSON is documented")
	case object && string(trimmed) == "null":
		return unexpected(resp, op, id, "null where an object is documented")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return unexpectedErr(resp, op, id, err, "a body that does not decode")
	}
	return nil
}

// readBody reads a body the pipeline has capped, sized from Content-Length
// when the server gave one.
func readBody(resp *http.Response, op gen.OperationID, id string) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= 1<<20 {
		buf.Grow(int(n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		if _, ok := err.(*RequestError); ok {
			return nil, err // the response cap
		}
		e := &RequestError{Operation: string(op), ResourceID: id, Err: fmt.Errorf("read response: %w", err)}
		if req := resp.Request; req != nil {
			e.Method, e.Path = req.Method, req.URL.Path
		}
		return nil, e
	}
	return buf.Bytes(), nil
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func isJSONMedia(mt string) bool {
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

func unexpected(resp *http.Response, op gen.OperationID, id, format string, args ...any) error {
	return unexpectedErr(resp, op, id, nil, format, args...)
}

func unexpectedErr(resp *http.Response, op gen.OperationID, id string, cause error, format string, args ...any) error {
	e := &ResponseError{
		Operation:   string(op),
		ResourceID:  id,
		StatusCode:  resp.StatusCode,
		ContentType: sanitize(resp.Header.Get("Content-Type"), 128),
		Reason:      fmt.Sprintf(format, args...),
		Err:         cause,
	}
	if req := resp.Request; req != nil {
		e.Method, e.Path = req.Method, req.URL.Path
	}
	return e
}
