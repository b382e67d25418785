package cloudconnexatest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// must fails the test unless the call returned the wanted status.
func must[R response](t *testing.T, want int) func(R, error) R {
	t.Helper()
	return func(r R, err error) R {
		t.Helper()
		require.NoError(t, err)
		require.Equal(t, want, r.StatusCode(), "status; body: %s", body(r))
		return r
	}
}

// errorBody decodes the ErrorResponse of a failed call.
func errorBody(t *testing.T, r response) gen.ErrorResponse {
	t.Helper()
	var e gen.ErrorResponse
	require.NoError(t, json.Unmarshal([]byte(body(r)), &e), "error body %q", body(r))
	return e
}

func TestNetworkLifecycle(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	created := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:       "hq",
		Connectors: []gen.NetworkConnectorRequest{{Name: "hq-1", VPNRegionID: "us-east-1"}},
		Routes:     []gen.NetworkRouteRequest{{Value: "10.0.0.0/16", Description: ptr("lan")}},
	})).JSON201
	require.Len(t, created.Connectors, 1, "created network: %+v", created)
	require.Len(t, created.Routes, 1, "created network: %+v", created)
	conn, route := created.Connectors[0], created.Routes[0]
	assert.Equal(t, created.ID, *conn.NetworkItemID, "connector %+v", conn)
	assert.Equal(t, gen.NetworkItemTypeNetwork, *conn.NetworkItemType, "connector %+v", conn)
	assert.Equal(t, gen.RouteTypeIPv4, *route.Type, "route %+v", route)
	got := must[*gen.GetNetworkResponse](t, 200)(c.GetNetworkWithResponse(ctx, created.ID)).JSON200
	assert.Equal(t, "hq", got.Name, "got %+v", got)
	assert.Equal(t, gen.InternetAccessSplitTunnelOn, *got.InternetAccess, "got %+v", got)
	assert.Equal(t, conn.ID, got.Connectors[0].ID, "got %+v", got)

	// Eleven more, then page through all twelve five at a time.
	for i := range 11 {
		must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("branch-%02d", i)}))
	}
	var names []string
	for p := int32(0); p < 3; p++ {
		pg := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Page: &p, Size: ptr(int32(5))})).JSON200
		assert.EqualValues(t, 12, pg.TotalElements, "page %d: %+v", p, pg)
		assert.EqualValues(t, 3, pg.TotalPages, "page %d: %+v", p, pg)
		assert.Equal(t, p, pg.Page, "page %d: %+v", p, pg)
		assert.EqualValues(t, 5, pg.Size, "page %d: %+v", p, pg)
		assert.Len(t, pg.Content, int(pg.NumberOfElements), "page %d: %+v", p, pg)
		for _, n := range pg.Content {
			names = append(names, n.Name)
		}
	}
	if assert.Len(t, names, 12, "networks in order: %v", names) {
		assert.Equal(t, "hq", names[0], "networks in order")
		assert.Equal(t, "branch-00", names[1], "networks in order")
		assert.Equal(t, "branch-10", names[11], "networks in order")
	}
	past := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Page: ptr(int32(9))})).JSON200
	assert.Empty(t, past.Content, "page past the end: %+v", past)
	assert.EqualValues(t, 12, past.TotalElements, "page past the end: %+v", past)

	// PUT replaces the network's fields and keeps what it owns.
	upd := must[*gen.UpdateNetworkResponse](t, 200)(c.UpdateNetworkWithResponse(ctx, created.ID, gen.NetworkUpdateRequest{
		Name: "headquarters", InternetAccess: ptr(gen.InternetAccessRestrictedInternet),
	})).JSON200
	assert.Equal(t, "headquarters", upd.Name, "updated %+v", upd)
	assert.Equal(t, gen.InternetAccessRestrictedInternet, *upd.InternetAccess, "updated %+v", upd)
	assert.Len(t, upd.Connectors, 1, "updated %+v", upd)

	// A second connector, an IPsec one, then suspend and activate it.
	ipsec := must[*gen.CreateNetworkConnectorResponse](t, 201)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkID: created.ID},
		gen.NetworkConnectorRequest{Name: "aws", VPNRegionID: "eu-central-1", IPSecConfig: &gen.IPSecConfigRequest{Platform: ptr(gen.IPsecPlatformAws)}},
	)).JSON201
	assert.Equal(t, gen.TunnelingProtocolIPsec, *ipsec.TunnelingProtocol, "ipsec connector %+v", ipsec)
	assert.Equal(t, gen.IPsecConnectorStateActive, *ipsec.IPSecConfig.ConnectorState, "ipsec connector %+v", ipsec)
	n := must[*gen.GetNetworkResponse](t, 200)(c.GetNetworkWithResponse(ctx, created.ID)).JSON200
	assert.Len(t, n.Connectors, 2, "network connectors")
	must[*gen.SuspendNetworkConnectorResponse](t, 200)(c.SuspendNetworkConnectorWithResponse(ctx, ipsec.ID))
	s := must[*gen.GetNetworkConnectorResponse](t, 200)(c.GetNetworkConnectorWithResponse(ctx, ipsec.ID)).JSON200
	assert.False(t, *s.Licensed, "suspended connector %+v", s)
	assert.Equal(t, gen.IPsecConnectorStateSuspended, *s.IPSecConfig.ConnectorState, "suspended connector %+v", s)
	assert.Equal(t, gen.ConnectionStatusOffline, *s.ConnectionStatus, "suspended connector %+v", s)
	started, _ := c.StartNetworkConnectorIPsecWithResponse(ctx, ipsec.ID)
	assert.Equal(t, 400, started.StatusCode(), "starting a suspended IPsec connector")
	must[*gen.ActivateNetworkConnectorResponse](t, 200)(c.ActivateNetworkConnectorWithResponse(ctx, ipsec.ID))
	must[*gen.StartNetworkConnectorIPsecResponse](t, 200)(c.StartNetworkConnectorIPsecWithResponse(ctx, ipsec.ID))
	a := must[*gen.GetNetworkConnectorResponse](t, 200)(c.GetNetworkConnectorWithResponse(ctx, ipsec.ID)).JSON200
	assert.True(t, *a.Licensed, "active connector %+v", a)
	assert.Equal(t, gen.IPsecConnectorStateActive, *a.IPSecConfig.ConnectorState, "active connector %+v", a)
	assert.Equal(t, gen.ConnectionStatusOnline, *a.ConnectionStatus, "active connector %+v", a)
	started, _ = c.StartNetworkConnectorIPsecWithResponse(ctx, conn.ID)
	assert.Equal(t, 400, started.StatusCode(), "starting IPsec on an OpenVPN connector")
	prof := must[*gen.GenerateNetworkConnectorProfileResponse](t, 200)(c.GenerateNetworkConnectorProfileWithResponse(ctx, conn.ID))
	assert.Equal(t, "text/plain;charset=UTF-8", prof.HTTPResponse.Header.Get("Content-Type"), "profile Content-Type")
	assert.Contains(t, string(prof.Body), "client\ndev tun", "profile")

	// Connectors, routes and applications need an existing network.
	r := must[*gen.CreateNetworkConnectorResponse](t, 404)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkID: "no-such-network"}, gen.NetworkConnectorRequest{Name: "x", VPNRegionID: "us-east-1"}))
	e := errorBody(t, r)
	assert.Equal(t, "Not Found", *e.StatusError, "error body %+v", e)
	assert.Len(t, e.ErrorDetails["network"], 1, "error body %+v", e)
	must[*gen.CreateNetworkConnectorResponse](t, 400)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkID: created.ID}, gen.NetworkConnectorRequest{Name: "x", VPNRegionID: "xx-nowhere"}))
	app := must[*gen.CreateNetworkApplicationResponse](t, 201)(c.CreateNetworkApplicationWithResponse(ctx,
		&gen.CreateNetworkApplicationParams{NetworkID: created.ID}, gen.NetworkApplicationRequest{Name: "wiki"})).JSON201
	svc := must[*gen.CreateNetworkIPServiceResponse](t, 201)(c.CreateNetworkIPServiceWithResponse(ctx,
		&gen.CreateNetworkIPServiceParams{NetworkID: created.ID}, gen.NetworkIPServiceRequest{Name: "web"})).JSON201

	// Deleting the network deletes everything it owns.
	must[*gen.DeleteNetworkResponse](t, 204)(c.DeleteNetworkWithResponse(ctx, created.ID))
	must[*gen.GetNetworkResponse](t, 404)(c.GetNetworkWithResponse(ctx, created.ID))
	must[*gen.GetNetworkConnectorResponse](t, 404)(c.GetNetworkConnectorWithResponse(ctx, conn.ID))
	must[*gen.GetNetworkConnectorResponse](t, 404)(c.GetNetworkConnectorWithResponse(ctx, ipsec.ID))
	must[*gen.GetNetworkRouteResponse](t, 404)(c.GetNetworkRouteWithResponse(ctx, route.ID))
	must[*gen.GetNetworkIPServiceResponse](t, 404)(c.GetNetworkIPServiceWithResponse(ctx, svc.ID))
	must[*gen.DeleteNetworkResponse](t, 404)(c.DeleteNetworkWithResponse(ctx, created.ID))
	must[*gen.ListNetworkConnectorsResponse](t, 404)(c.ListNetworkConnectorsWithResponse(ctx, &gen.ListNetworkConnectorsParams{NetworkID: &created.ID}))
	// Applications answer 400 "… not found", as the real API does.
	gone := must[*gen.GetNetworkApplicationResponse](t, 400)(c.GetNetworkApplicationWithResponse(ctx, app.ID))
	e = errorBody(t, gone)
	assert.Equal(t, "9-11-6", *e.ErrorDetails["application"][0].ErrorCode, "application not found: %s", body(gone))
	assert.Equal(t, "Application with ID "+app.ID+" not found", *e.ErrorDetails["application"][0].Message, "application not found: %s", body(gone))
	left := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, nil)).JSON200
	assert.EqualValues(t, 11, left.TotalElements, "networks left")
}

