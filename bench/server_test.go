package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/tokenbucket"
)

// The in-process server of the benchmarks. It is deliberately small: it does
// not validate requests against the OpenAPI document (the fake in
// cloudconnexatest does, and would dominate the measurements). It answers
// the three routes the benchmarks use with pre-rendered JSON bodies, so the
// per-request server cost is a map lookup, a token-bucket update, four
// X-RateLimit-* headers and one Write, identical for the client under test
// and for the hand-written baseline.

const (
	benchClientID     = "bench-client-id"
	benchClientSecret = "bench-client-secret"
	benchNetworkID    = "5c3e7b5a-1f0d-4c55-9a43-2f1d7e9b8c01"

	// Users served by GET /api/v1/users and the page size the benchmarks use.
	totalUsers   = 100_000
	userPageSize = 1000

	tokenPath    = "/api/v1/oauth/token"
	networksPath = "/api/v1/networks/"
	// createNetworkPath is POST-only: createNetwork, answered 201 with
	// the bench network.
	createNetworkPath = "/api/v1/networks"
	usersPath         = "/api/v1/users"
)

// limits is a server-side token bucket per API key: burst requests at once,
// refilled continuously at rate requests per second. With noHeaders the
// server sends no X-RateLimit-* headers (a proxy that strips them, a user's
// mock): only its 429s, with Retry-After, tell the client about the budget.
type limits struct {
	burst     float64
	rate      float64
	noHeaders bool
}

// unlimited is a budget no benchmark can exhaust; the server still keeps
// the bucket and sends the headers, so the client's limiter stays in the
// pipeline and learns a budget that never throttles.
var unlimited = limits{burst: 1e9, rate: 1e9}

// benchServer is an httptest server on 127.0.0.1 (HTTP/1.1, keep-alive).
type benchServer struct {
	*httptest.Server
	lim limits

	tokenRequests atomic.Int64 // POST /api/v1/oauth/token
	apiRequests   atomic.Int64 // every other request
	tooMany       atomic.Int64 // 429 answers sent
	firstAPI      atomic.Int64 // UnixNano of the first API request, 0 before
	conns         atomic.Int64 // connections accepted

	mu      sync.Mutex
	buckets map[string]*tokenbucket.Bucket // keyed by access token: one key per client
	issued  int

	// Header values that never change, formatted once.
	hBurst, hRate []string
}

var (
	hJSON     = []string{"application/json"}
	hOne      = []string{"1"}
	hZero     = []string{"0"}
	hNoStore  = []string{"no-store"}
	hUnauthed = []byte(`{"statusError":"UNAUTHORIZED","errorMessage":"missing or invalid access token"}`)
	hNotFound = []byte(`{"statusError":"NOT_FOUND","errorMessage":"no such resource"}`)
	hTooMany  = []byte(`{"statusError":"TOO_MANY_REQUESTS","errorMessage":"rate limit exceeded"}`)
)

// newBenchServer starts a server enforcing lim per key; it is closed when
// the test or benchmark ends.
func newBenchServer(tb testing.TB, lim limits) *benchServer {
	tb.Helper()
	s := &benchServer{
		lim:     lim,
		buckets: make(map[string]*tokenbucket.Bucket),
		hBurst:  []string{strconv.FormatInt(int64(lim.burst), 10)},
		hRate:   []string{strconv.FormatInt(int64(lim.rate), 10)},
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

func (s *benchServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == tokenPath {
		s.serveToken(w, r)
		return
	}
	s.apiRequests.Add(1)
	if s.firstAPI.Load() == 0 {
		s.firstAPI.CompareAndSwap(0, time.Now().UnixNano())
	}
	h := w.Header()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		write(w, http.StatusUnauthorized, hUnauthed)
		return
	}
	now := time.Now()
	s.mu.Lock()
	b := s.buckets[tok]
	var (
		remaining int
		allowed   bool
		wait      time.Duration
	)
	if b != nil {
		allowed, remaining, wait = b.Take(now)
	}
	s.mu.Unlock()
	if b == nil {
		write(w, http.StatusUnauthorized, hUnauthed)
		return
	}

	// The budget headers ride on every response of a known key, 429 included.
	if !s.lim.noHeaders {
		h["X-Ratelimit-Remaining"] = []string{strconv.Itoa(remaining)}
		h["X-Ratelimit-Replenish-Rate"] = s.hRate
		h["X-Ratelimit-Replenish-Time"] = hOne
		h["X-Ratelimit-Burst-Capacity"] = s.hBurst
	}
	if !allowed {
		s.tooMany.Add(1)
		secs := int64(math.Ceil(wait.Seconds()))
		h["Retry-After"] = []string{strconv.FormatInt(max(secs, 1), 10)}
		write(w, http.StatusTooManyRequests, hTooMany)
		return
	}

	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, networksPath):
		if r.URL.Path[len(networksPath):] != benchNetworkID {
			write(w, http.StatusNotFound, hNotFound)
			return
		}
		write(w, http.StatusOK, networkBody())
	case r.Method == http.MethodPost && r.URL.Path == createNetworkPath:
		// The request body is read in full (as a real server would) and
		// not checked: both sides send the same JSON.
		_, _ = io.Copy(io.Discard, r.Body)
		write(w, http.StatusCreated, networkBody())
	case r.Method == http.MethodGet && r.URL.Path == usersPath:
		q := r.URL.Query()
		page, err1 := strconv.Atoi(q.Get("page"))
		size, err2 := strconv.Atoi(q.Get("size"))
		if q.Get("page") == "" {
			page, err1 = 0, nil
		}
		if q.Get("size") == "" {
			size, err2 = 10, nil
		}
		if err1 != nil || err2 != nil || page < 0 || size < 1 || size > 1000 {
			write(w, http.StatusBadRequest, []byte(`{"statusError":"BAD_REQUEST","errorMessage":"bad page or size"}`))
			return
		}
		write(w, http.StatusOK, usersPage(page, size))
	default:
		write(w, http.StatusNotFound, hNotFound)
	}
}

