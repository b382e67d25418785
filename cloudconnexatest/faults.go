package cloudconnexatest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// AnyOperation, given to [Server.InjectFault] as the operation id, makes a
// fault apply to every operation, the token endpoint included.
const AnyOperation = "*"

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

// InjectFault queues f for the requests of the operation operationID (an
// operationId of the document such as "getNetwork", "requestToken" for the
// token endpoint, or [AnyOperation]). Faults queued for one operation apply
// in order: a fault with Times n serves the next n requests, then the next
// fault takes over. Faults of the operation come before those of
// AnyOperation.
func (h *Handler) InjectFault(operationID string, f Fault) {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	h.faults[operationID] = append(h.faults[operationID], &f)
}

// ClearFaults removes every injected fault.
func (h *Handler) ClearFaults() {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	clear(h.faults)
}

// RequestCount returns how many requests of the operation operationID
// arrived, whatever they were answered (faults, 401 and 429 included).
func (h *Handler) RequestCount(operationID string) int {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	return h.counts[operationID]
}

// TokenRequestCount returns how many requests the token endpoint received.
func (h *Handler) TokenRequestCount() int { return h.RequestCount(opTokenRequest) }

// takeFault returns the fault for the next request of op, consuming one of
// its Times.
func (h *Handler) takeFault(op string) *Fault {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	for _, key := range []string{op, AnyOperation} {
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