func TestHostLifecycle(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	host := must[*gen.CreateHostResponse](t, 201)(c.CreateHostWithResponse(ctx, gen.HostCreateRequest{
		Name: "db", Connectors: []gen.HostConnectorRequest{{Name: "db-1", VPNRegionID: "eu-west-1"}},
	})).JSON201
	require.Len(t, host.Connectors, 1, "host %+v", host)
	require.Equal(t, gen.NetworkItemTypeHost, *host.Connectors[0].NetworkItemType, "host %+v", host)
	connID := host.Connectors[0].ID
	must[*gen.SuspendHostConnectorResponse](t, 200)(c.SuspendHostConnectorWithResponse(ctx, connID))
	hc := must[*gen.GetHostConnectorResponse](t, 200)(c.GetHostConnectorWithResponse(ctx, connID)).JSON200
	assert.False(t, *hc.Licensed, "suspended host connector is licensed")
	app := must[*gen.CreateHostApplicationResponse](t, 201)(c.CreateHostApplicationWithResponse(ctx,
		&gen.CreateHostApplicationParams{HostID: host.ID}, gen.HostApplicationRequest{Name: "admin"})).JSON201
	must[*gen.CreateHostApplicationResponse](t, 404)(c.CreateHostApplicationWithResponse(ctx,
		&gen.CreateHostApplicationParams{HostID: "nope"}, gen.HostApplicationRequest{Name: "admin"}))
	svc := must[*gen.CreateHostIPServiceResponse](t, 201)(c.CreateHostIPServiceWithResponse(ctx,
		&gen.CreateHostIPServiceParams{HostID: host.ID}, gen.HostIPServiceRequest{Name: "pg"})).JSON201
	ag := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{
		Name:        "to-db",
		Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeHostService, Parent: &host.ID, Children: &[]string{svc.ID}}},
	})).JSON201

	must[*gen.DeleteHostResponse](t, 204)(c.DeleteHostWithResponse(ctx, host.ID))
	must[*gen.GetHostResponse](t, 404)(c.GetHostWithResponse(ctx, host.ID))
	must[*gen.GetHostConnectorResponse](t, 404)(c.GetHostConnectorWithResponse(ctx, connID))
	must[*gen.GetHostIPServiceResponse](t, 404)(c.GetHostIPServiceWithResponse(ctx, svc.ID))
	must[*gen.GetHostApplicationResponse](t, 400)(c.GetHostApplicationWithResponse(ctx, app.ID))
	// The access group no longer points at the deleted host.
	g := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, ag.ID)).JSON200
	assert.Empty(t, g.Destination, "access group still points at the host")
}

