package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

// Benchmarks of the fake server (package cloudconnexatest), not of the
// client: a plain net/http client sends the requests, so what differs
// between two sides is the server alone. Each benchmark runs its two sides
// in the same run, alternating blocks of requests, and reports their ratio
// (see docs/performance.md, "The fake server").

// fakeBlock is the number of requests one side sends before the other
// side's turn.
const fakeBlock = 50

// fakeTarget is one server under measurement: a request to send and the
// status it must answer (0: any 2xx); after, when set, sees each answer.
type fakeTarget struct {
	hc     *http.Client
	req    func() *http.Request
	status int
	after  func(body []byte)
}

func (t fakeTarget) send(tb testing.TB) []byte {
	resp, err := t.hc.Do(t.req())
	require.NoError(tb, err)
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(tb, err, "%s: reading the body", resp.Request.URL.Path)
	if t.status == 0 {
		require.True(tb, resp.StatusCode/100 == 2, "%s: %d %s", resp.Request.URL.Path, resp.StatusCode, body)
	} else {
		require.Equal(tb, t.status, resp.StatusCode, "%s: %s", resp.Request.URL.Path, body)
	}
	if t.after != nil {
		t.after(body)
	}
	return body
}

// alternate sends b.N blocks of fakeBlock requests to each target, the
// order alternating, and reports each side's mean time per request and
// the throughput ratio of a over b (a's requests per second divided by
// b's) as ratioName.
func alternate(b *testing.B, aName string, a fakeTarget, bName string, other fakeTarget, ratioName string) {
	for range 20 { // warm both connections and caches
		a.send(b)
		other.send(b)
	}
	var ta, tb time.Duration
	b.ResetTimer()
	for i := range b.N {
		first, second, tFirst, tSecond := a, other, &ta, &tb
		if i%2 == 1 {
			first, second, tFirst, tSecond = other, a, &tb, &ta
		}
		start := time.Now()
		for range fakeBlock {
			first.send(b)
		}
		mid := time.Now()
		for range fakeBlock {
			second.send(b)
		}
		*tFirst += mid.Sub(start)
		*tSecond += time.Since(mid)
	}
	b.StopTimer()
	n := float64(b.N * fakeBlock)
	b.ReportMetric(float64(ta.Nanoseconds())/n, aName+"-ns/req")
	b.ReportMetric(float64(tb.Nanoseconds())/n, bName+"-ns/req")
	b.ReportMetric(float64(tb)/float64(ta), ratioName)
	b.ReportMetric(0, "ns/op") // an op is two blocks; the per-request figures say more
}

// fakeServer starts a fake with n stored networks (one connector and one
// route each, so that children are indexed too) and returns it with a
// token and the id of a network in the middle of the store.
func fakeServer(b *testing.B, n int) (*cloudconnexatest.Server, string, string) {
	b.Helper()
	srv := cloudconnexatest.NewServer(b, cloudconnexatest.WithTenant(cloudconnexatest.Tenant{
		Seed: 1, Networks: n, ConnectorsPerNetwork: 1, RoutesPerNetwork: 1,
	}))
	tok, err := srv.Token()
	require.NoError(b, err)
	mid := n / 2
	page, size := gen.Page(mid/1000), gen.Size(1000)
	r, err := srv.Client().Raw.ListNetworksWithResponse(b.Context(), &gen.ListNetworksParams{Page: &page, Size: &size})
	require.NoError(b, err)
	require.Equal(b, n, int(r.JSON200.TotalElements))
	return srv, tok, r.JSON200.Content[mid%1000].ID
}

func getTarget(srv *cloudconnexatest.Server, tok, id string) fakeTarget {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	url := srv.URL + "/api/v1/networks/" + id
	return fakeTarget{hc: hc, status: 200, req: func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	}}
}

// bareTarget serves body with the headers the fake sent with it, for
// every request, after reading the request's body: the least any server
// can do to give the same answer.
func bareTarget(b *testing.B, from fakeTarget) fakeTarget {
	b.Helper()
	resp, err := from.hc.Do(from.req())
	require.NoError(b, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	_ = resp.Body.Close()
	hdr := resp.Header.Clone()
	hdr.Del("Date")
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(from.status)
		_, _ = w.Write(body)
	}))
	b.Cleanup(ts.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	return fakeTarget{hc: hc, status: from.status, req: func() *http.Request {
		req := from.req()
		req.URL.Scheme, req.URL.Host, req.Host = "http", ts.Listener.Addr().String(), ""
		return req
	}}
}

// BenchmarkFakeGetScaling compares GET network on a fake holding one
// network with one holding 100,000 (each with a connector and a route):
// large/small is the throughput with 100,000 stored objects relative to
// one. Target: at least 0.8.
func BenchmarkFakeGetScaling(b *testing.B) {
	small, tokS, idS := fakeServer(b, 1)
	large, tokL, idL := fakeServer(b, 100_000)
	alternate(b, "stored-100000", getTarget(large, tokL, idL), "stored-1", getTarget(small, tokS, idS), "large/small")
}

