package cloudconnexatest

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/tokenbucket"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// opTokenRequest is the operation id of the token endpoint.
const opTokenRequest = string(gen.OpRequestToken)

// maxBodyBytes bounds request bodies; the API's are small.
const maxBodyBytes = 10 << 20

// reqKey is the context key of a request's reqInfo.
type reqKey struct{}

// reqInfo is what the steps before an operation learned of its request.
type reqInfo struct {
	clientID string // the API key the request authenticated as
	// body is the request's JSON body as checked and normalised by
	// checkJSONBody, when parsed is set (see assign).
	body   any
	parsed bool
}

// requestInfo returns the reqInfo of r, or an empty one.
func requestInfo(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(reqKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

// Handler is the fake CloudConnexa API as an http.Handler, for serving it
// with a server of one's own (see [NewHandler]). [Server] wraps one.
type Handler struct {
	cfg  config
	spec *spec
	mux  *http.ServeMux
	// tb receives spec violations when the handler serves a test.
	tb testing.TB

	mu sync.Mutex // guards st
	st *state

	// paths routes a path whatever the method, to tell a 405 (with allow,
	// the methods of each pattern) from a 404.
	paths *http.ServeMux
	allow map[string]string

	ctl     sync.Mutex // guards the fields below
	creds   map[string]string
	tokens  map[string]token
	buckets map[string]*tokenbucket.Bucket
	faults  map[gen.OperationID][]*Fault
	counts  map[gen.OperationID]int
	log     requestLog
	valid   map[uint64]struct{} // answers found valid, see validateResponse
	seed    maphash.Seed

	skew atomic.Int64 // nanoseconds the fake's clock is ahead of cfg.now

	// checks are the response checks under way in the background (tests
	// only), at most cap(checkSlots) at once.
	checks     sync.WaitGroup
	checkSlots chan struct{}
}

// opFunc serves one API operation with the state locked. It returns the
// success body (a JSON value, a string for text/plain operations, nil for
// operations without body); the status comes from the document.
type opFunc func(r *http.Request) (any, error)

// NewHandler returns the fake API as an http.Handler with its own state.
// Options that concern the listener ([WithTLS], [WithAddr]) are ignored.
// Spec violations of its own responses are logged and answered 500.
func NewHandler(opts ...Option) (*Handler, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return newHandler(cfg, nil)
}

func newHandler(cfg config, tb testing.TB) (*Handler, error) {
	sp, err := loadSpec()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		spec: sp, tb: tb, mux: http.NewServeMux(), paths: http.NewServeMux(), allow: map[string]string{},
		creds:      map[string]string{cfg.clientID: cfg.clientSecret},
		tokens:     map[string]token{},
		buckets:    map[string]*tokenbucket.Bucket{},
		faults:     map[gen.OperationID][]*Fault{},
		counts:     map[gen.OperationID]int{},
		valid:      map[uint64]struct{}{},
		seed:       maphash.MakeSeed(),
		checkSlots: make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
	}
	// The fake's time is the configured clock plus the waits skipped for
	// clients built by Server.Client (see skip).
	clock := cfg.now
	cfg.now = func() time.Time { return clock().Add(time.Duration(h.skew.Load())) }
	h.cfg = cfg
	h.st = newState(cfg)
	table := h.operations()
	methods := map[string][]string{}
	for _, op := range gen.Operations {
		methods[op.Path] = append(methods[op.Path], op.Method)
		if op.Method == http.MethodGet {
			methods[op.Path] = append(methods[op.Path], http.MethodHead)
		}
	}
	for path, ms := range methods {
		slices.Sort(ms)
		h.allow[path] = strings.Join(ms, ", ")
		h.paths.HandleFunc(path, http.NotFound)
	}
	for _, op := range gen.Operations {
		pattern := op.Method + " " + op.Path
		if op.ID == opTokenRequest {
			h.mux.HandleFunc(pattern, h.serveToken)
			continue
		}
		fn, ok := table[op.ID]
		if !ok {
			return nil, fmt.Errorf("cloudconnexatest: no handler for operation %s", op.ID)
		}
		delete(table, op.ID)
		h.mux.Handle(pattern, h.wrap(sp.ops[op.ID], fn))
	}
	if len(table) > 0 {
		return nil, fmt.Errorf("cloudconnexatest: handlers for unknown operations: %v", slices.Sorted(maps.Keys(table)))
	}
	return h, nil
}

// ServeHTTP serves one request: routing against the document, request
// recording, injected faults, authentication, rate limiting, request
// validation, the operation itself, then response validation. HEAD is
// served as GET without the body; every request is recorded (see
// [Handler.Requests]) and, with a logger, logged, matched or not.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	var reqBody *captureBody
	if h.cfg.logBodies {
		reqBody = &captureBody{ReadCloser: r.Body}
		r.Body = reqBody
	}
	sw := &statusWriter{ResponseWriter: w}
	x := exchange{start: start, reqBody: reqBody}
	defer func() {
		h.finish(x.seq, sw.status)
		h.logRequest(r, &x, sw.status)
	}()
	h.serve(sw, r, &x)
}

