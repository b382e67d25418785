package client

// SHIM until the hardening work (issue 12) lands its ErrUnexpectedResponse,
// ResponseError, ErrInvalidID and id checks; then this file goes.

import (
	"errors"
	"strconv"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

var (
	// ErrUnexpectedResponse matches a 2xx answer the client cannot use:
	// another media type than documented, an empty body, or one that does
	// not decode into the documented type.
	ErrUnexpectedResponse = errors.New("cloudconnexa: unexpected response")
	// ErrInvalidID matches a call refused before sending because a path id
	// is empty, blank, or a dot segment.
	ErrInvalidID = errors.New("cloudconnexa: invalid id")
)

// ResponseError is a 2xx answer that could not be used; it matches
// ErrUnexpectedResponse.
type ResponseError struct {
	Operation   string
	ResourceID  string
	Method      string
	Path        string
	StatusCode  int
	ContentType string
	Reason      string
	Err         error // the decoder's error, if any
}

func (e *ResponseError) Error() string {
	s := "cloudconnexa: " + subject(e.Operation, e.ResourceID, e.Method, e.Path) + ": unexpected " + strconv.Itoa(e.StatusCode) + " response: " + e.Reason
	if e.Err != nil {
		s += ": " + sanitize(e.Err.Error(), maxMessageLen)
	}
	return s
}

func (e *ResponseError) Unwrap() error { return e.Err }

func (e *ResponseError) Is(target error) bool { return target == ErrUnexpectedResponse }

// checkID refuses an id the server or a proxy would read as another path.
func checkID(op gen.OperationID, id string) error {
	bad := strings.TrimSpace(id) == ""
	dot := false
	for seg := range strings.SplitSeq(id, "/") {
		if seg == "." || seg == ".." {
			dot = true
		}
	}
	if !bad && !dot {
		return nil
	}
	err := ErrInvalidID
	if dot {
		err = errors.Join(ErrInvalidID, ErrDotSegment)
	}
	return &RequestError{Operation: string(op), ResourceID: id, Err: err}
}
