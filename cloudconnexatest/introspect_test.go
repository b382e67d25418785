package cloudconnexatest

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestsInOrder: every request is recorded in order with its
// operation and status, unmatched ones and HEAD included; Writes leaves
// out token requests and reads; Count counts by operation.
func TestRequestsInOrder(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{"name":"n"}`)
	call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{"name":7}`)
	call(t, srv, tok, "HEAD", "/api/v1/networks?size=5", "", "")
	call(t, srv, tok, "DELETE", "/api/v1/nothing", "", "")
	call(t, srv, tok, "PUT", "/api/v1/settings/wpc/topology", "text/plain", "CUSTOM")

	type row struct {
		op           gen.OperationID
		method, path string
		query        string
		status       int
		write        bool
	}
	var got []row
	for _, r := range srv.Requests() {
		assert.False(t, r.Time.IsZero())
		got = append(got, row{r.Operation, r.Method, r.Path, r.Query, r.Status, r.IsWrite()})
	}
	assert.Equal(t, []row{
		{gen.OpRequestToken, "POST", "/api/v1/oauth/token", "client_id=" + srv.ClientID + "&client_secret=%5BREDACTED%5D", 200, false},
		{gen.OpListRegions, "GET", "/api/v1/regions", "", 200, false},
		{gen.OpCreateNetwork, "POST", "/api/v1/networks", "", 201, true},
		{gen.OpCreateNetwork, "POST", "/api/v1/networks", "", 400, true},
		{gen.OpListNetworks, "HEAD", "/api/v1/networks", "size=5", 200, false},
		{"", "DELETE", "/api/v1/nothing", "", 404, false},
		{gen.OpSetTopology, "PUT", "/api/v1/settings/wpc/topology", "", 200, true},
	}, got)

	writes := srv.Writes()
	require.Len(t, writes, 3)
	assert.Equal(t, gen.OpSetTopology, writes[2].Operation)
	assert.Equal(t, 6, srv.Count(), "requests that reached an operation")
	assert.Equal(t, 2, srv.Count(gen.OpCreateNetwork))
	assert.Equal(t, 3, srv.Count(gen.OpCreateNetwork, gen.OpListRegions, gen.OpCreateNetwork), "an op named twice counts once")
	assert.Equal(t, 6, srv.Count(AnyOperation))

	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
	assert.Zero(t, srv.Count())
	assert.Zero(t, srv.RequestCount(gen.OpCreateNetwork))
}

// TestRequestLogIsBounded: the record keeps the most recent
// MaxRecordedRequests requests, in order; Count counts them all.
func TestRequestLogIsBounded(t *testing.T) {
	h, err := NewHandler()
	require.NoError(t, err)
	n := MaxRecordedRequests + 10
	for i := range n {
		seq := h.record(httptest.NewRequest("GET", "/api/v1/regions?i="+strconv.Itoa(i), nil), string(gen.OpListRegions))
		h.finish(seq, 200)
	}
	got := h.Requests()
	require.Len(t, got, MaxRecordedRequests)
	assert.Equal(t, "i=10", got[0].Query)
	assert.Equal(t, "i="+strconv.Itoa(n-1), got[len(got)-1].Query)
	assert.Equal(t, n, h.Count(gen.OpListRegions))
}