// exchange is what ServeHTTP learns of a request for its record and log.
type exchange struct {
	start   time.Time
	seq     uint64
	op      string
	note    string
	reqBody *captureBody
	rec     *recorder
}

// serve is ServeHTTP without the bookkeeping.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, x *exchange) {
	routed := r // HEAD is routed, validated and served as GET
	if r.Method == http.MethodHead {
		routed = r.Clone(r.Context())
		routed.Method = http.MethodGet
	}
	route, pathParams, err := h.spec.router.FindRoute(routed)
	if _, pattern := h.mux.Handler(routed); err != nil || pattern == "" {
		// The document's router is lenient about empty segments
		// (/networks/ matched listNetworks); the service is not.
		x.seq = h.record(r, "")
		writeAPIError(w, h.noOperation(r, err == nil, pattern != ""))
		return
	}
	op := h.spec.ops[route.Operation.OperationID]
	x.op = op.id
	x.seq = h.record(r, op.id)
	if r.ContentLength > maxBodyBytes {
		writeAPIError(w, errTooLarge())
		return
	}

	fault := h.takeFault(gen.OperationID(op.id))
	if fault != nil && h.applyFault(w, routed, op, fault) {
		x.note = "fault"
		return
	}

	in := &openapi3filter.RequestValidationInput{
		Request: routed, PathParams: pathParams, Route: route, Options: h.spec.reqOpts,
	}
	rec := newRecorder()
	x.rec = rec
	h.serveOp(rec, routed, in, op)

	if h.tb != nil && fault == nil {
		// In a test a violation fails the test rather than the answer: send
		// the answer first, and check it while the connection goes on to
		// the next request. The server's Close, a cleanup of the test,
		// waits for the checks, so no report comes after the test.
		rec.flush(w)
		in.Request = in.Request.WithContext(context.WithoutCancel(in.Request.Context()))
		check := func() {
			if err := h.validateResponse(in, rec); err != nil {
				h.reportViolation(r, op, err)
			}
		}
		select {
		case h.checkSlots <- struct{}{}:
			h.checks.Add(1)
			go func() {
				defer func() { <-h.checkSlots; h.checks.Done() }()
				check()
			}()
		default: // enough checks under way: this one runs here
			check()
		}
		return
	}
	if err := h.validateResponse(in, rec); err != nil {
		msg := h.reportViolation(r, op, err)
		if h.tb == nil {
			rec.reset()
			writeAPIError(rec, &apiError{status: http.StatusInternalServerError, msg: msg, field: "response", code: codeInternal})
		}
	}
	if fault != nil && fault.TruncateBody {
		truncate(w, rec)
		return
	}
	if fault != nil && fault.MalformedBody {
		malformed(w, cmp.Or(fault.Status, op.status))
		return
	}
	rec.flush(w)
}