func TestUsersAndGroups(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	groups := must[*gen.ListUserGroupsResponse](t, 200)(c.ListUserGroupsWithResponse(ctx, nil)).JSON200
	require.EqualValues(t, 1, groups.TotalElements, "seeded groups: %+v", groups)
	require.Equal(t, "Default", groups.Content[0].Name, "seeded groups: %+v", groups)
	defaultGroup := groups.Content[0].ID
	eng := must[*gen.CreateUserGroupResponse](t, 201)(c.CreateUserGroupWithResponse(ctx, gen.UserGroupRequest{Name: "Engineering"})).JSON201

	u := must[*gen.CreateUserResponse](t, 201)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{
		Username: "bob", Email: "bob@example.com", GroupID: &eng.ID, Devices: []gen.DeviceRequest{{Name: "phone"}},
	})).JSON201
	require.Equal(t, eng.ID, *u.GroupID, "created user %+v", u)
	require.Equal(t, gen.UserStatusInvited, *u.Status, "created user %+v", u)
	require.Equal(t, gen.UserRoleMember, *u.Role, "created user %+v", u)
	require.Len(t, u.Devices, 1, "created user %+v", u)
	plain := must[*gen.CreateUserResponse](t, 201)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "carol", Email: "carol@example.com"})).JSON201
	assert.Equal(t, defaultGroup, *plain.GroupID, "user without group: want the Default group")
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "bob", Email: "other@example.com"}))
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "bob2", Email: "BOB@example.com"}))
	// A PUT that leaves out role and group keeps them.
	owner := must[*gen.ListUsersResponse](t, 200)(c.ListUsersWithResponse(ctx, nil)).JSON200.Content[0]
	kept := must[*gen.UpdateUserResponse](t, 200)(c.UpdateUserWithResponse(ctx, owner.ID, gen.UserUpdateRequest{Email: owner.Email, FirstName: ptr("Ollie")})).JSON200
	assert.Equal(t, gen.UserRoleOwner, *kept.Role, "updated owner %+v", kept)
	assert.Equal(t, defaultGroup, *kept.GroupID, "updated owner %+v", kept)
	assert.Equal(t, "Ollie", *kept.FirstName, "updated owner %+v", kept)
	assert.Nil(t, kept.LastName, "updated owner %+v", kept)
	must[*gen.UpdateUserResponse](t, 400)(c.UpdateUserWithResponse(ctx, owner.ID, gen.UserUpdateRequest{Email: "bob@example.com"}))
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "dave", Email: "d@example.com", GroupID: ptr("no-group")}))

	laptop := must[*gen.CreateDeviceResponse](t, 201)(c.CreateDeviceWithResponse(ctx, &gen.CreateDeviceParams{UserID: u.ID}, gen.DeviceRequest{Name: "laptop"})).JSON201
	assert.Equal(t, u.ID, *laptop.UserID, "device %+v", laptop)
	assert.Equal(t, gen.ConnectionStatusOffline, *laptop.ConnectionStatus, "device %+v", laptop)
	got := must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.ID)).JSON200
	assert.Len(t, got.Devices, 2, "user devices")
	l := must[*gen.ListDevicesResponse](t, 200)(c.ListDevicesWithResponse(ctx, &gen.ListDevicesParams{UserID: &u.ID})).JSON200
	assert.EqualValues(t, 2, l.TotalElements, "listDevices?userId")
	// A device is only found through its own user.
	must[*gen.GetDeviceResponse](t, 404)(c.GetDeviceWithResponse(ctx, laptop.ID, &gen.GetDeviceParams{UserID: plain.ID}))
	must[*gen.GenerateDeviceProfileResponse](t, 400)(c.GenerateDeviceProfileWithResponse(ctx, laptop.ID, &gen.GenerateDeviceProfileParams{UserID: u.ID, RegionID: "mars-1"}))

	must[*gen.SuspendUserResponse](t, 200)(c.SuspendUserWithResponse(ctx, u.ID))
	got = must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.ID)).JSON200
	assert.Equal(t, gen.UserStatusSuspended, *got.Status, "status after suspend")
	must[*gen.ActivateUserResponse](t, 200)(c.ActivateUserWithResponse(ctx, u.ID))
	got = must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.ID)).JSON200
	assert.Equal(t, gen.UserStatusActive, *got.Status, "status after activate")
	for _, call := range []func() (response, error){
		func() (response, error) { return c.ResetUserMFAWithResponse(ctx, "nobody") },
		func() (response, error) { return c.ResendUserInvitationWithResponse(ctx, "nobody") },
		func() (response, error) { return c.ForceUserPasswordChangeWithResponse(ctx, "nobody") },
		func() (response, error) { return c.SuspendUserWithResponse(ctx, "nobody") },
	} {
		r, err := call()
		if assert.NoError(t, err, "unknown user") {
			assert.Equal(t, 404, r.StatusCode(), "unknown user")
		}
	}

	// A group with users cannot go, nor can the Default group.
	must[*gen.DeleteUserGroupResponse](t, 400)(c.DeleteUserGroupWithResponse(ctx, eng.ID))
	must[*gen.DeleteUserGroupResponse](t, 400)(c.DeleteUserGroupWithResponse(ctx, defaultGroup))
	must[*gen.DeleteUserResponse](t, 204)(c.DeleteUserWithResponse(ctx, u.ID))
	must[*gen.GetUserResponse](t, 404)(c.GetUserWithResponse(ctx, u.ID))
	must[*gen.GetDeviceResponse](t, 404)(c.GetDeviceWithResponse(ctx, laptop.ID, &gen.GetDeviceParams{UserID: u.ID}))
	l = must[*gen.ListDevicesResponse](t, 200)(c.ListDevicesWithResponse(ctx, nil)).JSON200
	assert.Zero(t, l.TotalElements, "devices left")
	must[*gen.DeleteUserGroupResponse](t, 204)(c.DeleteUserGroupWithResponse(ctx, eng.ID))
}

