package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// Exit codes (docs/cli.md).
const (
	exitOK          = 0
	exitAPI         = 1 // the API refused the call, or answered unusably; other failures
	exitUsage       = 2 // a mistake on the command line
	exitNotFound    = 3 // client.ErrNotFound
	exitRateLimited = 4 // client.ErrRateLimited
	exitNetwork     = 5 // no answer: network, timeout, oversized response
	exitCredentials = 6 // credentials missing, malformed or refused (401, 403)
	exitInterrupted = 130
)

// credentialsError is a failure to build the client from the environment.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// interruptedError is a run stopped by Ctrl-C (or SIGTERM), with what it did.
type interruptedError struct {
	err     error
	summary string
}

func (e *interruptedError) Error() string { return "interrupted: " + e.summary }
func (e *interruptedError) Unwrap() error { return e.err }

// classify maps an error to its exit code and kind (the "kind" of the JSON
// error document).
func classify(err error) (int, string) {
	var (
		ue  *usageError
		ie  *interruptedError
		ce  *credentialsError
		ae  *client.APIError
		re  *client.ResponseError
		rqe *client.RequestError
		aue *auth.AuthenticationError
	)
	switch {
	case errors.As(err, &ie):
		return exitInterrupted, "interrupted"
	case errors.As(err, &ue):
		return exitUsage, "usage"
	case errors.As(err, &ce):
		return exitCredentials, "credentials"
	case errors.Is(err, client.ErrNotFound):
		return exitNotFound, "not_found"
	case errors.Is(err, client.ErrRateLimited):
		return exitRateLimited, "rate_limited"
	case errors.Is(err, client.ErrUnauthorized), errors.Is(err, client.ErrForbidden), errors.As(err, &aue):
		return exitCredentials, "credentials"
	case errors.As(err, &ae):
		return exitAPI, "api"
	case errors.As(err, &re):
		return exitAPI, "unexpected_response"
	case errors.As(err, &rqe):
		return exitNetwork, "network"
	}
	return exitAPI, "error"
}

// errorDoc is the JSON form of an error on stderr (--output json).
type errorDoc struct {
	Error struct {
		Kind       string `json:"kind"`
		ExitCode   int    `json:"exit_code"`
		Message    string `json:"message"`
		Status     int    `json:"status,omitempty"`
		Operation  string `json:"operation,omitempty"`
		ResourceID string `json:"resource_id,omitempty"`
	} `json:"error"`
}

// fail writes err on stderr, in one line (a JSON document with --output
// json), and returns its exit code.
func (a *app) fail(err error) int {
	code, kind := classify(err)
	msg := oneLine(err.Error())
	if a.output == "json" { // asked for: a JSON stdout by default gets text errors

		var d errorDoc
		d.Error.Kind, d.Error.ExitCode, d.Error.Message = kind, code, msg
		var ae *client.APIError
		if errors.As(err, &ae) {
			d.Error.Status, d.Error.Operation, d.Error.ResourceID = ae.StatusCode, ae.Operation, ae.ResourceID
		}
		b, _ := json.Marshal(d)
		_, _ = a.stderr.Write(append(b, '\n'))
		return code
	}
	prefix := "cloudconnexa: "
	if strings.HasPrefix(msg, prefix) {
		prefix = ""
	}
	line := prefix + msg
	if code == exitUsage {
		line += " (see --help)"
	}
	_, _ = fmt.Fprintln(a.stderr, line)
	return code
}

// oneLine collapses the whitespace of s, newlines included.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
