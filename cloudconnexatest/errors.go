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
}

func (e *apiError) Error() string { return e.msg }

// body renders the ErrorResponse of the API.
func (e *apiError) body() gen.ErrorResponse {
	out := gen.ErrorResponse{
		ErrorMessage: ptr(e.msg),
		StatusError:  ptr(http.StatusText(e.status)),
	}
	if e.field != "" {
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

// Error codes of errorDetails. 9-11-6 is the real API's "Entity does not
// exist"; the others are the fake's own.
const (
	codeNotFound     = "9-11-6"
	codeInvalid      = "INVALID_VALUE"
	codeUnauthorized = "UNAUTHORIZED"
	codeRateLimited  = "TOO_MANY_REQUESTS"
	codeInternal     = "INTERNAL_ERROR"
)

func errBadRequest(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...), field: field, code: codeInvalid}
}

// errNotFound answers 404 for an unknown id, or 400 "Entity does not exist"
// for the kinds where the real API does so (as400).
func errNotFound(kind, id string, as400 bool) *apiError {
	if as400 {
		return &apiError{status: http.StatusBadRequest, msg: "Entity does not exist", field: kind, code: codeNotFound}
	}
	return &apiError{
		status: http.StatusNotFound, msg: fmt.Sprintf("%s with id %s not found", kind, id),
		field: kind, code: codeNotFound, detail: "Entity does not exist",
	}
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
	writeJSON(w, e.status, e.body())
}

// oauthError is the RFC 6749 error body of the token endpoint.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2/client"`)
	}
	writeJSON(w, status, gen.OAuthError{Error: ptr(code), ErrorDescription: ptr(desc)})
}
