package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kindPaths are the collection paths of the kinds of the table of
// references; an object is at path + "/" + id.
var kindPaths = map[string]string{
	"network": "/api/v1/networks", "networkConnector": "/api/v1/networks/connectors",
	"networkRoute": "/api/v1/networks/routes", "networkIpService": "/api/v1/networks/ip-services",
	"networkApplication": "/api/v1/networks/applications",
	"host":               "/api/v1/hosts", "hostConnector": "/api/v1/hosts/connectors",
	"hostIpService": "/api/v1/hosts/ip-services", "hostApplication": "/api/v1/hosts/applications",
	"user": "/api/v1/users", "device": "/api/v1/devices", "userGroup": "/api/v1/user-groups",
	"accessGroup": "/api/v1/access-groups", "locationContext": "/api/v1/location-contexts",
	"devicePosture": "/api/v1/device-postures",
}

// tenantAPI creates and reads objects of the table's kinds over HTTP.
type tenantAPI struct {
	t   *testing.T
	srv *Server
	tok string
	// query is the query an object's URL needs (a device's userId).
	query map[string]string
}

// create posts body to the kind's collection (with query) and returns the
// new id.
func (a *tenantAPI) create(kind, query, body string) string {
	a.t.Helper()
	path := kindPaths[kind]
	if query != "" {
		path += "?" + query
	}
	status, _, resp := call(a.t, a.srv, a.tok, "POST", path, "application/json", body)
	require.Contains(a.t, []int{200, 201}, status, "create %s: %s", kind, resp)
	var v struct{ ID string }
	require.NoError(a.t, json.Unmarshal([]byte(resp), &v))
	return v.ID
}

func (a *tenantAPI) url(kind, id string) string {
	u := kindPaths[kind] + "/" + id
	if q := a.query[id]; q != "" {
		u += "?" + q
	}
	return u
}

func (a *tenantAPI) get(kind, id string) (int, string) {
	status, _, body := call(a.t, a.srv, a.tok, "GET", a.url(kind, id), "", "")
	return status, body
}

func (a *tenantAPI) delete(kind, id string) (int, string) {
	status, _, body := call(a.t, a.srv, a.tok, "DELETE", a.url(kind, id), "", "")
	return status, body
}

// refFixture makes a target of kind to and a referrer of kind from that
// names it through the row's field, and returns both ids.
type refFixture func(a *tenantAPI) (target, referrer string)

// accessGroup makes an access group with one item on side.
func accessGroupWith(a *tenantAPI, side, typ, parent string, children ...string) string {
	item := map[string]any{"type": typ, "parent": parent}
	if children != nil {
		item["children"] = children
	}
	b, _ := json.Marshal(map[string]any{"name": "ag", side: []any{item}})
	return a.create("accessGroup", "", string(b))
}

