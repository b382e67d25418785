package cloudconnexatest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// spec is the parsed document with a router that matches any host, and
// what the fake needs to know of each operation. It is read-only once
// built, so every server shares one.
type spec struct {
	doc    *openapi3.T
	router routers.Router
	ops    map[string]*opInfo
	// visitOpts validate a request body against its schema, reporting
	// every violation.
	visitOpts []openapi3.SchemaValidationOption
	// reqOpts and reqOptsNoBody are the openapi3filter options of request
	// validation, with and without the body (which checkJSONBody checks).
	reqOpts, reqOptsNoBody *openapi3filter.Options
	respOpts               *openapi3filter.Options
}

type opInfo struct {
	id, method, path, tag string
	status                int    // the one 2xx status the document declares
	contentType           string // its media type, "" when it has no body
	// plain are the properties of its JSON answer that are plain strings
	// (see plainStrings); nil when the answer is hashed whole.
	plain map[string]bool
}

var loadSpec = sync.OnceValues(func() (*spec, error) {
	doc, err := api.Spec()
	if err != nil {
		return nil, err
	}
	// Without servers the router matches the path alone, whatever the host
	// (127.0.0.1:port here, <cloudId>.api.openvpn.com in the document).
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("cloudconnexatest: router: %w", err)
	}
	sp := &spec{
		doc: doc, router: router, ops: map[string]*opInfo{},
		visitOpts:     []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()},
		reqOpts:       requestOptions(),
		reqOptsNoBody: requestOptions(),
		respOpts:      responseOptions(),
	}
	sp.reqOptsNoBody.ExcludeRequestBody = true
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			info := &opInfo{id: op.OperationID, method: method, path: path}
			if len(op.Tags) > 0 {
				info.tag = op.Tags[0]
			}
			for code, resp := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || status < 200 || status > 299 {
					continue
				}
				info.status = status
				for ct, media := range resp.Value.Content {
					info.contentType = ct
					if ct == "application/json" && media.Schema != nil {
						info.plain = plainStrings(media.Schema.Value)
					}
				}
			}
			if info.status == 0 {
				return nil, fmt.Errorf("cloudconnexatest: operation %s declares no 2xx response", op.OperationID)
			}
			sp.ops[op.OperationID] = info
		}
	}
	return sp, nil
})

// Spec returns the OpenAPI document the fake serves and validates against,
// with its servers removed. It is shared: treat it as read-only.
func (h *Handler) Spec() *openapi3.T { return h.spec.doc }

// ValidatingTransport returns a RoundTripper that checks traffic against
// the project's OpenAPI document: each request before it is sent through
// base (http.DefaultTransport when nil), each response after it arrived.
// A request the document does not describe, or that breaks it, and a
// response that breaks it (including an undeclared status) are reported
// with tb.Errorf; the traffic itself is passed on unchanged. It works with
// any server, the fake or a real tenant.
func ValidatingTransport(tb testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &validatingTransport{tb: tb, base: base}
}

type validatingTransport struct {
	tb   testing.TB
	base http.RoundTripper
}

func (t *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sp, err := loadSpec()
	if err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	// Send a copy: a RoundTripper must not modify the caller's request.
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	// Validate yet another copy, which kin-openapi may consume.
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))

	route, pathParams, err := sp.router.FindRoute(check)
	if err != nil {
		t.tb.Errorf("cloudconnexatest: %s %s is not an operation of the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return t.base.RoundTrip(out)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: pathParams, Route: route, Options: requestOptions(),
	}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		t.tb.Errorf("cloudconnexatest: request of %s violates the OpenAPI document: %v", route.Operation.OperationID, err)
	}

	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		// A broken body is the caller's to notice, not a spec violation.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
		return resp, nil
	}
	if undeclaredAnswer(resp.StatusCode, len(data)) {
		return resp, nil
	}
	if err := openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: responseOptions(),
	}); err != nil {
		t.tb.Errorf("cloudconnexatest: response of %s (%d) violates the OpenAPI document: %v", route.Operation.OperationID, resp.StatusCode, err)
	}
	return resp, nil
}

// errReader replays a read error after the bytes that did arrive.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
