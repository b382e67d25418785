package cloudconnexatest

import (
	"net/http"
	"slices"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Request is what the fake recorded of one request it received.
type Request struct {
	// Operation is the operation the request reached, such as
	// gen.OpCreateNetwork, or "" when it matched none (a path or method
	// the API does not have).
	Operation gen.OperationID
	// Method, Path and Query are those of the request: Path unescaped,
	// Query the raw query string with the values of secrets (such as the
	// token endpoint's client_secret) replaced by [REDACTED]. A HEAD
	// request reaches the operation of the GET on its path.
	Method, Path, Query string
	// Status is the status of the answer: 0 while it is being answered,
	// and for a connection dropped by a fault.
	Status int
	// Time is the fake's clock (see [WithClock]) when the request arrived.
	Time time.Time
}

// IsWrite reports whether the request reached an operation that may
// change the tenant: any method but GET and HEAD, the token endpoint
// excepted. It says nothing of whether the change was made: a refused
// write is a write too.
func (r Request) IsWrite() bool {
	return r.Operation != "" && r.Operation != gen.OpRequestToken &&
		r.Method != http.MethodGet && r.Method != http.MethodHead
}

// MaxRecordedRequests bounds the requests [Handler.Requests] returns: the
// most recent ones are kept. [Handler.Count] counts every request.
const MaxRecordedRequests = 1 << 16

// requestLog is a ring of the most recent requests, guarded by Handler.ctl.
type requestLog struct {
	ring []Request
	next uint64 // sequence number of the next request; ring[seq%len]
}

// record notes the arrival of r for operation op ("" for none) and
// returns its sequence number, for finish.
func (h *Handler) record(r *http.Request, op string) uint64 {
	rq := Request{Operation: gen.OperationID(op), Method: r.Method, Path: r.URL.Path, Query: redactQuery(r.URL.RawQuery), Time: h.cfg.now()}
	h.ctl.Lock()
	defer h.ctl.Unlock()
	if op != "" {
		h.counts[gen.OperationID(op)]++
	}
	l := &h.log
	seq := l.next
	l.next++
	if len(l.ring) < MaxRecordedRequests {
		l.ring = append(l.ring, rq)
	} else {
		l.ring[seq%MaxRecordedRequests] = rq
	}
	return seq + 1 // 0 is "not recorded"
}

// finish notes the status the request of sequence number seq was answered.
func (h *Handler) finish(seq uint64, status int) {
	if seq == 0 {
		return
	}
	seq--
	h.ctl.Lock()
	defer h.ctl.Unlock()
	if seq < h.log.next && h.log.next-seq <= uint64(len(h.log.ring)) { // not reset or overwritten since
		h.log.ring[seq%MaxRecordedRequests].Status = status
	}
}

// Requests returns the requests the fake received, in the order they
// arrived (at most the last [MaxRecordedRequests]), with the operation
// each reached: every request, the token requests and those that matched
// no operation included.
func (h *Handler) Requests() []Request {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	l := &h.log
	if len(l.ring) < MaxRecordedRequests {
		return slices.Clone(l.ring)
	}
	cut := l.next % MaxRecordedRequests
	return append(slices.Clone(l.ring[cut:]), l.ring[:cut]...)
}

// Writes returns the requests of [Handler.Requests] that may have changed
// the tenant ([Request.IsWrite]): token requests and reads left out. A
// test proves that a second run of an idempotent tool changed nothing
// with len(srv.Writes()) == 0 after [Handler.ResetRequests].
func (h *Handler) Writes() []Request {
	return slices.DeleteFunc(h.Requests(), func(r Request) bool { return !r.IsWrite() })
}

// Count returns how many requests reached the operations ops (each an
// operation id such as gen.OpCreateNetwork), however they were answered;
// with no ops, or [AnyOperation], how many reached any operation. It
// counts every request, beyond [MaxRecordedRequests] too. An id the
// document does not have fails the test, as in [Handler.InjectFault].
func (h *Handler) Count(ops ...gen.OperationID) int {
	if h.tb != nil {
		h.tb.Helper()
	}
	for _, op := range ops {
		h.mustKnow("Count", op)
	}
	h.ctl.Lock()
	defer h.ctl.Unlock()
	if len(ops) == 0 || slices.Contains(ops, AnyOperation) {
		n := 0
		for _, c := range h.counts {
			n += c
		}
		return n
	}
	n := 0
	for _, op := range slices.Compact(slices.Sorted(slices.Values(ops))) {
		n += h.counts[op]
	}
	return n
}

// ResetRequests forgets the requests received so far: [Handler.Requests],
// [Handler.Writes], [Handler.Count] and [Handler.RequestCount] start
// again from nothing. The tenant is left as it is.
func (h *Handler) ResetRequests() {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	clear(h.counts)
	h.log = requestLog{}
}