func TestSettingsRoundTrip(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	// Text settings: GET answers the default as bare text/plain, PUT stores
	// and echoes the new value, GET answers it.
	text := []struct {
		name     string
		get, set func() (response, error)
		def, new string
	}{
		{"topology", func() (response, error) { return c.GetTopologyWithResponse(ctx) },
			func() (response, error) { return c.SetTopologyWithTextBodyWithResponse(ctx, gen.TopologyCustom) }, "FULL_MESH", "CUSTOM"},
		{"default region", func() (response, error) { return c.GetDefaultRegionWithResponse(ctx) },
			func() (response, error) { return c.SetDefaultRegionWithTextBodyWithResponse(ctx, "ap-southeast-1") }, "us-east-1", "ap-southeast-1"},
		{"profile distribution", func() (response, error) { return c.GetProfileDistributionWithResponse(ctx) },
			func() (response, error) {
				return c.SetProfileDistributionWithTextBodyWithResponse(ctx, gen.ProfileDistributionManual)
			}, "AUTOMATIC", "MANUAL"},
		{"device enforcement", func() (response, error) { return c.GetDeviceEnforcementWithResponse(ctx) },
			func() (response, error) {
				return c.SetDeviceEnforcementWithTextBodyWithResponse(ctx, gen.DeviceEnforcementEnforce)
			}, "OFF", "ENFORCE"},
		{"connect auth", func() (response, error) { return c.GetConnectAuthWithResponse(ctx) },
			func() (response, error) { return c.SetConnectAuthWithTextBodyWithResponse(ctx, gen.ConnectAuthNoAuth) }, "ON_PRIOR_AUTH", "NO_AUTH"},
		{"ip allocation mode", func() (response, error) { return c.GetIPAllocationModeWithResponse(ctx) },
			func() (response, error) {
				return c.SetIPAllocationModeWithTextBodyWithResponse(ctx, gen.IPAllocationModeIPV4Only)
			}, "BOTH", "IP_V4_ONLY"},
		{"dns suffix as JSON", func() (response, error) { return c.GetDefaultDNSSuffixWithResponse(ctx) },
			func() (response, error) { return c.SetDefaultDNSSuffixWithResponse(ctx, "json.example") }, "", "json.example"},
		{"dns suffix as text", func() (response, error) { return c.GetDefaultDNSSuffixWithResponse(ctx) },
			func() (response, error) { return c.SetDefaultDNSSuffixWithTextBodyWithResponse(ctx, "text.example") }, "json.example", "text.example"},
	}
	for _, tc := range text {
		t.Run(tc.name, func(t *testing.T) {
			for _, step := range []struct {
				call func() (response, error)
				want string
			}{{tc.get, tc.def}, {tc.set, tc.new}, {tc.get, tc.new}} {
				r, err := step.call()
				require.NoError(t, err, "%v", r)
				require.Equal(t, 200, r.StatusCode(), "%v", r)
				assert.Equal(t, step.want, body(r), "body")
				assert.Equal(t, "text/plain;charset=UTF-8", httpResponse(r).Header.Get("Content-Type"), "Content-Type")
			}
		})
	}
	must[*gen.SetDefaultRegionResponse](t, 400)(c.SetDefaultRegionWithTextBodyWithResponse(ctx, "xx-nowhere"))
	// Requests that break the document go through a client that does not
	// validate them itself.
	must[*gen.SetTopologyResponse](t, 400)(plainClient(t, srv).SetTopologyWithTextBodyWithResponse(ctx, "STAR"))

	// JSON settings.
	zones := gen.DNSZones{Zones: &[]gen.DNSZone{{Name: "corp.example", Addresses: &[]string{"10.0.0.53", "fd00::53"}}}}
	gotZones := must[*gen.SetDNSZonesResponse](t, 200)(c.SetDNSZonesWithResponse(ctx, zones)).JSON200
	assert.Len(t, *gotZones.Zones, 1, "set zones: %+v", gotZones)
	gotZones = must[*gen.GetDNSZonesResponse](t, 200)(c.GetDNSZonesWithResponse(ctx)).JSON200
	assert.Equal(t, "fd00::53", (*(*gotZones.Zones)[0].Addresses)[1], "get zones: %+v", gotZones)
	must[*gen.SetSubnetResponse](t, 200)(c.SetSubnetWithResponse(ctx, gen.Subnet{IPV4Address: &[]string{"100.64.0.0/10"}}))
	subnet := must[*gen.GetSubnetResponse](t, 200)(c.GetSubnetWithResponse(ctx)).JSON200
	assert.Equal(t, "100.64.0.0/10", (*subnet.IPV4Address)[0], "subnet %+v", subnet)
	must[*gen.SetSubnetResponse](t, 400)(c.SetSubnetWithResponse(ctx, gen.Subnet{IPV4Address: &[]string{"not-a-subnet"}}))
	must[*gen.SetDNSCustomServersResponse](t, 400)(c.SetDNSCustomServersWithResponse(ctx, gen.DNSServerAddresses{PrimaryIPv4: ptr("fd00::1")}))
	must[*gen.SetDNSZonesResponse](t, 400)(c.SetDNSZonesWithResponse(ctx, gen.DNSZones{Zones: &[]gen.DNSZone{{Name: "x.example", Addresses: &[]string{"nope"}}}}))
	must[*gen.SetDeviceAllowanceResponse](t, 400)(c.SetDeviceAllowanceWithResponse(ctx, 0))
	assert.EqualValues(t, 7, *must[*gen.SetDeviceAllowanceResponse](t, 200)(c.SetDeviceAllowanceWithResponse(ctx, 7)).JSON200, "device allowance")
	assert.EqualValues(t, 7, *must[*gen.GetDeviceAllowanceResponse](t, 200)(c.GetDeviceAllowanceWithResponse(ctx)).JSON200, "device allowance")
	for _, b := range []bool{false, true} {
		must[*gen.SetSNATResponse](t, 200)(c.SetSNATWithResponse(ctx, b))
		assert.Equal(t, b, *must[*gen.GetSNATResponse](t, 200)(c.GetSNATWithResponse(ctx)).JSON200, "snat")
	}
	opts := []string{"block-outside-dns", "redirect-gateway"}
	must[*gen.SetClientOptionsResponse](t, 200)(c.SetClientOptionsWithResponse(ctx, opts))
	assert.Equal(t, opts, *must[*gen.GetClientOptionsResponse](t, 200)(c.GetClientOptionsWithResponse(ctx)).JSON200, "client options")
	assert.False(t, *must[*gen.GetDNSLogEnabledResponse](t, 200)(c.GetDNSLogEnabledWithResponse(ctx)).JSON200, "DNS log on by default")
	must[*gen.EnableDNSLogResponse](t, 200)(c.EnableDNSLogWithResponse(ctx))
	assert.True(t, *must[*gen.GetDNSLogEnabledResponse](t, 200)(c.GetDNSLogEnabledWithResponse(ctx)).JSON200, "DNS log off after enable")
	must[*gen.EnableAccessVisibilityResponse](t, 200)(c.EnableAccessVisibilityWithResponse(ctx))
	assert.True(t, *must[*gen.GetAccessVisibilityEnabledResponse](t, 200)(c.GetAccessVisibilityEnabledWithResponse(ctx)).JSON200, "Access Visibility off after enable")
}

