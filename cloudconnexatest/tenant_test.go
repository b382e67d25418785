package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRealisticTenant(t *testing.T) {
	srv := NewServer(t, WithTenant(RealisticTenant(7)))
	c := srv.Client()
	ctx := t.Context()

	var users []gen.UserResponse
	for u, err := range c.Users.All(ctx, nil) {
		require.NoError(t, err)
		users = append(users, u)
	}
	assert.Len(t, users, 301, "300 users and the owner")
	devices := 0
	for _, u := range users {
		devices += len(u.Devices)
	}
	assert.Equal(t, 600, devices)

	nets, err := c.Raw.ListNetworksWithResponse(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 8, nets.JSON200.TotalElements)
	n := nets.JSON200.Content[0]
	assert.Len(t, n.Connectors, 2)
	assert.Len(t, n.Routes, 3)
	groups, err := c.Raw.ListUserGroupsWithResponse(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6, groups.JSON200.TotalElements)
	hosts, err := c.Raw.ListHostsWithResponse(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6, hosts.JSON200.TotalElements)

	// The same seed gives the same tenant, ids included; another seed another.
	again := NewServer(t, WithTenant(RealisticTenant(7)))
	other := NewServer(t, WithTenant(RealisticTenant(8)))
	first := func(s *Server) gen.NetworkResponse {
		r, err := s.Client().Raw.ListNetworksWithResponse(ctx, nil)
		require.NoError(t, err)
		return r.JSON200.Content[0]
	}
	assert.Equal(t, n, first(again))
	assert.NotEqual(t, n.ID, first(other).ID)
}

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, o := range []Option{
		WithTokenTTL(0), WithTokenTTL(-5 * time.Second),
		WithEnforcedRateLimit(-1, 1, time.Second), WithEnforcedRateLimit(1, 0, time.Second), WithEnforcedRateLimit(1, 1, 0),
		WithSessions(-1), WithAuditLogs(-2), WithTenant(Tenant{Users: -1}),
	} {
		_, err := Start(o)
		assert.Error(t, err)
		_, err = NewHandler(o)
		assert.Error(t, err)
	}
	tb := &fatalTB{TB: t}
	msg := runFatal(tb, func() { NewServer(tb, WithTokenTTL(-time.Second)) })
	assert.Contains(t, msg, "WithTokenTTL(-1s)")
}

func TestStoreIndexes(t *testing.T) {
	s := newStore[int]()
	for i := range 1000 {
		s.put(fmt.Sprint(i), fmt.Sprint("p", i%10), i)
	}
	assert.Len(t, s.ids("p3"), 100)
	for i := 0; i < 1000; i += 2 {
		require.True(t, s.remove(fmt.Sprint(i)))
	}
	assert.False(t, s.remove("0"))
	assert.Equal(t, 500, s.len())
	ids := s.ids("")
	require.Len(t, ids, 500)
	assert.Equal(t, "1", ids[0])
	assert.Equal(t, "999", ids[499])
	assert.Empty(t, s.ids("p4"), "children of p4 were all even")
	assert.Len(t, s.ids("p3"), 100)
	s.put("3", "", -3) // replace in place, parent kept
	assert.Equal(t, "p3", s.parentOf("3"))
	v, ok := s.get("3")
	assert.True(t, ok)
	assert.Equal(t, -3, v)
	assert.Equal(t, "3", s.ids("")[1], "a replaced item keeps its place")
	s.removeChildren("p3")
	assert.Empty(t, s.ids("p3"))
	assert.Equal(t, 400, s.len())
}

func TestUserUniquenessIndex(t *testing.T) {
	srv := NewServer(t, WithTenant(Tenant{Seed: 1, Users: 3}))
	tok := getToken(t, srv)
	post := func(username, email string) (int, string) {
		status, _, body := call(t, srv, tok, "POST", "/api/v1/users", "application/json",
			fmt.Sprintf(`{"username":%q,"email":%q}`, username, email))
		return status, body
	}
	status, body := post("USER0001", "new@example.com")
	assert.Equal(t, 400, status, "a seeded username, in another case: %s", body)
	status, body = post("new", "Owner@Example.com")
	assert.Equal(t, 400, status, "the owner's e-mail: %s", body)
	status, body = post("ada", "ada@example.com")
	require.Equal(t, 201, status, body)
	var u gen.UserResponse
	require.NoError(t, json.Unmarshal([]byte(body), &u))

	// A changed e-mail frees the old one; a deleted user frees both.
	status, _, body = call(t, srv, tok, "PUT", "/api/v1/users/"+u.ID, "application/json", `{"email":"lovelace@example.com"}`)
	require.Equal(t, 200, status, body)
	status, body = post("ada2", "ada@example.com")
	require.Equal(t, 201, status, body)
	status, body = post("ada3", "lovelace@example.com")
	assert.Equal(t, 400, status, body)
	status, _, body = call(t, srv, tok, "DELETE", "/api/v1/users/"+u.ID, "", "")
	require.Equal(t, 204, status, body)
	status, body = post("ada", "lovelace@example.com")
	assert.Equal(t, 201, status, body)
}