// serveToken issues a fresh token, and with it a fresh full bucket, per
// request: every client is its own API key.
func (s *benchServer) serveToken(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != benchClientID || secret != benchClientSecret {
		write(w, http.StatusUnauthorized, []byte(`{"error":"invalid_client","error_description":"bad client credentials"}`))
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		write(w, http.StatusBadRequest, []byte(`{"error":"unsupported_grant_type"}`))
		return
	}
	s.mu.Lock()
	s.issued++
	tok := fmt.Sprintf("bench-token-%d-%x", s.issued, time.Now().UnixNano())
	s.buckets[tok] = tokenbucket.New(s.lim.burst, s.lim.rate)
	s.mu.Unlock()
	w.Header()["Cache-Control"] = hNoStore
	write(w, http.StatusOK, fmt.Appendf(nil, `{"access_token":%q,"token_type":"bearer","expires_in":43199}`, tok))
}

// resetCounters zeroes the request counters between measurements; no
// request may be in flight.
func (s *benchServer) resetCounters() {
	s.tokenRequests.Store(0)
	s.apiRequests.Store(0)
	s.tooMany.Store(0)
	s.firstAPI.Store(0)
}

func write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = hJSON
	if len(body) == 0 {
		h["Content-Length"] = hZero
	} else {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Payloads. They are built from the generated types, so they are exactly
// what the client decodes, and rendered once per process.

func ptr[T any](v T) *T { return &v }

func benchNetwork() gen.NetworkResponse {
	online, offline := gen.ConnectionStatusOnline, gen.ConnectionStatusOffline
	return gen.NetworkResponse{
		ID:                benchNetworkID,
		Name:              "eu-west-production",
		Description:       ptr("Production VPC in eu-west-1, peered with the shared-services VPC"),
		Egress:            ptr(true),
		InternetAccess:    ptr(gen.InternetAccessSplitTunnelOn),
		TunnelingProtocol: ptr(gen.TunnelingProtocolOpenvpn),
		GatewaysIDs:       []string{"0b8b6c1e-2e57-4b8e-9d1a-6c5f1e2d3a41", "7f3a9d2c-5b14-4e6f-8a0b-1c2d3e4f5a62"},
		SystemSubnets:     []string{"100.96.0.0/11", "fd00:c0:a8::/64"},
		Connectors: []gen.NetworkConnectorResponse{
			{
				ID:                "a1f4c2d8-93b6-4e1f-8c7a-5d2e9b0f1c33",
				Name:              "eu-west-1a-connector",
				Description:       ptr("Primary connector, availability zone a"),
				ConnectionStatus:  &online,
				IPV4Address:       ptr("100.96.1.10"),
				IPV6Address:       ptr("fd00:c0:a8::10"),
				Licensed:          ptr(true),
				NetworkItemID:     ptr(benchNetworkID),
				NetworkItemType:   ptr(gen.NetworkItemTypeNetwork),
				TunnelingProtocol: ptr(gen.TunnelingProtocolOpenvpn),
				VPNRegionID:       ptr("eu-west-1"),
			},
			{
				ID:                "b2e5d3f9-04c7-4f20-9d8b-6e3fa0c1d244",
				Name:              "eu-west-1b-ipsec",
				Description:       ptr("IPsec tunnel to the on-premises data centre"),
				ConnectionStatus:  &offline,
				IPV4Address:       ptr("100.96.1.11"),
				IPV6Address:       ptr("fd00:c0:a8::11"),
				Licensed:          ptr(true),
				NetworkItemID:     ptr(benchNetworkID),
				NetworkItemType:   ptr(gen.NetworkItemTypeNetwork),
				TunnelingProtocol: ptr(gen.TunnelingProtocolIPsec),
				VPNRegionID:       ptr("eu-west-2"),
				IPSecConfig: &gen.IPSecConfigResponse{
					Domain:             ptr("dc1.example.com"),
					Hostname:           ptr("vpn-gw-1.dc1.example.com"),
					PreSharedKey:       ptr("not-a-real-pre-shared-key-0123456789"),
					RemoteSitePublicIP: ptr("198.51.100.23"),
					ServerID:           ptr("c3f6e4a0-15d8-4031-ae9c-7f4ab1d2e355"),
					ServerIP:           ptr("203.0.113.7"),
				},
			},
		},
		Routes: []gen.NetworkRouteResponse{
			{ID: "d4a7f5b1-26e9-4142-bf0d-8a5bc2e3f466", Subnet: "10.20.0.0/16", Type: ptr(gen.RouteTypeIPv4), Description: ptr("VPC CIDR")},
			{ID: "e5b8a6c2-37fa-4253-8c1e-9b6cd3f4a577", Subnet: "172.31.0.0/20", Type: ptr(gen.RouteTypeIPv4), Description: ptr("Shared services")},
			{ID: "f6c9b7d3-480b-4364-9d2f-ac7de4a5b688", Subnet: "fd12:3456:789a::/48", Type: ptr(gen.RouteTypeIPv6), Description: ptr("IPv6 VPC range")},
		},
	}
}

var networkBody = sync.OnceValue(func() []byte { return mustJSON(benchNetwork()) })

func benchUser(i int) gen.UserResponse {
	roles := [...]gen.UserRole{gen.UserRoleMember, gen.UserRoleMember, gen.UserRoleAdmin, gen.UserRoleOwner}
	auths := [...]gen.UserAuthType{gen.UserAuthTypeSAML, gen.UserAuthTypeInternal, gen.UserAuthTypeGoogle, gen.UserAuthTypeMicrosoft}
	status := [...]gen.ConnectionStatus{gen.ConnectionStatusOnline, gen.ConnectionStatusOffline}
	id := fmt.Sprintf("%08x-7d2b-4c1e-9f3a-%012x", i, i*7919)
	return gen.UserResponse{
		ID:                id,
		Username:          fmt.Sprintf("user%06d", i),
		Email:             fmt.Sprintf("user%06d@example.com", i),
		FirstName:         ptr(fmt.Sprintf("First%d", i)),
		LastName:          ptr(fmt.Sprintf("Last%d", i)),
		GroupID:           ptr("3e1c9a7b-5d2f-4e80-a6b4-c1d2e3f4a5b6"),
		SecondaryGroupIDs: []string{"4f2dab8c-6e30-4f91-b7c5-d2e3f4a5b6c7", "5a3ebc9d-7f41-40a2-88d6-e3f4a5b6c7d8"},
		Role:              ptr(roles[i%len(roles)]),
		AuthType:          ptr(auths[i%len(auths)]),
		Status:            ptr(gen.UserStatusActive),
		ConnectionStatus:  ptr(status[i%2]),
		Licensed:          ptr(i%5 != 0),
		Devices: []gen.DeviceResponse{{
			ID:               fmt.Sprintf("%08x-1a2b-4c3d-8e4f-%012x", i, i*104729),
			Name:             fmt.Sprintf("laptop-%06d", i),
			Description:      ptr("Corporate laptop"),
			ClientUUID:       ptr(fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", i, i*31)),
			ConnectionStatus: ptr(status[i%2]),
			IPV4Address:      ptr(fmt.Sprintf("100.64.%d.%d", (i/250)%250, i%250+1)),
			IPV6Address:      ptr(fmt.Sprintf("fd00:a:b::%x", i)),
			UserID:           ptr(id),
			Platform: &gen.PlatformResponse{
				OS:            ptr("macOS"),
				Version:       ptr("14.5"),
				ClientVersion: ptr("3.5.1"),
			},
		}},
	}
}

type pageKey struct{ page, size int }

var (
	pagesMu sync.Mutex
	pages   = map[pageKey][]byte{}
)

// usersPage returns the JSON of one page of the totalUsers users, rendered
// on first use and cached (the pages of size userPageSize are pre-rendered by
// warmPages before any measurement).
func usersPage(page, size int) []byte {
	k := pageKey{page, size}
	pagesMu.Lock()
	defer pagesMu.Unlock()
	if b, ok := pages[k]; ok {
		return b
	}
	b := offHeap(renderPage(page, size))
	pages[k] = b
	return b
}

func renderPage(page, size int) []byte {
	totalPages := (totalUsers + size - 1) / size
	p := gen.PageUserResponse{
		Content:       []gen.UserResponse{},
		Page:          int32(page),
		Size:          int32(size),
		TotalElements: totalUsers,
		TotalPages:    int32(totalPages),
	}
	for i := page * size; i < min((page+1)*size, totalUsers); i++ {
		p.Content = append(p.Content, benchUser(i))
	}
	p.NumberOfElements = int32(len(p.Content))
	return mustJSON(p)
}

// warmPages renders every page of userPageSize once and returns the total
// size of the bodies.
func warmPages() (total int) {
	for p := 0; p < totalUsers/userPageSize; p++ {
		total += len(usersPage(p, userPageSize))
	}
	return total
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