// httpResponse returns the HTTPResponse field of a generated response.
func httpResponse(r response) *http.Response {
	return reflect.ValueOf(r).Elem().FieldByName("HTTPResponse").Interface().(*http.Response)
}

func TestSessionsCursor(t *testing.T) {
	const n = 23
	srv := NewServer(t, WithSessions(n))
	c := genClient(t, srv)
	ctx := context.Background()

	seen := map[string]int{}
	var cursor *string
	batches := 0
	for {
		r := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 7, Cursor: cursor})).JSON200
		batches++
		for _, s := range r.Sessions {
			seen[s.ID]++
		}
		if r.NextCursor == nil {
			assert.Len(t, r.Sessions, n%7, "last batch")
			break
		}
		assert.Len(t, r.Sessions, 7, "batch %d", batches)
		cursor = r.NextCursor
		require.LessOrEqual(t, batches, 10, "cursor never ends")
	}
	assert.Equal(t, (n+6)/7, batches, "batches")
	assert.Len(t, seen, n, "distinct sessions")
	for id, k := range seen {
		assert.Equal(t, 1, k, "times session %s was seen", id)
	}
	// Last raw body has no nextCursor key at all.
	last := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 100}))
	assert.NotContains(t, string(last.Body), "nextCursor", "single batch carries nextCursor")
	active := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 100, Status: ptr(gen.SessionStatusActive)})).JSON200
	assert.NotEmpty(t, active.Sessions, "status filter kept none")
	assert.NotEqual(t, n, len(active.Sessions), "status filter kept all")
	must[*gen.ListSessionsResponse](t, 400)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 7, Cursor: ptr("garbage")}))
	must[*gen.ListSessionsResponse](t, 400)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 7, StartDate: ptr(time.Now().Add(-40 * 24 * time.Hour))}))
	old := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{
		Size: 100, StartDate: ptr(time.Now().Add(-72 * time.Hour)), EndDate: ptr(time.Now().Add(-48 * time.Hour)),
	})).JSON200
	assert.Empty(t, old.Sessions, "sessions two days ago")
}

