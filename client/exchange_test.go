package client

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// resetMidBody answers 200 with a Content-Length it does not honour: half
// the body, then the connection is closed.
func resetMidBody(w http.ResponseWriter) {
	body := `{"id":"n-1","name":"net"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(200)
	_, _ = io.WriteString(w, body[:len(body)/2])
	w.(http.Flusher).Flush()
	dropConnection(w)
}

func TestResetWhileReadingBodyIsRetried(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			resetMidBody(w)
			return
		}
		writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
	})
	c := newTestClient(t, s)
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.Equal(t, "n-1", resp.JSON200.ID)
	assert.Equal(t, 3, s.count())
}

func TestResetWhileReadingBodyEndsAsRequestError(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { resetMidBody(w) })
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 5, rerr.Attempts)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, 5, s.count())
}

// A body that drips slower than the per-attempt timeout allows is a timed
// out attempt: retried for a GET, not for a POST.
func TestSlowBodyUnderTimeoutIsRetried(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 {
			writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		for range 100 { // at most 10 s; the client gives up far earlier
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	c := newTestClient(t, s, WithTimeout(time.Second))
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.Equal(t, "n-1", resp.JSON200.ID)
	assert.Equal(t, 2, s.count())

	n.Store(0)
	_, err = c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "net"})
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, rerr.Attempts, "a POST is not repeated")
}

// net/http repeats a request on its own when a reused connection turns out
// closed; that repetition counts as an attempt.
func TestNetHTTPRetriesAreCounted(t *testing.T) {
	var n atomic.Int32
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
			return
		}
		dropConnection(w)
	})
	c := newTestClient(t, s, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MaxElapsed: 10 * time.Second, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err) // leaves an idle connection to reuse
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 3, rerr.Attempts)
	assert.Equal(t, 1+3, s.count(), "the server sees MaxAttempts requests, not one more")
}
