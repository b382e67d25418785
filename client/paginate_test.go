package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedNetworks serves total networks named net-0000… in pages.
func pagedNetworks(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		size, err := strconv.Atoi(q.Get("size"))
		if err != nil {
			size = 10
		}
		if size < 1 || size > 1000 {
			writeJSON(w, 400, `{"errorMessage":"bad size"}`)
			return
		}
		var p gen.PageNetworkResponse
		p.Content = []gen.NetworkResponse{}
		for i := page * size; i < min(total, (page+1)*size); i++ {
			p.Content = append(p.Content, gen.NetworkResponse{ID: fmt.Sprintf("n-%04d", i), Name: fmt.Sprintf("net-%04d", i)})
		}
		p.Page, p.Size, p.TotalElements = int32(page), int32(size), int32(total)
		p.NumberOfElements = int32(len(p.Content))
		p.TotalPages = int32((total + size - 1) / size)
		writeValue(w, 200, p)
	}
}

func TestAllNetworks(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s)
	var got []string
	for n, err := range c.Networks.All(context.Background(), nil) {
		require.NoError(t, err)
		got = append(got, n.ID)
	}
	require.Len(t, got, 2500, "networks")
	for i, id := range got {
		require.Equal(t, fmt.Sprintf("n-%04d", i), id, "item %d", i)
	}
	reqs := s.recorded()
	require.Len(t, reqs, 3, "page requests")
	for i, r := range reqs {
		assert.Equal(t, fmt.Sprintf("page=%d&size=1000", i), r.Query, "request %d query", i)
	}
}

func TestAllNetworksEarlyExit(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s)
	n := 0
	for _, err := range c.Networks.All(context.Background(), nil) {
		require.NoError(t, err)
		if n++; n == 1001 {
			break
		}
	}
	assert.Equal(t, 2, s.count(), "page requests after breaking in page 2")
}

func TestListNetworksParams(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(25))
	c := newTestClient(t, s)
	params := &NetworksListParams{Page: 1, Size: 10}
	seq := c.Networks.All(context.Background(), params)
	params.Size = 1 // changing params afterwards does not affect seq
	var got []string
	for n, err := range seq {
		require.NoError(t, err)
		got = append(got, n.ID)
	}
	if assert.Len(t, got, 15, "got %v", got) {
		assert.Equal(t, "n-0010", got[0], "got %v", got)
		assert.Equal(t, "n-0024", got[14], "got %v", got)
	}
	assert.Equal(t, int32(1), params.Page, "params modified")
	assert.Equal(t, int32(1), params.Size, "params modified")
	// Each range over the sequence starts afresh.
	again := 0
	for range seq {
		again++
	}
	assert.Equal(t, 15, again, "items of the second run")
}

func TestPagesStopOnEmptyPage(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		// A server claiming 99 pages but running dry.
		writeJSON(w, 200, `{"content":[],"totalPages":99}`)
	})
	c := newTestClient(t, s)
	for _, err := range c.Users.All(context.Background(), nil) {
		require.FailNow(t, "unexpected item", "err %v", err)
	}
	assert.Equal(t, 1, s.count(), "requests")
}

func TestPagesYieldError(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s)
	var errs []error
	n := 0
	for _, err := range c.Networks.All(context.Background(), &NetworksListParams{Size: 5000}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	var apiErr *APIError
	require.Zero(t, n, "items")
	require.Len(t, errs, 1, "errors %v", errs)
	require.ErrorAs(t, errs[0], &apiErr)
	require.Equal(t, "listNetworks", apiErr.Operation)
}