func TestAuditLogRecordsChanges(t *testing.T) {
	clock := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithoutSeed(), WithAuditLogs(5), WithClock(clock.Now))
	c := genClient(t, srv)
	ctx := context.Background()
	must[*gen.CreateDNSRecordResponse](t, 201)(c.CreateDNSRecordWithResponse(ctx, gen.DNSRecordRequest{Domain: "a.example"}))
	must[*gen.CreateDNSRecordResponse](t, 400)(c.CreateDNSRecordWithResponse(ctx, gen.DNSRecordRequest{Domain: "b.example", IPv4Addresses: &[]string{"::1"}}))

	var all []gen.AuditLogResponse
	var cursor *string
	for {
		r := must[*gen.ListAuditLogsResponse](t, 200)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{Size: 4, Cursor: cursor})).JSON200
		all = append(all, r.AuditLogs...)
		if cursor = r.NextCursor; cursor == nil {
			break
		}
	}
	require.Len(t, all, 6, "audit records (5 seeded + 1 change)")
	last := all[5]
	assert.Equal(t, "createDnsRecord", *last.Operation, "audit record %+v", last)
	assert.Equal(t, "DNS Record", *last.EntityType, "audit record %+v", last)
	assert.NotNil(t, last.EntityID, "audit record %+v", last)
	assert.Equal(t, srv.ClientID, *last.InitiatorID, "audit record %+v", last)
	mine := must[*gen.ListAuditLogsResponse](t, 200)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{Size: 100, InitiatorID: &srv.ClientID})).JSON200
	assert.Len(t, mine.AuditLogs, 1, "records of this API key")
	assert.True(t, last.Timestamp.Equal(clock.Now()), "timestamp %v, want the injected clock's %v", last.Timestamp, clock.Now())
	must[*gen.ListAuditLogsResponse](t, 400)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{
		Size: 4, StartDate: ptr(clock.Now().Add(-72 * time.Hour)), EndDate: ptr(clock.Now()),
	}))
}

func TestDnsResolutionsPage(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	r := must[*gen.ListUserDNSResolutionsResponse](t, 200)(c.ListUserDNSResolutionsWithResponse(ctx, &gen.ListUserDNSResolutionsParams{
		StartHour: time.Now().UTC(), HoursBack: ptr(int32(2)), Size: ptr(int32(10)),
	})).JSON200
	// Three hours (this one and two back), three domains each.
	assert.EqualValues(t, 9, r.TotalElements, "page %+v", r)
	assert.Len(t, r.Content, 9, "page %+v", r)
	assert.EqualValues(t, 10, r.Size, "page %+v", r)
	must[*gen.ListUserDNSResolutionsResponse](t, 400)(plainClient(t, srv).ListUserDNSResolutionsWithResponse(ctx, &gen.ListUserDNSResolutionsParams{
		StartHour: time.Now(), Size: ptr(int32(5)),
	}))
}

// clock is a settable time source for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
