package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// collect runs an iterator to its end, bounded, and returns the items and
// the errors it yielded.
func collect[T any](t *testing.T, seq func(func(T, error) bool)) (items []T, errs []error) {
	t.Helper()
	for item, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, item)
		require.Less(t, len(items), 100_000, "the iterator does not stop")
	}
	return items, errs
}

func TestRepeatedCursorIsALoop(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"sessions":[{"id":"s1"}],"nextCursor":"SAME"}`)
	})
	c := newTestClient(t, s)
	start := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	items, errs := collect(t, c.Sessions.All(context.Background(), &SessionsListParams{StartDate: start}))
	assert.Len(t, items, 1)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationLoop)
	assert.EqualError(t, errs[0], "cloudconnexa: pagination loop: listSessions: cursor repeated after 2 requests")
	assert.Equal(t, 2, s.count())
}

func TestSamePageForEveryIndexIsALoop(t *testing.T) {
	for name, body := range map[string]string{
		"page index": `{"content":[{"id":"n-1","name":"a"}],"page":0,"totalPages":2147483647}`,
		"no index":   `{"content":[{"id":"n-1","name":"a"}],"totalPages":2147483647}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
			c := newTestClient(t, s)
			items, errs := collect(t, c.Networks.All(context.Background(), nil))
			assert.Len(t, items, 1)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrPaginationLoop)
			assert.Equal(t, 2, s.count())
		})
	}
}

// A server that echoes the page index it was asked for but answers the same
// items every time is caught by the items, not the index: the iterator
// keeps the first and last item of a page, never the page.
func TestSameItemsUnderEveryIndexIsALoop(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		writeJSON(w, 200, fmt.Sprintf(`{"content":[{"id":"n-1","name":"a"},{"id":"n-2","name":"b"}],"page":%d,"totalPages":2147483647}`, p))
	})
	c := newTestClient(t, s)
	items, errs := collect(t, c.Networks.All(context.Background(), nil))
	assert.Len(t, items, 2)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationLoop)
	assert.EqualError(t, errs[0], "cloudconnexa: pagination loop: listNetworks: page 1 repeats page 0")
	assert.Equal(t, 2, s.count())
}

// A server that hands out new items forever is stopped at the ceiling.
func TestEndlessPagesStopAtTheCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		writeJSON(w, 200, fmt.Sprintf(`{"content":[{"id":"n-%d","name":"a"}],"page":%d,"totalPages":2147483647}`, p, p))
	})
	c := newTestClient(t, s, WithoutRateLimit())
	items, errs := collect(t, c.Networks.All(context.Background(), &NetworksListParams{Size: 1}))
	assert.Len(t, items, maxListRequests)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationLoop)
	assert.ErrorContains(t, errs[0], "more than 10000 requests")
	assert.Equal(t, maxListRequests, s.count())
}
