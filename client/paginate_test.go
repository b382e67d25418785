package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
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
			p.Content = append(p.Content, gen.NetworkResponse{Id: fmt.Sprintf("n-%04d", i), Name: fmt.Sprintf("net-%04d", i)})
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
	for n, err := range c.AllNetworks(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n.Id)
	}
	if len(got) != 2500 {
		t.Fatalf("got %d networks, want 2500", len(got))
	}
	for i, id := range got {
		if want := fmt.Sprintf("n-%04d", i); id != want {
			t.Fatalf("item %d = %s, want %s", i, id, want)
		}
	}
	reqs := s.recorded()
	if len(reqs) != 3 {
		t.Fatalf("%d page requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if want := fmt.Sprintf("page=%d&size=1000", i); r.Query != want {
			t.Errorf("request %d query %q, want %q", i, r.Query, want)
		}
	}
}

func TestAllNetworksEarlyExit(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s)
	n := 0
	for _, err := range c.AllNetworks(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1001 {
			break
		}
	}
	if s.count() != 2 {
		t.Errorf("%d page requests after breaking in page 2, want 2", s.count())
	}
}

func TestAllNetworksParams(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(25))
	c := newTestClient(t, s)
	params := &gen.ListNetworksParams{Page: ptr(gen.Page(1)), Size: ptr(gen.Size(10))}
	seq := c.AllNetworks(context.Background(), params)
	params.Size = ptr(gen.Size(1)) // changing params afterwards does not affect seq
	var got []string
	for n, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n.Id)
	}
	if len(got) != 15 || got[0] != "n-0010" || got[14] != "n-0024" {
		t.Errorf("got %v", got)
	}
	if *params.Page != 1 || *params.Size != 1 {
		t.Errorf("params modified: page %d size %d", *params.Page, *params.Size)
	}
	// Each range over the sequence starts afresh.
	again := 0
	for range seq {
		again++
	}
	if again != 15 {
		t.Errorf("second run: %d items", again)
	}
}

func TestPagesStopOnEmptyPage(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		// A server claiming 99 pages but running dry.
		writeJSON(w, 200, `{"content":[],"totalPages":99}`)
	})
	c := newTestClient(t, s)
	for _, err := range c.AllUsers(context.Background(), nil) {
		t.Fatalf("unexpected item, err %v", err)
	}
	if s.count() != 1 {
		t.Errorf("%d requests", s.count())
	}
}

