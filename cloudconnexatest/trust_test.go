package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of this file are the cases of issue 22: what a user's own
// tests need from the fake to fail where they would fail against the
// service.

// errorFields decodes an ErrorResponse and returns its errorDetails keys.
func errorFields(t *testing.T, body string) []string {
	t.Helper()
	var e gen.ErrorResponse
	require.NoError(t, json.Unmarshal([]byte(body), &e), "not an ErrorResponse: %s", body)
	var keys []string
	for k := range e.ErrorDetails {
		keys = append(keys, k)
	}
	return keys
}

// TestBlankRequiredStringsRefused: a required string of a request body
// (required by the document) must not be empty or blank, in the default
// mode and in strict mode, and the 400 names the field.
func TestBlankRequiredStringsRefused(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []Option
	}{{"default", nil}, {"strict", []Option{WithStrictRequests()}}} {
		t.Run(mode.name, func(t *testing.T) {
			srv := NewServer(t, mode.opts...)
			tok := getToken(t, srv)
			for _, tc := range []struct {
				name, path, body string
				fields           []string
			}{
				{"network name", "/api/v1/networks", `{"name":""}`, []string{"name"}},
				{"user group name", "/api/v1/user-groups", `{"name":"   "}`, []string{"name"}},
				{"username and email", "/api/v1/users", `{"username":"","email":""}`, []string{"username", "email"}},
				{"DNS record domain", "/api/v1/dns-records", `{"domain":"\t"}`, []string{"domain"}},
				{"nested route value", "/api/v1/networks", `{"name":"n","routes":[{"value":""}]}`, []string{"routes.0.value"}},
				{"nested connector name", "/api/v1/networks", `{"name":"n","connectors":[{"name":" ","vpnRegionId":"us-east-1"}]}`, []string{"connectors.0.name"}},
			} {
				status, _, body := call(t, srv, tok, "POST", tc.path, "application/json", tc.body)
				require.Equal(t, 400, status, "%s: %s", tc.name, body)
				assert.ElementsMatch(t, tc.fields, errorFields(t, body), "%s: %s", tc.name, body)
				assert.Contains(t, body, "blank", tc.name)
			}
			// Not required: an empty description is fine.
			status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{"name":"n","description":""}`)
			assert.Equal(t, 201, status, body)
		})
	}
}

// TestDeletingAUserGroupLeavesNoReference: the access groups, location
// contexts and device postures that name a deleted user group no longer
// name it.
func TestDeletingAUserGroupLeavesNoReference(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := t.Context()
	group := must[*gen.CreateUserGroupResponse](t, 201)(c.CreateUserGroupWithResponse(ctx, gen.UserGroupRequest{Name: "contractors"})).JSON201.ID
	ag := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{
		Name:        "contractors-to-all",
		Source:      &[]gen.AccessItemSourceRequest{{Type: gen.AccessItemSourceTypeUserGroup, Parent: &group}},
		Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeUserGroup, Parent: &group}},
	})).JSON201.ID
	lc := must[*gen.CreateLocationContextResponse](t, 200)(c.CreateLocationContextWithResponse(ctx, gen.LocationContextRequest{Name: "office", UserGroupsIDs: &[]string{group}})).JSON200.ID
	dp := must[*gen.CreateDevicePostureResponse](t, 200)(c.CreateDevicePostureWithResponse(ctx, gen.DevicePostureRequest{Name: "managed", UserGroupsIDs: &[]string{group}})).JSON200.ID

	must[*gen.DeleteUserGroupResponse](t, 204)(c.DeleteUserGroupWithResponse(ctx, group))

	g := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, ag)).JSON200
	assert.Empty(t, g.Source, "access group sources")
	assert.Empty(t, g.Destination, "access group destinations")
	assert.Empty(t, must[*gen.GetLocationContextResponse](t, 200)(c.GetLocationContextWithResponse(ctx, lc)).JSON200.UserGroupsIDs, "location context")
	assert.Empty(t, must[*gen.GetDevicePostureResponse](t, 200)(c.GetDevicePostureWithResponse(ctx, dp)).JSON200.UserGroupsIDs, "device posture")
}

// TestDeletedApplicationLeavesAccessGroups: a deleted network application
// is no longer a child of an access group destination.
func TestDeletedApplicationLeavesAccessGroups(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := t.Context()
	network := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "hq"})).JSON201.ID
	app := must[*gen.CreateNetworkApplicationResponse](t, 201)(c.CreateNetworkApplicationWithResponse(ctx, &gen.CreateNetworkApplicationParams{NetworkID: network},
		gen.NetworkApplicationRequest{Name: "wiki", Routes: &[]gen.NetworkApplicationRouteRequest{{Value: "wiki.corp.example"}}})).JSON201.ID
	ag := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{
		Name:        "to-wiki",
		Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeNetworkService, Parent: &network, Children: &[]string{app}}},
	})).JSON201.ID

	must[*gen.DeleteNetworkApplicationResponse](t, 204)(c.DeleteNetworkApplicationWithResponse(ctx, app))

	g := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, ag)).JSON200
	require.Len(t, g.Destination, 1)
	assert.Empty(t, g.Destination[0].Children)
}

// TestAccessGroupReferencesMustExist: an access group naming a parent or a
// child the tenant does not have is refused, naming the field.
func TestAccessGroupReferencesMustExist(t *testing.T) {
	srv := NewServer(t)
	c := plainClient(t, srv)
	ctx := t.Context()
	network := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "hq"})).JSON201.ID
	missing := newID()
	for name, dest := range map[string]gen.AccessItemDestinationRequest{
		"unknown child":  {Type: gen.AccessItemDestinationTypeNetworkService, Parent: &network, Children: &[]string{missing}},
		"unknown parent": {Type: gen.AccessItemDestinationTypeNetworkService, Parent: &missing},
		"unknown group":  {Type: gen.AccessItemDestinationTypeUserGroup, Parent: &missing},
	} {
		r, err := c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "ag", Destination: &[]gen.AccessItemDestinationRequest{dest}})
		require.NoError(t, err)
		require.Equal(t, 400, r.StatusCode(), "%s: %s", name, r.Body)
		assert.Contains(t, string(r.Body), missing, name)
		assert.Len(t, errorFields(t, string(r.Body)), 1, name)
	}
}

// TestOwnerCannotBeDeleted: the account owner is refused with the
// service's 400; other users can be deleted.
func TestOwnerCannotBeDeleted(t *testing.T) {
	srv := NewServer(t)
	c := plainClient(t, srv)
	ctx := t.Context()
	users := must[*gen.ListUsersResponse](t, 200)(c.ListUsersWithResponse(ctx, nil)).JSON200.Content
	require.Len(t, users, 1)
	require.Equal(t, gen.UserRoleOwner, *users[0].Role)
	r := must[*gen.DeleteUserResponse](t, 400)(c.DeleteUserWithResponse(ctx, users[0].ID))
	assert.Equal(t, []string{"user"}, errorFields(t, string(r.Body)))
	must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, users[0].ID))
}

// TestMethodNotAllowed: a method a path does not take is answered 405 with
// an Allow header listing the methods it takes, the same for every such
// method (DELETE on a collection was a 404).
func TestMethodNotAllowed(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	var first string
	for _, m := range []string{"PATCH", "DELETE", "PUT", "OPTIONS", "TRACE", "BREW"} {
		status, hdr, body := call(t, srv, tok, m, "/api/v1/networks", "", "")
		require.Equal(t, 405, status, "%s: %s", m, body)
		assert.Equal(t, "GET, HEAD, POST", hdr.Get("Allow"), m)
		want := strings.ReplaceAll(body, m, "METHOD")
		if first == "" {
			first = want
		}
		assert.Equal(t, first, want, "the same answer for %s", m)
	}
	status, hdr, _ := call(t, srv, tok, "POST", "/api/v1/networks/"+newID(), "", "")
	assert.Equal(t, 405, status)
	assert.Equal(t, "DELETE, GET, HEAD, PUT", hdr.Get("Allow"))
	status, hdr, _ = call(t, srv, "", "GET", "/api/v1/oauth/token", "", "")
	assert.Equal(t, 405, status)
	assert.Equal(t, "POST", hdr.Get("Allow"))
}

// TestHeadWhereGet: HEAD is served wherever GET is, with GET's status and
// headers and no body.
func TestHeadWhereGet(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	for _, path := range []string{"/api/v1/networks", "/api/v1/regions", "/api/v1/settings/wpc/topology", "/api/v1/networks/" + newID()} {
		gs, gh, gb := call(t, srv, tok, "GET", path, "", "")
		hs, hh, hb := call(t, srv, tok, "HEAD", path, "", "")
		assert.Equal(t, gs, hs, path)
		assert.Empty(t, hb, path)
		assert.Equal(t, gh.Get("Content-Type"), hh.Get("Content-Type"), path)
		assert.Equal(t, fmt.Sprint(len(gb)), hh.Get("Content-Length"), path)
	}
	status, _, _ := call(t, srv, "", "HEAD", "/api/v1/networks", "", "")
	assert.Equal(t, 401, status, "HEAD needs a token like GET")
}

// TestBodyLimitEverywhere: the 10 MiB request limit holds on every
// endpoint, the token endpoint included.
func TestBodyLimitEverywhere(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	big := strings.Repeat("a", maxBodyBytes+1)
	for _, tc := range []struct{ path, ct, tok string }{
		{"/api/v1/oauth/token", "application/x-www-form-urlencoded", ""},
		{"/api/v1/oauth/token", "application/json", ""},
		{"/api/v1/networks", "application/json", tok},
		{"/api/v1/settings/wpc/topology", "text/plain", tok},
		{"/api/v1/users/" + newID() + "/activate", "", tok},
	} {
		method := "POST"
		if strings.Contains(tc.path, "settings") || strings.HasSuffix(tc.path, "activate") {
			method = "PUT"
		}
		status, _, body := call(t, srv, tc.tok, method, tc.path, tc.ct, big)
		assert.Equal(t, 413, status, "%s %s: %.200s", method, tc.path, body)
	}
}

// TestLoggerSeesEveryRequest: with a logger, every request is logged,
// those that match no operation included.
func TestLoggerSeesEveryRequest(t *testing.T) {
	var buf lockedBuffer
	srv := NewServer(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	tok := getToken(t, srv)
	call(t, srv, tok, "GET", "/api/v1/nothing-here", "", "")
	call(t, srv, tok, "PATCH", "/api/v1/networks", "", "")
	call(t, srv, tok, "GET", "/api/v1/networks/", "", "")
	call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	out := buf.String()
	for _, want := range []string{"path=/api/v1/nothing-here status=404", "path=/api/v1/networks status=405", "path=/api/v1/networks/ status=400", "path=/api/v1/regions status=200", "path=/api/v1/oauth/token status=200"} {
		assert.Contains(t, out, want)
	}
}

// TestRateLimitedAnswerHasNoBody: the service's 429 has an empty body; the
// fake's too, with the rate-limit headers and Retry-After.
func TestRateLimitedAnswerHasNoBody(t *testing.T) {
	clk := newClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithEnforcedRateLimit(1, 1, 15*time.Second), WithClock(clk.Now))
	tok := getToken(t, srv)
	status, _, _ := call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	require.Equal(t, 200, status)
	status, hdr, body := call(t, srv, tok, "GET", "/api/v1/regions", "", "")
	require.Equal(t, 429, status)
	assert.Empty(t, body)
	assert.Empty(t, hdr.Get("Content-Type"))
	assert.Equal(t, "0", hdr.Get("Content-Length"))
	assert.Equal(t, "15", hdr.Get("Retry-After"))
	assert.Equal(t, "0", hdr.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "1", hdr.Get("X-RateLimit-Replenish-Rate"))
	assert.Equal(t, "15", hdr.Get("X-RateLimit-Replenish-Time"))
	assert.Equal(t, "1", hdr.Get("X-RateLimit-Burst-Capacity"))
}

// TestClientHandlesBodiless429: the project's client retries a 429 without
// a body as it retries one with a body.
func TestClientHandlesBodiless429(t *testing.T) {
	srv := NewServer(t, WithEnforcedRateLimit(1, 1, time.Second))
	c := srv.Client(client.WithoutRateLimit()) // meet the server's 429s
	for range 3 {
		r, err := c.Raw.ListRegionsWithResponse(t.Context())
		require.NoError(t, err)
		require.Equal(t, 200, r.StatusCode())
	}
	assert.Equal(t, 5, srv.RequestCount(gen.OpListRegions), "3 answered, 2 refused and retried")
}

// lockedBuffer is a strings.Builder safe for the concurrent writes of a
// logger.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
