package client

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// opInfo names the operation behind a request, for errors and logs.
type opInfo struct {
	ID         string // operationId, "" when the request matches no operation
	ResourceID string // value of the {id} or {userId} path parameter, if any
}

// opRoute is one operation's path template split into segments; "" marks a
// parameter segment.
type opRoute struct {
	id      string
	segs    []string
	idParam int // index of the {id}/{userId} segment, -1 if none
	score   uint64
}

// opTable maps an HTTP method to the operations using it, grouped by
// their number of path segments; each group is sorted by score, highest
// first, so the first route that matches a path is the best one.
type opTable map[string][][]opRoute

// operations is built once, on first use, and never modified afterwards.
var operations = sync.OnceValue(func() opTable { return newOpTable(gen.Operations) })

func newOpTable(ops []gen.Operation) opTable {
	t := make(opTable)
	for _, op := range ops {
		segs := splitPath(op.Path)
		r := opRoute{id: op.ID, segs: make([]string, len(segs)), idParam: -1}
		for i, s := range segs {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if name := s[1 : len(s)-1]; r.idParam < 0 && (name == "id" || name == "userId") {
					r.idParam = i
				}
				continue
			}
			r.segs[i] = s
			// Literal segments outrank parameters, earlier ones most: with
			// /networks/applications and /networks/{id} both matching, the
			// literal wins.
			if i < 64 {
				r.score |= 1 << (63 - i)
			}
		}
		byLen := t[op.Method]
		for len(byLen) <= len(segs) {
			byLen = append(byLen, nil)
		}
		byLen[len(segs)] = append(byLen[len(segs)], r)
		t[op.Method] = byLen
	}
	for _, byLen := range t {
		for _, routes := range byLen {
			// Stable: of two routes with the same score, the one listed
			// first in the document wins.
			slices.SortStableFunc(routes, func(a, b opRoute) int { return cmp.Compare(b.score, a.score) })
		}
	}
	return t
}

// lookup finds the operation for method and an escaped request path relative
// to the base URL (starting with /api/v1).
func (t opTable) lookup(method, escapedPath string) opInfo {
	// Split into an array on the stack: the lookup runs on every call
	// and allocates nothing for a path of up to 8 segments.
	var buf [8]string
	parts := appendSegments(buf[:0], escapedPath)
	byLen := t[method]
	if len(parts) >= len(byLen) {
		return opInfo{}
	}
	var best *opRoute
	for i, routes := 0, byLen[len(parts)]; i < len(routes); i++ {
		if routes[i].matches(parts) {
			best = &routes[i]
			break
		}
	}
	if best == nil {
		return opInfo{}
	}
	info := opInfo{ID: best.id}
	if best.idParam >= 0 {
		info.ResourceID = parts[best.idParam]
		if v, err := url.PathUnescape(info.ResourceID); err == nil {
			info.ResourceID = v
		}
	}
	return info
}

func (r *opRoute) matches(parts []string) bool {
	// From the end: every path starts with /api/v1, and the last segments
	// tell the operations apart soonest.
	for i := len(r.segs) - 1; i >= 0; i-- {
		if s := r.segs[i]; s == "" {
			if parts[i] == "" {
				return false
			}
		} else if s != parts[i] {
			return false
		}
	}
	return true
}

func splitPath(p string) []string {
	return appendSegments(nil, p)
}

// appendSegments appends the segments of p, leading and trailing slashes
// trimmed, to dst.
func appendSegments(dst []string, p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return dst
	}
	for {
		seg, rest, more := strings.Cut(p, "/")
		dst = append(dst, seg)
		if !more {
			return dst
		}
		p = rest
	}
}