// TestRealisticTenantFillsEveryRead reads every list and setting of the
// API (every GET without a path parameter) from RealisticTenant and finds
// each non-empty: a page has content, a cursor list items, a text setting
// text, and every list an answer holds is non-empty. The kinds reference
// each other as in a real tenant.
func TestRealisticTenantFillsEveryRead(t *testing.T) {
	srv := NewServer(t, WithTenant(RealisticTenant(7)))
	tok := getToken(t, srv)
	reads := 0
	for _, op := range gen.Operations {
		if op.Method != "GET" || strings.Contains(op.Path, "{") {
			continue
		}
		reads++
		path := op.Path
		switch gen.OperationID(op.ID) {
		case gen.OpListSessions, gen.OpListAuditLogs:
			path += "?size=100"
		case gen.OpListUserDNSResolutions:
			path += "?startHour=" + url.QueryEscape(time.Now().UTC().Format(time.RFC3339)) + "&hoursBack=2"
		}
		status, _, body := call(t, srv, tok, "GET", path, "", "")
		require.Equal(t, 200, status, "%s: %s", op.ID, body)
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			v = body // a text setting
		}
		assert.Empty(t, emptyParts(v), "%s answers %.300s", op.ID, body)
	}
	assert.Equal(t, 44, reads, "the reads of the API")

	// Cross-references, as in a real tenant.
	var groups struct{ Content []gen.UserGroupResponse }
	readJSON(t, srv, tok, "/api/v1/user-groups?size=100", &groups)
	var users struct{ Content []gen.UserResponse }
	readJSON(t, srv, tok, "/api/v1/users?size=1000", &users)
	members := map[string]int{}
	secondary := 0
	for _, u := range users.Content {
		members[deref(u.GroupID, "")]++
		for _, g := range u.SecondaryGroupIDs {
			members[g]++
			secondary++
		}
	}
	assert.Positive(t, secondary, "secondary group memberships")
	for _, g := range groups.Content {
		assert.Positive(t, members[g.ID], "members of group %s", g.Name)
	}
	var ags struct{ Content []gen.AccessGroupResponse }
	readJSON(t, srv, tok, "/api/v1/access-groups", &ags)
	for _, ag := range ags.Content {
		assert.NotEmpty(t, ag.Source, ag.Name)
		assert.NotEmpty(t, ag.Destination, ag.Name)
	}
	var lcs struct{ Content []gen.LocationContextResponse }
	readJSON(t, srv, tok, "/api/v1/location-contexts", &lcs)
	for _, lc := range lcs.Content {
		assert.NotEmpty(t, lc.UserGroupsIDs, lc.Name)
	}
	var dps struct{ Content []gen.DevicePostureResponse }
	readJSON(t, srv, tok, "/api/v1/device-postures", &dps)
	for _, dp := range dps.Content {
		assert.NotEmpty(t, dp.UserGroupsIDs, dp.Name)
	}

	// Deterministic per seed: the same seed reads the same, everything.
	again := NewServer(t, WithTenant(RealisticTenant(7)))
	tok2 := getToken(t, again)
	for _, p := range []string{"/api/v1/access-groups", "/api/v1/dns-records", "/api/v1/device-postures", "/api/v1/location-contexts", "/api/v1/networks/applications", "/api/v1/settings/dns/zones", "/api/v1/settings/auth/ldap/group-mappings", "/api/v1/users?size=20"} {
		_, _, a := call(t, srv, tok, "GET", p, "", "")
		_, _, b := call(t, again, tok2, "GET", p, "", "")
		assert.JSONEq(t, a, b, p)
	}
}

// emptyParts returns what is empty in an answer: the answer itself, or a
// list it holds (a page's content included), or a string property.
func emptyParts(v any) []string {
	var out []string
	switch x := v.(type) {
	case nil:
		out = append(out, "null")
	case string:
		if x == "" {
			out = append(out, `""`)
		}
	case []any:
		if len(x) == 0 {
			out = append(out, "[]")
		}
	case map[string]any:
		if len(x) == 0 {
			out = append(out, "{}")
		}
		for k, p := range x {
			switch y := p.(type) {
			case []any:
				if len(y) == 0 {
					out = append(out, k)
				}
			case string:
				if y == "" {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

func readJSON(t *testing.T, srv *Server, tok, path string, v any) {
	t.Helper()
	status, _, body := call(t, srv, tok, "GET", path, "", "")
	require.Equal(t, 200, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), v))
}

// TestAuditLogIsBounded: the audit log keeps the last MaxAuditLogs
// records, however many changes were made.
func TestAuditLogIsBounded(t *testing.T) {
	st := newState(config{now: time.Now, auditLogs: MaxAuditLogs - 5})
	require.Len(t, st.auditRecords(), MaxAuditLogs-5)
	op := &opInfo{id: "createNetwork", tag: "Network"}
	r := httptest.NewRequest("POST", "/api/v1/networks", nil)
	for i := range 3*MaxAuditLogs + 7 {
		st.audit(op, r, gen.NetworkResponse{ID: strconv.Itoa(i)}, time.Now())
		require.LessOrEqual(t, len(st.auditLogs), 2*MaxAuditLogs)
	}
	recs := st.auditRecords()
	require.Len(t, recs, MaxAuditLogs)
	assert.Equal(t, strconv.Itoa(3*MaxAuditLogs+6), *recs[len(recs)-1].EntityID, "the newest kept")
	assert.Equal(t, strconv.Itoa(2*MaxAuditLogs+7), *recs[0].EntityID, "the oldest kept")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, newID())
}