func TestPagesDecodeError(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"content":"nope"}`) })
	c := newTestClient(t, s)
	for _, err := range c.Hosts.All(context.Background(), nil) {
		var rerr *ResponseError
		require.ErrorAs(t, err, &rerr)
		require.ErrorIs(t, err, ErrUnexpectedResponse)
		require.Equal(t, "listHosts", rerr.Operation, "err = %v", err)
		require.ErrorContains(t, err, "cannot unmarshal")
	}
}

func TestPagesResponseTooLarge(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s, WithMaxResponseBytes(512))
	s.setHandler(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"content":[` + strings.Repeat(`{"id":"x"},`, 100) + `{"id":"y"}],"totalPages":1}`))
		w.(http.Flusher).Flush()
	})
	for _, err := range c.Networks.All(context.Background(), nil) {
		require.ErrorIs(t, err, ErrResponseTooLarge)
	}
}

func TestAllSessions(t *testing.T) {
	start := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("startDate") == "" || q.Get("status") != "ACTIVE" {
			writeJSON(w, 400, `{"errorMessage":"filters lost"}`)
			return
		}
		switch q.Get("cursor") {
		case "":
			writeJSON(w, 200, `{"sessions":[{"id":"s1"},{"id":"s2"}],"nextCursor":"c1"}`)
		case "c1":
			writeJSON(w, 200, `{"sessions":[{"id":"s3"}],"nextCursor":"c2"}`)
		case "c2":
			writeJSON(w, 200, `{"sessions":[{"id":"s4"}],"nextCursor":""}`)
		default:
			writeJSON(w, 400, `{"errorMessage":"bad cursor"}`)
		}
	})
	c := newTestClient(t, s)
	status := gen.SessionStatus("ACTIVE")
	var ids []string
	for sess, err := range c.Sessions.All(context.Background(), &SessionsListParams{StartDate: start, Status: status}) {
		require.NoError(t, err)
		ids = append(ids, sess.ID)
	}
	assert.Equal(t, []string{"s1", "s2", "s3", "s4"}, ids)
	reqs := s.recorded()
	require.Len(t, reqs, 3, "requests")
	for _, r := range reqs {
		assert.Contains(t, r.Query, "size=100", "query lacks the default batch size")
	}

	// Resuming from a cursor, and stopping early.
	for sess, err := range c.Sessions.All(context.Background(), &SessionsListParams{Size: 7, StartDate: start, Status: status, Cursor: "c1"}) {
		require.NoError(t, err, "first resumed session")
		require.Equal(t, "s3", sess.ID, "first resumed session")
		break
	}
	reqs = s.recorded()
	if assert.Len(t, reqs, 4, "requests") {
		assert.Contains(t, reqs[3].Query, "cursor=c1", "resumed request")
		assert.Contains(t, reqs[3].Query, "size=7", "resumed request")
	}
}

func TestAllAuditLogs(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			writeJSON(w, 200, `{"auditLogs":[{"id":"a1"}],"nextCursor":"next"}`)
			return
		}
		writeJSON(w, 200, `{"auditLogs":[{"id":"a2"}]}`)
	})
	c := newTestClient(t, s)
	var ids []string
	for e, err := range c.AuditLog.All(context.Background(), &AuditLogListParams{InitiatorID: "u1"}) {
		require.NoError(t, err)
		ids = append(ids, e.ID)
	}
	assert.Equal(t, []string{"a1", "a2"}, ids)
	assert.Equal(t, 2, s.count(), "requests")
	for _, r := range s.recorded() {
		assert.Contains(t, r.Query, "initiatorId=u1", "filter lost")
	}

	s.setHandler(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, `{}`) })
	for _, err := range c.AuditLog.All(context.Background(), nil) {
		require.ErrorIs(t, err, ErrForbidden)
	}
}

func TestAllUserDnsResolutions(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("startHour") == "" {
			writeJSON(w, 400, `{"errorMessage":"startHour required"}`)
			return
		}
		page, _ := strconv.Atoi(q.Get("page"))
		writeJSON(w, 200, fmt.Sprintf(`{"content":[{"memberId":"u%d"}],"totalPages":2}`, page))
	})
	c := newTestClient(t, s)
	n := 0
	for _, err := range c.DNSLog.AllUserDNSResolutions(context.Background(), time.Now().Truncate(time.Hour), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n, "items")
	assert.Equal(t, 2, s.count(), "requests")
}