// noOperation is the answer to a request no operation takes: 405 with
// Allow when the path is an operation's with another method (the same
// answer whatever the method), badPath's when the document's router took
// the path with an empty segment, else 404. muxMatched tells that the mux
// found the request's method on the path while the document's router did
// not (an escaped slash in an id).
func (h *Handler) noOperation(r *http.Request, routed, muxMatched bool) *apiError {
	p := r.URL.EscapedPath()
	notFound := &apiError{status: http.StatusNotFound, msg: fmt.Sprintf("No operation %s %s", r.Method, p)}
	if strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		if routed {
			return badPath(r)
		}
		return notFound
	}
	if muxMatched {
		return notFound
	}
	if _, pattern := h.paths.Handler(r); pattern != "" {
		allow := h.allow[pattern]
		return &apiError{
			status: http.StatusMethodNotAllowed, allow: allow,
			msg: fmt.Sprintf("Method %s is not supported by %s; supported: %s", r.Method, p, allow),
		}
	}
	return notFound
}

// statusWriter remembers the status of an answer, for the request record
// and the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets a fault drop the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// errTooLarge is the answer to a request body beyond maxBodyBytes.
func errTooLarge() *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("Request body larger than %d bytes", maxBodyBytes), field: "body", code: codeInvalid}
}

// readError is the answer to a request body that could not be read: 413
// beyond maxBodyBytes, else 400.
func readError(err error) *apiError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge()
	}
	return errBadRequest("body", "Http message not readable: %v", err)
}

// badPath is the answer to a path that names an operation only with an
// empty segment: 400 when an id is left empty (/networks/, /users//x),
// as the service refuses an empty path variable, 404 otherwise.
func badPath(r *http.Request) *apiError {
	p := r.URL.EscapedPath()
	if strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return errBadRequest("id", "Required path variable is empty in %s %s", r.Method, p)
	}
	return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf("No operation %s %s", r.Method, p)}
}

// validateResponse checks an answer against the document. Answers already
// found valid are remembered (by operation, status, content type and a
// hash of the body), so a test that reads the same object a thousand times
// pays for one check.
func (h *Handler) validateResponse(in *openapi3filter.RequestValidationInput, rec *recorder) error {
	if undeclaredAnswer(rec.status, rec.body.Len()) {
		return nil
	}
	var mh maphash.Hash
	mh.SetSeed(h.seed)
	mh.WriteString(in.Route.Operation.OperationID)
	mh.WriteString(rec.header.Get("Content-Type"))
	mh.WriteString(strconv.Itoa(rec.status))
	if plain := h.spec.ops[in.Route.Operation.OperationID].plain; plain != nil && rec.status == h.spec.ops[in.Route.Operation.OperationID].status {
		writeSkeleton(&mh, rec.body.Bytes(), plain)
	} else {
		mh.Write(rec.body.Bytes())
	}
	key := mh.Sum64()
	h.ctl.Lock()
	_, known := h.valid[key]
	h.ctl.Unlock()
	if known {
		return nil
	}
	done, err := checkJSONAnswer(in, rec)
	if !done {
		err = openapi3filter.ValidateResponse(in.Request.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: rec.status, Header: rec.header,
			Body: rec.bodyReader(), Options: h.spec.respOpts,
		})
	}
	if err == nil {
		h.ctl.Lock()
		if len(h.valid) >= maxValidMemo {
			clear(h.valid)
		}
		h.valid[key] = struct{}{}
		h.ctl.Unlock()
	}
	return err
}

