package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// apiError is an error answer of the API: status, message and the one
// errorDetails entry the real service attaches (field → code, message).
type apiError struct {
	status int
	msg    string
	field  string
	code   string
	detail string
	// allow is the Allow header of a 405.
	allow string
	// details, when set, are the errorDetails entries instead of field,
	// code and detail: one per offending field.
	details []errorDetail
}

type errorDetail struct{ field, code, msg string }

func (e *apiError) Error() string { return e.msg }

// body renders the ErrorResponse of the API.
func (e *apiError) body() gen.ErrorResponse {
	out := gen.ErrorResponse{
		ErrorMessage: ptr(e.msg),
		StatusError:  ptr(http.StatusText(e.status)),
	}
	if len(e.details) > 0 {
		out.ErrorDetails = map[string][]gen.ErrorDetails{}
		for _, d := range e.details {
			out.ErrorDetails[d.field] = append(out.ErrorDetails[d.field], gen.ErrorDetails{ErrorCode: ptr(d.code), Message: ptr(d.msg)})
		}
	} else if e.field != "" {
		detail := e.detail
		if detail == "" {
			detail = e.msg
		}
		out.ErrorDetails = map[string][]gen.ErrorDetails{
			e.field: {{ErrorCode: ptr(e.code), Message: ptr(detail)}},
		}
	}
	return out
}

// Error codes of errorDetails. 9-11-6 is the code the service attaches to
// an entity that does not exist; the others are the fake's own.
const (
	codeNotFound     = "9-11-6"
	codeInvalid      = "INVALID_VALUE"
	codeUnauthorized = "UNAUTHORIZED"
	codeInternal     = "INTERNAL_ERROR"
)

func errBadRequest(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...), field: field, code: codeInvalid}
}

// errNotFound answers an unknown id the way the service now words it,
// "{Entity} with ID {id} not found", under the kind's errorDetails key with
// the service's entity-not-found code: 404, or 400 for the kinds where the
// service answers 400 (as400). entity is the kind's display name, such as
// "DNS record".
func errNotFound(key, entity, id string, as400 bool) *apiError {
	status := http.StatusNotFound
	if as400 {
		status = http.StatusBadRequest
	}
	return &apiError{status: status, msg: fmt.Sprintf("%s with ID %s not found", entity, id), field: key, code: codeNotFound}
}

func errUnauthorized(msg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, msg: msg, field: "token", code: codeUnauthorized}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal((&apiError{status: status, msg: err.Error()}).body())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}
	writeJSON(w, e.status, e.body())
}

// oauthError is the RFC 6749 error body of the token endpoint.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2/client"`)
	}
	writeJSON(w, status, gen.OAuthError{Error: ptr(code), ErrorDescription: ptr(desc)})
}