func refFixtures() map[string]refFixture {
	network := func(a *tenantAPI) string { return a.create("network", "", `{"name":"n"}`) }
	host := func(a *tenantAPI) string { return a.create("host", "", `{"name":"h"}`) }
	group := func(a *tenantAPI) string { return a.create("userGroup", "", `{"name":"g"}`) }
	child := func(kind, ownerParam string, owner func(*tenantAPI) string, body string) refFixture {
		return func(a *tenantAPI) (string, string) {
			o := owner(a)
			id := a.create(kind, ownerParam+"="+o, body)
			if kind == "device" {
				a.query[id] = "userId=" + o
			}
			return o, id
		}
	}
	user := func(a *tenantAPI) string {
		return a.create("user", "", fmt.Sprintf(`{"username":"u-%s","email":"u-%[1]s@example.com"}`, newID()))
	}
	f := map[string]refFixture{
		"networkConnector.parent→network":   child("networkConnector", "networkId", network, `{"name":"c","vpnRegionId":"us-east-1"}`),
		"networkRoute.parent→network":       child("networkRoute", "networkId", network, `{"value":"10.0.0.0/24"}`),
		"networkIpService.parent→network":   child("networkIpService", "networkId", network, `{"name":"s"}`),
		"networkApplication.parent→network": child("networkApplication", "networkId", network, `{"name":"a"}`),
		"hostConnector.parent→host":         child("hostConnector", "hostId", host, `{"name":"c","vpnRegionId":"us-east-1"}`),
		"hostIpService.parent→host":         child("hostIpService", "hostId", host, `{"name":"s"}`),
		"hostApplication.parent→host":       child("hostApplication", "hostId", host, `{"name":"a"}`),
		"device.parent→user":                child("device", "userId", user, `{"name":"d"}`),
		"user.groupId→userGroup": func(a *tenantAPI) (string, string) {
			g := group(a)
			return g, a.create("user", "", fmt.Sprintf(`{"username":"u1","email":"u1@example.com","groupId":%q}`, g))
		},
		"user.secondaryGroupIds→userGroup": func(a *tenantAPI) (string, string) {
			g := group(a)
			return g, a.create("user", "", fmt.Sprintf(`{"username":"u2","email":"u2@example.com","secondaryGroupIds":[%q]}`, g))
		},
		"locationContext.userGroupsIds→userGroup": func(a *tenantAPI) (string, string) {
			g := group(a)
			return g, a.create("locationContext", "", fmt.Sprintf(`{"name":"lc","userGroupsIds":[%q]}`, g))
		},
		"devicePosture.userGroupsIds→userGroup": func(a *tenantAPI) (string, string) {
			g := group(a)
			return g, a.create("devicePosture", "", fmt.Sprintf(`{"name":"dp","userGroupsIds":[%q]}`, g))
		},
	}
	for _, side := range []string{"source", "destination"} {
		hostType := map[string]string{"source": "HOST", "destination": "HOST_SERVICE"}[side]
		f["accessGroup."+side+".parent→userGroup"] = func(a *tenantAPI) (string, string) {
			g := group(a)
			return g, accessGroupWith(a, side, "USER_GROUP", g)
		}
		f["accessGroup."+side+".parent→network"] = func(a *tenantAPI) (string, string) {
			n := network(a)
			return n, accessGroupWith(a, side, "NETWORK_SERVICE", n)
		}
		f["accessGroup."+side+".parent→host"] = func(a *tenantAPI) (string, string) {
			h := host(a)
			return h, accessGroupWith(a, side, hostType, h)
		}
		for _, svc := range []struct{ kind, typ, param string }{
			{"networkIpService", "NETWORK_SERVICE", "networkId"}, {"networkApplication", "NETWORK_SERVICE", "networkId"},
			{"hostIpService", hostType, "hostId"}, {"hostApplication", hostType, "hostId"},
		} {
			owner := network
			if svc.param == "hostId" {
				owner = host
			}
			f["accessGroup."+side+".children→"+svc.kind] = func(a *tenantAPI) (string, string) {
				o := owner(a)
				s := a.create(svc.kind, svc.param+"="+o, `{"name":"s"}`)
				return s, accessGroupWith(a, side, svc.typ, o, s)
			}
		}
	}
	return f
}

// TestReferenceTable checks every row of the table of references, for
// each kind it may name, through the API: a referrer naming a target is
// made, the target deleted, and the row's rule must hold. A row without a
// fixture here fails, so a new reference comes with its test.
func TestReferenceTable(t *testing.T) {
	fixtures := refFixtures()
	seen := map[string]bool{}
	for _, row := range references() {
		for _, to := range row.to {
			key := row.from + "." + row.field + "→" + to
			seen[key] = true
			t.Run(key+"/"+row.rule.String(), func(t *testing.T) {
				fixture, ok := fixtures[key]
				require.True(t, ok, "no fixture for the row %s", key)
				srv := NewServer(t)
				a := &tenantAPI{t: t, srv: srv, tok: getToken(t, srv), query: map[string]string{}}
				target, referrer := fixture(a)
				status, body := a.get(row.from, referrer)
				require.Equal(t, 200, status, body)
				if !row.owned { // a route does not show its network
					require.Contains(t, body, target, "the referrer names the target")
				}

				status, body = a.delete(to, target)
				switch row.rule {
				case refuse:
					assert.Equal(t, 400, status, "delete refused: %s", body)
					assert.Contains(t, body, referrer, "the refusal names a referrer")
					status, body = a.get(row.from, referrer)
					assert.Equal(t, 200, status)
					assert.Contains(t, body, target)
				case detach:
					assert.Contains(t, []int{200, 204}, status, "delete: %s", body)
					status, body = a.get(row.from, referrer)
					assert.Equal(t, 200, status, "the referrer stays: %s", body)
					assert.NotContains(t, body, target, "the referrer no longer names the target")
				case cascade:
					assert.Contains(t, []int{200, 204}, status, "delete: %s", body)
					status, body = a.get(row.from, referrer)
					assert.Contains(t, []int{400, 404}, status, "the referrer is gone: %s", body)
				}
				if row.rule != refuse {
					status, _ = a.get(to, target)
					assert.Contains(t, []int{400, 404}, status, "the target is gone")
				}

			})
		}
	}
	for key := range fixtures {
		assert.True(t, seen[key], "fixture %s has no row", key)
	}
}