// checkJSONAnswer is openapi3filter.ValidateResponse for the common answer
// (a JSON body under a response that declares no headers), with one plain
// json.Unmarshal of the body instead of kin-openapi's decoder: the same
// schema check at a third less cost. done is false for the other answers,
// which kin-openapi checks.
func checkJSONAnswer(in *openapi3filter.RequestValidationInput, rec *recorder) (done bool, err error) {
	ref := in.Route.Operation.Responses.Status(rec.status)
	if ref == nil || ref.Value == nil || len(ref.Value.Headers) > 0 || in.Request.Method == http.MethodHead {
		return false, nil
	}
	ct := rec.header.Get("Content-Type")
	media := ref.Value.Content.Get(ct)
	if ct != "application/json" || media == nil || media.Schema == nil || media.Schema.Value == nil {
		return false, nil
	}
	var v any
	if err := json.Unmarshal(rec.body.Bytes(), &v); err != nil {
		return true, fmt.Errorf("response body is not JSON: %w", err)
	}
	if err := media.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
		return true, fmt.Errorf("response body doesn't match schema: %w", err)
	}
	return true, nil
}

// undeclaredAnswer reports the answers the service gives that the document
// cannot declare and the fake gives the same way: a 429 without a body,
// a 413 (the document declares no 413).
func undeclaredAnswer(status, bodyLen int) bool {
	return status == http.StatusRequestEntityTooLarge || (status == http.StatusTooManyRequests && bodyLen == 0)
}

// maxValidMemo bounds the answers validateResponse remembers.
const maxValidMemo = 1 << 14

// reportViolation logs a response that breaks the document and fails the
// test, if there is one; it returns the message.
func (h *Handler) reportViolation(r *http.Request, op *opInfo, err error) string {
	msg := fmt.Sprintf("cloudconnexatest: response of %s (%s %s) violates the OpenAPI document: %v", op.id, r.Method, r.URL.Path, err)
	h.cfg.logger.Error("response violates the OpenAPI document", "operation", op.id, "error", err)
	if h.tb != nil {
		h.tb.Errorf("%s", msg)
	}
	return msg
}

func (h *Handler) logRequest(r *http.Request, x *exchange, status int) {
	if !h.cfg.logger.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []any{"operation", x.op, "method", r.Method, "path", r.URL.Path,
		"status", status, "duration", time.Since(x.start), "note", x.note}
	if x.reqBody != nil {
		attrs = append(attrs, "request_body", redactBody(x.op, x.reqBody.buf.Bytes()))
		if x.rec != nil {
			attrs = append(attrs, "response_body", redactBody(x.op, x.rec.body.Bytes()))
		}
	}
	h.cfg.logger.Debug("request", attrs...)
}

// serveOp runs the steps after routing into rec.
func (h *Handler) serveOp(rec *recorder, r *http.Request, in *openapi3filter.RequestValidationInput, op *opInfo) {
	if op.id == opTokenRequest {
		// The service takes every form of token request its clients send
		// (see serveToken); only strict mode holds them to the document.
		if h.cfg.strict {
			if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
				writeOAuthError(rec, http.StatusBadRequest, "invalid_request", validationMessage(err))
				return
			}
		}
		h.mux.ServeHTTP(rec, r)
		return
	}
	clientID, aerr := h.authenticate(r)
	if aerr != nil {
		writeAPIError(rec, aerr)
		return
	}
	if !h.limit(clientID, rec.header) {
		// The service's 429 has been seen with an empty body (see
		// docs/testing.md, "Known differences").
		rec.WriteHeader(http.StatusTooManyRequests)
		return
	}
	ri := &reqInfo{clientID: clientID}
	r = r.WithContext(context.WithValue(r.Context(), reqKey{}, ri))
	in.Request = r
	checked, aerr := h.checkJSONBody(r, in)
	if aerr != nil {
		writeAPIError(rec, aerr)
		return
	}
	if checked {
		in.Options = h.spec.reqOptsNoBody
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		writeAPIError(rec, validationError(err))
		return
	}
	h.mux.ServeHTTP(rec, in.Request)
}

