package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// AnyOperation, given to [Server.InjectFault] as the operation id, makes a
// fault apply to every operation, the token endpoint included; given to
// [Server.RequestCount] it counts the requests of every operation.
const AnyOperation gen.OperationID = "*"

// Fault describes a misbehaviour injected into the answers of one operation
// (see [Server.InjectFault]). The zero Fault changes nothing. Fault
// responses are not checked against the OpenAPI document.
type Fault struct {
	// Status, when not 0, answers with this status instead of serving the
	// request, with Body (default: an ErrorResponse naming the status),
	// ContentType (default application/json) and, when set, a Retry-After
	// header with the value RetryAfter.
	Status      int
	Body        string
	ContentType string
	RetryAfter  string
	// Delay holds the request this long before anything else happens (the
	// request's context cancels the wait).
	Delay time.Duration
	// DropConnection closes the connection without answering.
	DropConnection bool
	// TruncateBody serves the request but announces a Content-Length
	// larger than the body, then closes the connection after the body.
	TruncateBody bool
	// MalformedBody answers with the operation's success status (or Status)
	// and a JSON body cut short.
	MalformedBody bool
	// ExpireToken invalidates the request's access token and answers 401 as
	// the service does for an expired token.
	ExpireToken bool
	// Times is the number of matching requests the fault applies to; 0
	// means every request until [Server.ClearFaults].
	Times int
}

// InjectFault queues f for the requests of the operation op: one of the
// gen.Op constants such as [gen.OpGetNetwork] ([gen.OpRequestToken] for the
// token endpoint), or [AnyOperation]. Faults queued for one operation apply
// in order: a fault with Times n serves the next n requests, then the next
// fault takes over. Faults of the operation come before those of
// AnyOperation.
//
// An id the document does not have ("GetNetwork" for "getNetwork") would
// make the fault never apply, so it fails the test the server was started
// for (tb.Fatal), or panics when there is none.
func (h *Handler) InjectFault(op gen.OperationID, f Fault) {
	if h.tb != nil {
		h.tb.Helper()
	}
	h.mustKnow("InjectFault", op)
	h.ctl.Lock()
	defer h.ctl.Unlock()
	h.faults[op] = append(h.faults[op], &f)
}

// ClearFaults removes every injected fault.
func (h *Handler) ClearFaults() {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	clear(h.faults)
}

// RequestCount returns how many requests of the operation op arrived,
// however they were answered (faults, 401 and 429 included); for
// [AnyOperation], how many requests arrived for any operation. An unknown
// id fails the test like it does in [Handler.InjectFault].
func (h *Handler) RequestCount(op gen.OperationID) int {
	if h.tb != nil {
		h.tb.Helper()
	}
	h.mustKnow("RequestCount", op)
	h.ctl.Lock()
	defer h.ctl.Unlock()
	if op == AnyOperation {
		n := 0
		for _, c := range h.counts {
			n += c
		}
		return n
	}
	return h.counts[op]
}

// TokenRequestCount returns how many requests the token endpoint received.
func (h *Handler) TokenRequestCount() int { return h.RequestCount(gen.OpRequestToken) }

// mustKnow fails the test (or panics) when op is neither an operation of
// the document nor AnyOperation.
func (h *Handler) mustKnow(method string, op gen.OperationID) {
	if op == AnyOperation {
		return
	}
	if _, ok := gen.LookupOperation(op); ok {
		return
	}
	msg := fmt.Sprintf("cloudconnexatest: %s: the document has no operation %q%s (use the gen.Op constants)", method, op, suggestOperation(op))
	if h.tb != nil {
		h.tb.Helper()
		h.tb.Fatal(msg)
	}
	panic(msg)
}

// suggestOperation names the operation op probably meant, if it differs
// only in case.
func suggestOperation(op gen.OperationID) string {
	for _, o := range gen.Operations {
		if strings.EqualFold(o.ID, string(op)) {
			return fmt.Sprintf("; did you mean %q?", o.ID)
		}
	}
	return ""
}

// takeFault returns the fault for the next request of op, consuming one of
// its Times.
func (h *Handler) takeFault(op gen.OperationID) *Fault {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	for _, key := range []gen.OperationID{op, AnyOperation} {
		queue := h.faults[key]
		if len(queue) == 0 {
			continue
		}
		f := *queue[0]
		if queue[0].Times > 0 {
			queue[0].Times--
			if queue[0].Times == 0 {
				h.faults[key] = queue[1:]
			}
		}
		return &f
	}
	return nil
}

// applyFault carries out the parts of f that replace the answer and reports
// whether it answered; TruncateBody and MalformedBody act on the answer
// later, in ServeHTTP.
func (h *Handler) applyFault(w http.ResponseWriter, r *http.Request, op *opInfo, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	switch {
	case f.DropConnection:
		// Hijack so the connection is closed at once without a word; where
		// that is impossible, abort the handler, which closes it too.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case f.ExpireToken && op.id != opTokenRequest:
		h.expireToken(r)
		writeAPIError(w, errUnauthorized("Access token expired"))
		return true
	case f.MalformedBody || f.TruncateBody:
		return false
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body == "" {
			writeAPIError(w, &apiError{status: f.Status, msg: "injected fault: " + http.StatusText(f.Status)})
			return true
		}
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	return false
}

// truncate sends rec with a Content-Length beyond its body, then closes the
// connection, so the client reads an unexpected EOF.
func truncate(w http.ResponseWriter, rec *recorder) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()+64))
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

// malformed answers status with JSON that ends in the middle of a value.
func malformed(w http.ResponseWriter, status int) {
	body, _ := json.Marshal(map[string]string{"id": newID(), "name": "malformed"})
	body = body[:len(body)-7]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