// TestDanglingReferencesRefused: every non-owned row refuses, on create,
// a target the tenant does not have, under the row's field.
func TestDanglingReferencesRefused(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	missing := newID()
	network, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{"name":"n"}`)
	require.Equal(t, 201, network, body)
	var n struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &n))
	for _, tc := range []struct{ kind, body, field string }{
		{"user", fmt.Sprintf(`{"username":"x","email":"x@example.com","groupId":%q}`, missing), "groupId"},
		{"user", fmt.Sprintf(`{"username":"x","email":"x@example.com","secondaryGroupIds":[%q]}`, missing), "secondaryGroupIds"},
		{"locationContext", fmt.Sprintf(`{"name":"lc","userGroupsIds":[%q]}`, missing), "userGroupsIds"},
		{"devicePosture", fmt.Sprintf(`{"name":"dp","userGroupsIds":[%q]}`, missing), "userGroupsIds"},
		{"accessGroup", fmt.Sprintf(`{"name":"ag","source":[{"type":"USER_GROUP","parent":%q}]}`, missing), "source.parent"},
		{"accessGroup", fmt.Sprintf(`{"name":"ag","source":[{"type":"HOST","parent":%q}]}`, missing), "source.parent"},
		{"accessGroup", fmt.Sprintf(`{"name":"ag","destination":[{"type":"NETWORK_SERVICE","parent":%q,"children":[%q]}]}`, n.ID, missing), "destination.children"},
		{"accessGroup", fmt.Sprintf(`{"name":"ag","destination":[{"type":"HOST_SERVICE","parent":%q}]}`, missing), "destination.parent"},
	} {
		status, _, body := call(t, srv, tok, "POST", kindPaths[tc.kind], "application/json", tc.body)
		require.Equal(t, 400, status, "%s %s: %s", tc.kind, tc.body, body)
		assert.Equal(t, []string{tc.field}, errorFields(t, body), "%s %s", tc.kind, tc.body)
		assert.Contains(t, body, missing)
	}
	// Adding a source to an existing access group is checked the same way.
	status, _, body := call(t, srv, tok, "POST", "/api/v1/access-groups", "application/json", `{"name":"ag"}`)
	require.Equal(t, 201, status, body)
	var ag struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &ag))
	status, _, body = call(t, srv, tok, "POST", "/api/v1/access-groups/"+ag.ID+"/source", "application/json", fmt.Sprintf(`{"type":"NETWORK_SERVICE","parent":%q}`, missing))
	assert.Equal(t, 400, status, body)
	assert.Equal(t, []string{"source.parent"}, errorFields(t, body))
}

// TestCascadesNeverStopHalfWay: a kind that a row cascades to is never
// the target of a refuse row, so a cascade cannot be refused after it
// began.
func TestCascadesNeverStopHalfWay(t *testing.T) {
	rows := references()
	for _, c := range rows {
		if c.rule != cascade {
			continue
		}
		for _, r := range rows {
			if r.rule == refuse {
				assert.False(t, slices.Contains(r.to, c.from), "%s is cascaded to and protected by %s.%s", c.from, r.from, r.field)
			}
		}
	}
}