func TestPagesYieldError(t *testing.T) {
	s := newTestAPI(t, pagedNetworks(2500))
	c := newTestClient(t, s)
	var errs []error
	n := 0
	for _, err := range c.AllNetworks(context.Background(), &gen.ListNetworksParams{Size: ptr(gen.Size(5000))}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	var apiErr *APIError
	if n != 0 || len(errs) != 1 || !errors.As(errs[0], &apiErr) || apiErr.Operation != "listNetworks" {
		t.Fatalf("items %d, errors %v", n, errs)
	}
}

func TestPagesDecodeError(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"content":"nope"}`) })
	c := newTestClient(t, s)
	for _, err := range c.AllHosts(context.Background(), nil) {
		var rerr *RequestError
		if !errors.As(err, &rerr) || rerr.Operation != "listHosts" || !strings.Contains(err.Error(), "decode response") {
			t.Fatalf("err = %v", err)
		}
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
	for _, err := range c.AllNetworks(context.Background(), nil) {
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("err = %v", err)
		}
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
	for sess, err := range c.AllSessions(context.Background(), gen.ListSessionsParams{StartDate: &start, Status: &status}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sess.Id)
	}
	if strings.Join(ids, ",") != "s1,s2,s3,s4" {
		t.Errorf("ids %v", ids)
	}
	reqs := s.recorded()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if !strings.Contains(r.Query, "size=100") {
			t.Errorf("query %q lacks the default batch size", r.Query)
		}
	}

	// Resuming from a cursor, and stopping early.
	for sess, err := range c.AllSessions(context.Background(), gen.ListSessionsParams{StartDate: &start, Status: &status, Cursor: ptr("c1"), Size: 7}) {
		if err != nil || sess.Id != "s3" {
			t.Fatalf("first resumed session %v, %v", sess.Id, err)
		}
		break
	}
	reqs = s.recorded()
	if len(reqs) != 4 || !strings.Contains(reqs[3].Query, "cursor=c1") || !strings.Contains(reqs[3].Query, "size=7") {
		t.Errorf("resumed request: %+v", reqs[len(reqs)-1])
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
	for e, err := range c.AllAuditLogs(context.Background(), gen.ListAuditLogsParams{InitiatorId: ptr("u1")}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.Id)
	}
	if strings.Join(ids, ",") != "a1,a2" || s.count() != 2 {
		t.Errorf("ids %v after %d requests", ids, s.count())
	}
	for _, r := range s.recorded() {
		if !strings.Contains(r.Query, "initiatorId=u1") {
			t.Errorf("filter lost: %q", r.Query)
		}
	}

	s.setHandler(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, `{}`) })
	for _, err := range c.AllAuditLogs(context.Background(), gen.ListAuditLogsParams{}) {
		if !errors.Is(err, ErrForbidden) {
			t.Fatalf("err = %v", err)
		}
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
		writeJSON(w, 200, fmt.Sprintf(`{"content":[{"userId":"u%d"}],"totalPages":2}`, page))
	})
	c := newTestClient(t, s)
	n := 0
	for _, err := range c.AllUserDnsResolutions(context.Background(), gen.ListUserDnsResolutionsParams{StartHour: time.Now().Truncate(time.Hour)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 || s.count() != 2 {
		t.Errorf("%d items from %d requests", n, s.count())
	}
}

// TestEveryPagedListHasAnIterator checks every page-based list operation
// (one whose params have Page and Size) against the All* methods, and calls
// each once.
func TestEveryPagedListHasAnIterator(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/sessions":
			writeJSON(w, 200, `{"sessions":[{}]}`)
		case "/api/v1/audit-log":
			writeJSON(w, 200, `{"auditLogs":[{}]}`)
		default:
			writeJSON(w, 200, `{"content":[{}],"totalPages":1}`)
		}
	})
	c := newTestClient(t, s, WithoutRateLimit())
	ct := reflect.TypeOf(c)
	ctx := reflect.ValueOf(context.Background())
	n := 0
	for _, op := range gen.Operations {
		if op.Method != http.MethodGet || !strings.HasPrefix(op.ID, "list") {
			continue
		}
		name := strings.ToUpper(op.ID[4:5]) + op.ID[5:]
		raw, ok := ct.MethodByName("List" + name)
		if !ok {
			t.Fatalf("no List%s method", name)
		}
		if in := raw.Type.In(2); in.Kind() != reflect.Pointer || in.Elem().Kind() != reflect.Struct {
			continue // no params (listRegions)
		}
		params := raw.Type.In(2).Elem()
		_, paged := params.FieldByName("Page")
		_, cursor := params.FieldByName("Cursor")
		if !paged && !cursor {
			continue
		}
		m, ok := ct.MethodByName("All" + name)
		if !ok {
			t.Errorf("%s is a paged list without All%s", op.ID, name)
			continue
		}
		arg := reflect.New(params)
		if m.Type.In(2).Kind() != reflect.Pointer {
			arg = arg.Elem()
		}
		seq := m.Func.Call([]reflect.Value{reflect.ValueOf(c), ctx, arg})[0]
		items := 0
		seq.Call([]reflect.Value{reflect.MakeFunc(seq.Type().In(0), func(args []reflect.Value) []reflect.Value {
			if !args[1].IsNil() {
				t.Errorf("All%s: %v", name, args[1].Interface())
			}
			items++
			return []reflect.Value{reflect.ValueOf(true)}
		})})
		if items != 1 {
			t.Errorf("All%s yielded %d items, want 1", name, items)
		}
		n++
	}
	if n != 19 {
		t.Errorf("%d iterators, want 19 (16 paged + DNS resolutions + 2 cursor)", n)
	}
}
