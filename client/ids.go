package client

import (
	"errors"
	"net/url"
	"strings"
)

// ErrInvalidID is wrapped by the error (a [*RequestError]) of a call with a
// path parameter that is empty, only whitespace, or is or contains a dot
// segment: "." or "..", also spelled with %2e (in the path sent or in the
// id itself), and also as a part of an id
// with slashes such as "../../users" or "a/../b" (which the generated code
// sends as one segment with %2F, and which servers and proxies may decode).
// Such a call is refused before anything is sent, and not retried. An
// error for a dot segment also matches [ErrDotSegment].
var ErrInvalidID = errors.New("cloudconnexa: invalid id")

// invalidIDError is the cause of a refused call; see ErrInvalidID.
type invalidIDError struct {
	reason string
	dot    bool
}

func (e *invalidIDError) Error() string { return "invalid id: " + e.reason }

// Is matches ErrInvalidID, and ErrDotSegment for a dot segment.
func (e *invalidIDError) Is(target error) bool {
	return target == ErrInvalidID || e.dot && target == ErrDotSegment
}

var (
	errEmptyID = &invalidIDError{reason: "empty"}
	errBlankID = &invalidIDError{reason: "blank"}
	errDotID   = &invalidIDError{reason: `"." or ".." as a path segment`, dot: true}
)

// checkID reports whether id can be sent as a path parameter: nil, or an
// error matching ErrInvalidID (and ErrDotSegment for a dot segment). An id
// that contains an escape is checked unescaped too, for servers and proxies
// that decode twice. The
// pipeline applies the same rule to every path segment it sends; layers
// above the generated methods may call it to refuse an id earlier.
func checkID(id string) error {
	switch {
	case id == "":
		return errEmptyID
	case strings.TrimSpace(id) == "":
		return errBlankID
	}
	for part := range strings.FieldsFuncSeq(id, isPathSeparator) {
		if part == "." || part == ".." {
			return errDotID
		}
	}
	if strings.IndexByte(id, '%') >= 0 {
		if u, err := url.PathUnescape(id); err == nil && u != id {
			return checkID(u)
		}
	}
	return nil
}

func isPathSeparator(r rune) bool { return r == '/' || r == '\\' }

// checkPath applies checkID to every segment of an escaped request path
// below the base path. It returns the index of the first refused segment
// (counting the segments of rest), the unescaped segment and the error.
func checkPath(rest string) (int, string, error) {
	rest = strings.TrimPrefix(rest, "/")
	i := 0
	for seg := range strings.SplitSeq(rest, "/") {
		id := seg
		if strings.IndexByte(seg, '%') >= 0 {
			if u, err := url.PathUnescape(seg); err == nil {
				id = u
			}
		}
		if err := checkID(id); err != nil {
			return i, id, err
		}
		i++
	}
	return -1, "", nil
}