// validationError turns a kin-openapi request error into the API's 400,
// naming the parameter or body at fault in errorDetails.
func validationError(err error) *apiError {
	field := "request"
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		switch {
		case re.Parameter != nil:
			field = re.Parameter.Name
		case re.RequestBody != nil:
			field = "body"
			var se *openapi3.SchemaError
			if errors.As(err, &se) && len(se.JSONPointer()) > 0 {
				field = strings.Join(se.JSONPointer(), ".")
			}
		}
	}
	return errBadRequest(field, "%s", validationMessage(err))
}

func validationMessage(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func requestOptions() *openapi3filter.Options {
	o := &openapi3filter.Options{
		// Authentication is the fake's own business (or, in
		// ValidatingTransport, the server's): the document's schemes only
		// say where credentials go.
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults:     true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
	o.WithCustomSchemaErrorFunc(schemaMessage)
	return o
}

// schemaMessage says where a request breaks a schema, why, and with what
// value (when it is a short scalar), without kin-openapi's schema dump.
func schemaMessage(err *openapi3.SchemaError) string {
	if err.Reason == "" {
		return ""
	}
	msg := err.Reason
	if p := err.JSONPointer(); len(p) > 0 {
		msg = fmt.Sprintf("Error at %q: %s", "/"+strings.Join(p, "/"), msg)
	}
	switch v := err.Value.(type) {
	case string:
		if len(v) <= 64 {
			msg += fmt.Sprintf(" (got %q)", v)
		}
	case float64, bool, json.Number:
		msg += fmt.Sprintf(" (got %v)", v)
	}
	return msg
}

func responseOptions() *openapi3filter.Options {
	return &openapi3filter.Options{IncludeResponseStatus: true}
}

// wrap turns an opFunc into the mux handler of its operation: it locks the
// state, records an audit log entry for successful changes and writes the
// result with the status and media type the document declares.
func (h *Handler) wrap(op *opInfo, fn opFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The result is encoded under the lock: it may share slices with
		// the state that the next request changes.
		h.mu.Lock()
		v, err := fn(r)
		var body []byte
		if err == nil {
			if r.Method != http.MethodGet {
				h.st.audit(op, r, v, h.cfg.now())
			}
			switch op.contentType {
			case "":
			case "text/plain":
				s, _ := v.(string)
				body = []byte(s)
			default:
				body, err = json.Marshal(v)
			}
		}
		h.mu.Unlock()
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				ae = &apiError{status: http.StatusInternalServerError, msg: err.Error(), field: "server", code: codeInternal}
			}
			writeAPIError(w, ae)
			return
		}
		if op.contentType != "" {
			ct := op.contentType
			if ct == "text/plain" {
				ct = "text/plain;charset=UTF-8"
			}
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(op.status)
		_, _ = w.Write(body)
	})
}

// recorder captures a response so it can be validated before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

func (rec *recorder) reset() {
	rec.header = http.Header{}
	rec.status = 0
	rec.body.Reset()
}

func (rec *recorder) bodyReader() *readCloser {
	return &readCloser{bytes.NewReader(rec.body.Bytes())}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func (rec *recorder) flush(w http.ResponseWriter) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if rec.status != http.StatusNoContent {
		w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// decodeJSON decodes a JSON request body: from the value checkJSONBody
// parsed, checked and normalised, without parsing it again, or from the
// body when it did not parse it.
func (h *Handler) decodeJSON(r *http.Request, v any) error {
	if ri := requestInfo(r); ri.parsed {
		if err := assign(reflect.ValueOf(v).Elem(), ri.body); err != nil {
			return errBadRequest("body", "Http message not readable: %v", err)
		}
		return nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return readError(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errBadRequest("body", "Http message not readable: malformed request body: %v", err)
	}
	return nil
}

// decodeBody is decodeJSON for a value of type T.
func decodeBody[T any](h *Handler, r *http.Request) (T, error) {
	var v T
	err := h.decodeJSON(r, &v)
	return v, err
}
