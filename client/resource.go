package client

// Decoding for the resource methods (resources.gen.go). Each generated
// method builds its request with gen's raw method and sends it through the
// pipeline, which has already read the body and checked it against the
// document (status, media type, decodability: see [ResponseError]); what is
// left here is to decode it into the method's result without copying it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Ptr returns a pointer to a copy of v, for the optional fields of request
// types: gen.NetworkCreateRequest{Egress: client.Ptr(true)}.
func Ptr[T any](v T) *T { return &v }

// errNilContext is the cause of a call made with a nil context.
var errNilContext = errors.New("nil Context")

// precheck refuses a call before anything is sent: a nil context, or an
// empty, blank or dot-segment id in a query parameter (path ids are checked
// by the pipeline as it sends, with the same rule). queryIDs are pairs of
// parameter name and value. The error is a [*RequestError] wrapping
// [ErrInvalidID] for a bad id.
func (c *Client) precheck(ctx context.Context, op gen.OperationID, queryIDs ...string) error {
	refuse := func(id string, err error) error {
		o, _ := gen.LookupOperation(op)
		return &RequestError{Operation: o.ID, ResourceID: id, Method: o.Method, Path: o.Path, Err: err}
	}
	if ctx == nil {
		return refuse("", errNilContext)
	}
	for i := 0; i+1 < len(queryIDs); i += 2 {
		if err := checkID(queryIDs[i+1]); err != nil {
			return refuse(queryIDs[i+1], fmt.Errorf("%s: %w", queryIDs[i], err))
		}
	}
	return nil
}

// optional is the pointer gen's params take for a field of the client's:
// nil for the zero value, which leaves the parameter out.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// failed is an iterator that yields err alone.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// selfDecodingKey marks the context of a call whose caller decodes the
// 2xx body into its documented type itself and turns a failure into a
// *ResponseError (decodeJSON, decodeValue, the iterators): the pipeline
// still checks status, media type and emptiness, but does not decode the
// body a first time only to throw the result away.
type selfDecodingKey struct{}

// selfDecoding marks ctx; see selfDecodingKey.
func selfDecoding(ctx context.Context) context.Context {
	return context.WithValue(ctx, selfDecodingKey{}, true)
}

// readBody is the body of a 2xx response that the pipeline has read in
// full and checked, so that decoding in this package and the generated
// Parse functions take the bytes as they are. It is a gen.CheckedBody.
type readBody struct {
	bytes.Reader
	data    []byte
	decoded any // what the check decoded (gen.SuccessResponse.Decode), or nil
}

var _ gen.CheckedBody = (*readBody)(nil)

func newReadBody(data []byte, decoded any) *readBody {
	b := &readBody{data: data, decoded: decoded}
	b.Reset(data)
	return b
}

func (*readBody) Close() error { return nil }

// Bytes returns the whole body.
func (b *readBody) Bytes() []byte { return b.data }

// Decoded returns the operation's response struct the pipeline decoded the
// body into to check it, or nil.
func (b *readBody) Decoded() any { return b.decoded }

// bodyBytes returns the body of resp, without a copy when the pipeline read it.
func bodyBytes(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if b, ok := resp.Body.(*readBody); ok {
		return b.data, nil
	}
	return io.ReadAll(resp.Body)
}

// decodeJSON decodes the JSON object of a 2xx response. err is the error of
// sending, already typed by the pipeline, and passes through unchanged.
func decodeJSON[T any](c *Client, resp *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := c.decodeBody(resp, v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeValue decodes a JSON scalar or array.
func decodeValue[T any](c *Client, resp *http.Response, err error) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	err = c.decodeBody(resp, &v)
	return v, err
}

// decodeText returns a text/plain body.
func decodeText[T ~string](c *Client, resp *http.Response, err error) (T, error) {
	if err != nil {
		return "", err
	}
	data, err := bodyBytes(resp)
	if err != nil {
		return "", c.unexpected(resp, nil, fmt.Errorf("read body: %w", err))
	}
	return T(data), nil
}

// discardBody ends a call whose answer has no documented body.
func discardBody(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

var (
	errEmptyBody = errors.New("empty body")
	errNullBody  = errors.New("JSON null")
)

// decodeBody decodes a JSON body into v. The pipeline has checked the body
// of every operation of the document already; the checks here keep the
// promise of no nil result without an error on their own.
func (c *Client) decodeBody(resp *http.Response, v any) error {
	data, err := bodyBytes(resp)
	if err != nil {
		return c.unexpected(resp, nil, fmt.Errorf("read body: %w", err))
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return c.unexpected(resp, data, errEmptyBody)
	case string(trimmed) == "null":
		return c.unexpected(resp, data, errNullBody)
	}
	return c.decodeAs(resp, trimmed, v)
}
