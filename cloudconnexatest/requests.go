package cloudconnexatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// This file checks JSON request bodies the way the service does (the
// default) or against the letter of the document (WithStrictRequests).
//
// The service is a Spring application deserialising with Jackson's
// defaults: a property its model does not have is ignored, and null for an
// optional property is the same as leaving it out. Clients that send their
// response structs back as requests rely on both. Types, enums, formats
// and required properties are still enforced, with the service's error
// shape. Strict mode refuses the null and the unknown property too, naming
// each one.

// bodyIssue is a part of a JSON body the service tolerates and strict mode
// refuses: a property the schema does not declare, or null for a property
// that is not nullable.
type bodyIssue struct {
	path []string // JSON pointer segments
	what string
}

const (
	issueUnknown = "unknown property (the document does not declare it; the service ignores it)"
	issueNull    = "null for a property that is not nullable (the service treats it as absent)"
)

// checkJSONBody reads and checks the body of an operation whose request is
// application/json. It reports whether it did (the caller then lets
// kin-openapi check everything but the body); otherwise it leaves the body
// for kin-openapi: no declared JSON body, another content type (which
// kin-openapi refuses precisely), or an empty body (required or not).
// The body it leaves on r is the normalised one the handler decodes.
func (h *Handler) checkJSONBody(r *http.Request, in *openapi3filter.RequestValidationInput) (bool, *apiError) {
	op := in.Route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return false, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	media := op.RequestBody.Value.Content.Get("application/json")
	if mt != "application/json" || media == nil || media.Schema == nil || media.Schema.Value == nil {
		return false, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return true, readError(err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		setBody(r, data)
		return false, nil
	}
	v, aerr := decodeOne(data)
	if aerr != nil {
		return true, aerr
	}
	schema := media.Schema.Value

	if h.cfg.strict {
		// The letter of the document first, on the body as sent; then what
		// kin-openapi lets through: undeclared properties.
		problems := schemaProblems(schema.VisitJSON(v, h.spec.visitOpts...))
		problems = append(problems, blankRequired(v, schema, nil)...)
		for _, is := range normalize(v, schema, nil) {
			if is.what == issueUnknown {
				problems = append(problems, fieldProblem{path: is.path, msg: fmt.Sprintf("Error at %q: %s", pointer(is.path), is.what)})
			}
		}
		if len(problems) > 0 {
			return true, problemsError(problems)
		}
		setBody(r, data) // nothing to drop: problems would have named it
		requestInfo(r).body, requestInfo(r).parsed = v, true
		return true, nil
	}
	issues := normalize(v, schema, nil)
	if len(issues) > 0 && h.cfg.logger.Enabled(r.Context(), slog.LevelDebug) {
		paths := make([]string, len(issues))
		for i, is := range issues {
			paths[i] = pointer(is.path)
		}
		h.cfg.logger.Debug("request body: ignored what the service ignores", "operation", op.OperationID, "paths", paths)
	}
	problems := schemaProblems(schema.VisitJSON(v, h.spec.visitOpts...))
	if problems = append(problems, blankRequired(v, schema, nil)...); len(problems) > 0 {
		return true, problemsError(problems)
	}
	// The operation takes its request from v (see assign); the body stays
	// for the log.
	setBody(r, data)
	ri := requestInfo(r)
	ri.body, ri.parsed = v, true
	return true, nil
}

func setBody(r *http.Request, data []byte) {
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
}

// decodeOne parses exactly one JSON value: trailing data after it (a
// second value, garbage) is refused, as Jackson refuses it.
func decodeOne(data []byte) (any, *apiError) {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return v, nil
	}
	// Tell trailing data from a malformed value, as Jackson does.
	dec := json.NewDecoder(bytes.NewReader(data))
	if dec.Decode(&v) == nil {
		return nil, errBadRequest("body", "Http message not readable: trailing data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil, errBadRequest("body", "Http message not readable: malformed JSON: %v", err)
}

// normalize removes from v, in place, what the service ignores: properties
// the schema does not declare (unless it allows additional properties) and
// nulls for properties that are not nullable. It returns what it removed.
func normalize(v any, s *openapi3.Schema, path []string) []bodyIssue {
	issues := normalizeAt(v, s, path)
	slices.SortFunc(issues, func(a, b bodyIssue) int { return slices.Compare(a.path, b.path) })
	return issues
}

// normalizeAt is normalize without the ordering of what it found. It
// builds a path only for what it descends into or reports: most values of
// a body are leaves without issue.
func normalizeAt(v any, s *openapi3.Schema, path []string) []bodyIssue {
	if s == nil {
		return nil
	}
	var issues []bodyIssue
	switch x := v.(type) {
	case map[string]any:
		props, open, extra := objectShape(s)
		for k, val := range x {
			prop, declared := props[k]
			switch {
			case !declared && open:
				if isContainer(val) {
					issues = append(issues, normalizeAt(val, extra, append(slices.Clip(path), k))...)
				}
			case !declared:
				delete(x, k)
				issues = append(issues, bodyIssue{append(slices.Clip(path), k), issueUnknown})
			case val == nil && !prop.Nullable:
				delete(x, k)
				issues = append(issues, bodyIssue{append(slices.Clip(path), k), issueNull})
			case isContainer(val):
				issues = append(issues, normalizeAt(val, prop, append(slices.Clip(path), k))...)
			}
		}
	case []any:
		if s.Items == nil {
			return nil
		}
		for i, el := range x {
			if isContainer(el) {
				issues = append(issues, normalizeAt(el, s.Items.Value, append(slices.Clip(path), strconv.Itoa(i)))...)
			}
		}
	}
	return issues
}

// isContainer reports whether a generic JSON value is an object or array.
func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// objectShape returns the properties an object schema declares (through
// allOf, oneOf and anyOf too), whether it takes undeclared ones, and the
// schema of those. A schema that declares no properties at all is a
// free-form object.
func objectShape(s *openapi3.Schema) (props map[string]*openapi3.Schema, open bool, extra *openapi3.Schema) {
	if sh, ok := shapes.Load(s); ok {
		sh := sh.(*shape)
		return sh.props, sh.open, sh.extra
	}
	props, open, extra = walkShape(s)
	shapes.Store(s, &shape{props: props, open: open, extra: extra, required: walkRequired(s)})
	return props, open, extra
}

// shape is what objectShape and requiredOf learn of a schema, remembered
// per schema: the document's schemas never change once loaded.
type shape struct {
	props    map[string]*openapi3.Schema
	open     bool
	extra    *openapi3.Schema
	required map[string]bool
}

var shapes sync.Map // *openapi3.Schema → *shape

func walkShape(s *openapi3.Schema) (props map[string]*openapi3.Schema, open bool, extra *openapi3.Schema) {
	props = map[string]*openapi3.Schema{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for name, ref := range s.Properties {
			if ref != nil && ref.Value != nil {
				props[name] = ref.Value
			}
		}
		if ap := s.AdditionalProperties; (ap.Has != nil && *ap.Has) || ap.Schema != nil {
			open = true
			if ap.Schema != nil {
				extra = ap.Schema.Value
			}
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, ref := range group {
				if ref != nil && ref.Value != nil {
					walk(ref.Value)
				}
			}
		}
	}
	walk(s)
	if len(props) == 0 {
		open = true
	}
	return props, open, extra
}

// blankRequired returns a problem for each string property of v that its
// schema requires and that is empty or only white space, at any depth:
// the service refuses a blank name, username, e-mail, domain or route
// value as it refuses a missing one (Bean Validation's @NotBlank). What is
// required comes from the document, so the rule covers every request
// schema, nested ones included.
func blankRequired(v any, s *openapi3.Schema, path []string) []fieldProblem {
	out := blankAt(v, s, path)
	slices.SortFunc(out, func(a, b fieldProblem) int { return slices.Compare(a.path, b.path) })
	return out
}

func blankAt(v any, s *openapi3.Schema, path []string) []fieldProblem {
	if s == nil {
		return nil
	}
	var out []fieldProblem
	switch x := v.(type) {
	case map[string]any:
		props, _, _ := objectShape(s)
		required := requiredOf(s)
		for k, val := range x {
			switch val := val.(type) {
			case string:
				if required[k] && strings.TrimSpace(val) == "" {
					p := append(slices.Clip(path), k)
					out = append(out, fieldProblem{path: p, msg: fmt.Sprintf("Error at %q: must not be blank", pointer(p))})
				}
			case map[string]any, []any:
				out = append(out, blankAt(val, props[k], append(slices.Clip(path), k))...)
			}
		}
	case []any:
		if s.Items == nil {
			return nil
		}
		for i, el := range x {
			if isContainer(el) {
				out = append(out, blankAt(el, s.Items.Value, append(slices.Clip(path), strconv.Itoa(i)))...)
			}
		}
	}
	return out
}

// requiredOf returns the properties an object schema requires, through
// allOf too.
func requiredOf(s *openapi3.Schema) map[string]bool {
	objectShape(s)
	sh, _ := shapes.Load(s)
	return sh.(*shape).required
}

func walkRequired(s *openapi3.Schema) map[string]bool {
	req := map[string]bool{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for _, name := range s.Required {
			req[name] = true
		}
		for _, ref := range s.AllOf {
			if ref != nil && ref.Value != nil {
				walk(ref.Value)
			}
		}
	}
	walk(s)
	return req
}

// fieldProblem is one violation of a request, located by JSON pointer.
type fieldProblem struct {
	path []string
	msg  string
}

// schemaProblems flattens a VisitJSON error into its violations.
func schemaProblems(err error) []fieldProblem {
	if err == nil {
		return nil
	}
	var out []fieldProblem
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			msg := schemaMessage(se)
			if msg == "" {
				msg = se.Error()
			}
			out = append(out, fieldProblem{path: se.JSONPointer(), msg: msg})
			return
		}
		out = append(out, fieldProblem{msg: err.Error()})
	}
	walk(err)
	return out
}

// problemsError is the service's 400 for the violations of a body: each
// under its field's errorDetails key, all of them in errorMessage.
func problemsError(problems []fieldProblem) *apiError {
	e := &apiError{status: http.StatusBadRequest}
	msgs := make([]string, 0, len(problems))
	for _, p := range problems {
		field := "body"
		if len(p.path) > 0 {
			field = strings.Join(p.path, ".")
		}
		e.details = append(e.details, errorDetail{field: field, code: codeInvalid, msg: p.msg})
		msgs = append(msgs, p.msg)
	}
	if len(msgs) == 1 {
		e.msg = "request body has an error: " + msgs[0]
	} else {
		e.msg = fmt.Sprintf("request body has %d errors: %s", len(msgs), strings.Join(msgs, "; "))
	}
	return e
}

func pointer(path []string) string { return "/" + strings.Join(path, "/") }