// BenchmarkFakeGet compares GET network on the fake (authentication, rate
// limit, routing, request validation, the operation, response validation)
// with a bare handler returning the same bytes and headers. fake/bare is
// the fake's throughput relative to the bare handler's. Target: at least
// 0.6.
func BenchmarkFakeGet(b *testing.B) {
	srv, tok, id := fakeServer(b, 1000)
	fake := getTarget(srv, tok, id)
	alternate(b, "fake", fake, "bare", bareTarget(b, fake), "fake/bare")
}

// BenchmarkFakePost compares POST network (a network with a connector and
// a route, so a new network and two children each time) on the fake with a
// bare handler that reads the body and returns the bytes of one such
// answer. Target: at least 0.5.
func BenchmarkFakePost(b *testing.B) {
	srv, tok, _ := fakeServer(b, 1000)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	n := 0
	fake := fakeTarget{hc: hc, status: 201, req: func() *http.Request {
		n++
		body := fmt.Sprintf(`{"name":"bench-%d","internetAccess":"SPLIT_TUNNEL_ON","connectors":[{"name":"c-%d","vpnRegionId":"us-east-1"}],"routes":[{"value":"10.1.0.0/16"}]}`, n, n)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/networks", bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		return req
	}}
	alternate(b, "fake", fake, "bare", bareTarget(b, fake), "fake/bare")
}

// groupServer starts a fake holding users users in one user group and
// returns it with a token.
func groupServer(b *testing.B, users int) (*cloudconnexatest.Server, string) {
	b.Helper()
	srv := cloudconnexatest.NewServer(b, cloudconnexatest.WithoutSeed(), cloudconnexatest.WithTenant(cloudconnexatest.Tenant{
		Seed: 1, UserGroups: 1, Users: users,
	}))
	tok, err := srv.Token()
	require.NoError(b, err)
	return srv, tok
}

// deleteGroupTarget creates an empty user group, then deletes it, one
// request each, alternately: the cost of a delete next to that of a
// create.
func deleteGroupTarget(b *testing.B, srv *cloudconnexatest.Server, tok string) fakeTarget {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	var id string
	return fakeTarget{hc: hc, status: 0, req: func() *http.Request {
		var req *http.Request
		if id == "" {
			req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/v1/user-groups", strings.NewReader(`{"name":"temporary"}`))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, _ = http.NewRequest(http.MethodDelete, srv.URL+"/api/v1/user-groups/"+id, nil)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	}, after: func(body []byte) {
		if id != "" {
			id = ""
			return
		}
		var g struct{ ID string }
		require.NoError(b, json.Unmarshal(body, &g))
		id = g.ID
	}}
}

// BenchmarkFakeDeleteUserGroupScaling compares creating and deleting an
// empty user group on a fake holding 100,000 users (in another group)
// with one holding one: large/small is the throughput with 100,000 users
// relative to one. The delete finds what names the group through an
// index, not by scanning the users. Target: at least 0.8.
func BenchmarkFakeDeleteUserGroupScaling(b *testing.B) {
	small, tokS := groupServer(b, 1)
	large, tokL := groupServer(b, 100_000)
	alternate(b, "users-100000", deleteGroupTarget(b, large, tokL), "users-1", deleteGroupTarget(b, small, tokS), "large/small")
}

// BenchmarkFakeMemory reports the heap that 100,000 stored networks take
// (without children), measured after a collection, per network and in all.
func BenchmarkFakeMemory(b *testing.B) {
	const n = 100_000
	var per, total float64
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h, err := cloudconnexatest.NewHandler(cloudconnexatest.WithTenant(cloudconnexatest.Tenant{Seed: 1, Networks: n}))
		require.NoError(b, err)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(h)
		total = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		per = total / n
	}
	b.ReportMetric(total/(1<<20), "MiB/100k-networks")
	b.ReportMetric(per, "B/network")
	b.ReportMetric(0, "ns/op")
}

// TestFakeBenchmarksWork runs the benchmark set-up once, with small sizes,
// so a broken benchmark shows in the ordinary test run.
func TestFakeBenchmarksWork(t *testing.T) {
	res := testing.Benchmark(func(b *testing.B) {
		srv, tok, id := fakeServer(b, 3)
		fake := getTarget(srv, tok, id)
		body := fake.send(b)
		var n struct {
			ID string `json:"id"`
		}
		require.NoError(b, json.Unmarshal(body, &n))
		require.Equal(b, id, n.ID)
		bare := bareTarget(b, fake)
		require.Equal(b, body, bare.send(b))
		alternate(b, "fake", fake, "bare", bare, "fake/bare")
	})
	require.Contains(t, res.Extra, "fake/bare", strconv.Itoa(res.N))
	res = testing.Benchmark(func(b *testing.B) {
		srv, tok := groupServer(b, 3)
		alternate(b, "a", deleteGroupTarget(b, srv, tok), "b", deleteGroupTarget(b, srv, tok), "a/b")
		require.Positive(b, srv.Count(gen.OpDeleteUserGroup), "groups deleted")
		require.LessOrEqual(b, srv.Count(gen.OpCreateUserGroup)-srv.Count(gen.OpDeleteUserGroup), 2, "each side leaves at most one group")
	})
	require.Contains(t, res.Extra, "a/b", strconv.Itoa(res.N))
}
