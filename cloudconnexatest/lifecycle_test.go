package cloudconnexatest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// must fails the test unless the call returned the wanted status.
func must[R response](t *testing.T, want int) func(R, error) R {
	t.Helper()
	return func(r R, err error) R {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode() != want {
			t.Fatalf("status %d, want %d: %s", r.StatusCode(), want, body(r))
		}
		return r
	}
}

// errorBody decodes the ErrorResponse of a failed call.
func errorBody(t *testing.T, r response) gen.ErrorResponse {
	t.Helper()
	var e gen.ErrorResponse
	if err := json.Unmarshal([]byte(body(r)), &e); err != nil {
		t.Fatalf("error body %q: %v", body(r), err)
	}
	return e
}

func TestNetworkLifecycle(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	created := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{
		Name:       "hq",
		Connectors: []gen.NetworkConnectorRequest{{Name: "hq-1", VpnRegionId: "us-nyc"}},
		Routes:     []gen.NetworkRouteRequest{{Value: "10.0.0.0/16", Description: ptr("lan")}},
	})).JSON201
	if len(created.Connectors) != 1 || len(created.Routes) != 1 {
		t.Fatalf("created network: %+v", created)
	}
	conn, route := created.Connectors[0], created.Routes[0]
	if *conn.NetworkItemId != created.Id || *conn.NetworkItemType != gen.NetworkItemTypeNetwork || *route.Type != gen.RouteTypeIpV4 {
		t.Errorf("connector %+v, route %+v", conn, route)
	}
	got := must[*gen.GetNetworkResponse](t, 200)(c.GetNetworkWithResponse(ctx, created.Id)).JSON200
	if got.Name != "hq" || *got.InternetAccess != gen.InternetAccessSplitTunnelOn || got.Connectors[0].Id != conn.Id {
		t.Errorf("got %+v", got)
	}

	// Eleven more, then page through all twelve five at a time.
	for i := range 11 {
		must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: fmt.Sprintf("branch-%02d", i)}))
	}
	var names []string
	for p := int32(0); p < 3; p++ {
		pg := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Page: &p, Size: ptr(int32(5))})).JSON200
		if pg.TotalElements != 12 || pg.TotalPages != 3 || pg.Page != p || pg.Size != 5 || int(pg.NumberOfElements) != len(pg.Content) {
			t.Errorf("page %d: %+v", p, pg)
		}
		for _, n := range pg.Content {
			names = append(names, n.Name)
		}
	}
	if len(names) != 12 || names[0] != "hq" || names[1] != "branch-00" || names[11] != "branch-10" {
		t.Errorf("networks in order: %v", names)
	}
	past := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, &gen.ListNetworksParams{Page: ptr(int32(9))})).JSON200
	if len(past.Content) != 0 || past.TotalElements != 12 {
		t.Errorf("page past the end: %+v", past)
	}

	// PUT replaces the network's fields and keeps what it owns.
	upd := must[*gen.UpdateNetworkResponse](t, 200)(c.UpdateNetworkWithResponse(ctx, created.Id, gen.NetworkUpdateRequest{
		Name: "headquarters", InternetAccess: ptr(gen.InternetAccessRestrictedInternet),
	})).JSON200
	if upd.Name != "headquarters" || *upd.InternetAccess != gen.InternetAccessRestrictedInternet || len(upd.Connectors) != 1 {
		t.Errorf("updated %+v", upd)
	}

	// A second connector, an IPsec one, then suspend and activate it.
	ipsec := must[*gen.CreateNetworkConnectorResponse](t, 201)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkId: created.Id},
		gen.NetworkConnectorRequest{Name: "aws", VpnRegionId: "de-fra", IpSecConfig: &gen.IpSecConfigRequest{Platform: ptr(gen.IpSecPlatformAws)}},
	)).JSON201
	if *ipsec.TunnelingProtocol != gen.TunnelingProtocolIpsec || *ipsec.IpSecConfig.ConnectorState != gen.IpSecConnectorStateActive {
		t.Errorf("ipsec connector %+v", ipsec)
	}
	if n := must[*gen.GetNetworkResponse](t, 200)(c.GetNetworkWithResponse(ctx, created.Id)).JSON200; len(n.Connectors) != 2 {
		t.Errorf("network has %d connectors, want 2", len(n.Connectors))
	}
	must[*gen.SuspendNetworkConnectorResponse](t, 200)(c.SuspendNetworkConnectorWithResponse(ctx, ipsec.Id))
	s := must[*gen.GetNetworkConnectorResponse](t, 200)(c.GetNetworkConnectorWithResponse(ctx, ipsec.Id)).JSON200
	if *s.Licensed || *s.IpSecConfig.ConnectorState != gen.IpSecConnectorStateSuspended || *s.ConnectionStatus != gen.ConnectionStatusOffline {
		t.Errorf("suspended connector %+v", s)
	}
	if r, _ := c.StartNetworkConnectorIpSecWithResponse(ctx, ipsec.Id); r.StatusCode() != 400 {
		t.Errorf("starting a suspended IPsec connector: %d", r.StatusCode())
	}
	must[*gen.ActivateNetworkConnectorResponse](t, 200)(c.ActivateNetworkConnectorWithResponse(ctx, ipsec.Id))
	must[*gen.StartNetworkConnectorIpSecResponse](t, 200)(c.StartNetworkConnectorIpSecWithResponse(ctx, ipsec.Id))
	a := must[*gen.GetNetworkConnectorResponse](t, 200)(c.GetNetworkConnectorWithResponse(ctx, ipsec.Id)).JSON200
	if !*a.Licensed || *a.IpSecConfig.ConnectorState != gen.IpSecConnectorStateActive || *a.ConnectionStatus != gen.ConnectionStatusOnline {
		t.Errorf("active connector %+v", a)
	}
	if r, _ := c.StartNetworkConnectorIpSecWithResponse(ctx, conn.Id); r.StatusCode() != 400 {
		t.Errorf("starting IPsec on an OpenVPN connector: %d", r.StatusCode())
	}
	prof := must[*gen.GenerateNetworkConnectorProfileResponse](t, 200)(c.GenerateNetworkConnectorProfileWithResponse(ctx, conn.Id))
	if ct := prof.HTTPResponse.Header.Get("Content-Type"); ct != "text/plain;charset=UTF-8" || !strings.Contains(string(prof.Body), "client\ndev tun") {
		t.Errorf("profile %q (%s)", prof.Body, ct)
	}

	// Connectors, routes and applications need an existing network.
	r := must[*gen.CreateNetworkConnectorResponse](t, 404)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkId: "no-such-network"}, gen.NetworkConnectorRequest{Name: "x", VpnRegionId: "us-nyc"}))
	if e := errorBody(t, r); *e.StatusError != "Not Found" || len(e.ErrorDetails["network"]) != 1 {
		t.Errorf("error body %+v", e)
	}
	must[*gen.CreateNetworkConnectorResponse](t, 400)(c.CreateNetworkConnectorWithResponse(ctx,
		&gen.CreateNetworkConnectorParams{NetworkId: created.Id}, gen.NetworkConnectorRequest{Name: "x", VpnRegionId: "xx-nowhere"}))
	app := must[*gen.CreateNetworkApplicationResponse](t, 201)(c.CreateNetworkApplicationWithResponse(ctx,
		&gen.CreateNetworkApplicationParams{NetworkId: created.Id}, gen.NetworkApplicationRequest{Name: "wiki"})).JSON201
	svc := must[*gen.CreateNetworkIpServiceResponse](t, 201)(c.CreateNetworkIpServiceWithResponse(ctx,
		&gen.CreateNetworkIpServiceParams{NetworkId: created.Id}, gen.NetworkIpServiceRequest{Name: "web"})).JSON201

	// Deleting the network deletes everything it owns.
	must[*gen.DeleteNetworkResponse](t, 204)(c.DeleteNetworkWithResponse(ctx, created.Id))
	must[*gen.GetNetworkResponse](t, 404)(c.GetNetworkWithResponse(ctx, created.Id))
	must[*gen.GetNetworkConnectorResponse](t, 404)(c.GetNetworkConnectorWithResponse(ctx, conn.Id))
	must[*gen.GetNetworkConnectorResponse](t, 404)(c.GetNetworkConnectorWithResponse(ctx, ipsec.Id))
	must[*gen.GetNetworkRouteResponse](t, 404)(c.GetNetworkRouteWithResponse(ctx, route.Id))
	must[*gen.GetNetworkIpServiceResponse](t, 404)(c.GetNetworkIpServiceWithResponse(ctx, svc.Id))
	must[*gen.DeleteNetworkResponse](t, 404)(c.DeleteNetworkWithResponse(ctx, created.Id))
	must[*gen.ListNetworkConnectorsResponse](t, 404)(c.ListNetworkConnectorsWithResponse(ctx, &gen.ListNetworkConnectorsParams{NetworkId: &created.Id}))
	// Applications answer 400 "Entity does not exist", as the real API does.
	gone := must[*gen.GetNetworkApplicationResponse](t, 400)(c.GetNetworkApplicationWithResponse(ctx, app.Id))
	if e := errorBody(t, gone); *e.ErrorDetails["application"][0].ErrorCode != "9-11-6" || *e.ErrorDetails["application"][0].Message != "Entity does not exist" {
		t.Errorf("application not found: %s", body(gone))
	}
	if n := must[*gen.ListNetworksResponse](t, 200)(c.ListNetworksWithResponse(ctx, nil)).JSON200; n.TotalElements != 11 {
		t.Errorf("%d networks left, want 11", n.TotalElements)
	}
}

func TestHostLifecycle(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	host := must[*gen.CreateHostResponse](t, 201)(c.CreateHostWithResponse(ctx, gen.HostCreateRequest{
		Name: "db", Connectors: []gen.HostConnectorRequest{{Name: "db-1", VpnRegionId: "gb-lon"}},
	})).JSON201
	if len(host.Connectors) != 1 || *host.Connectors[0].NetworkItemType != gen.NetworkItemTypeHost {
		t.Fatalf("host %+v", host)
	}
	connID := host.Connectors[0].Id
	must[*gen.SuspendHostConnectorResponse](t, 200)(c.SuspendHostConnectorWithResponse(ctx, connID))
	if hc := must[*gen.GetHostConnectorResponse](t, 200)(c.GetHostConnectorWithResponse(ctx, connID)).JSON200; *hc.Licensed {
		t.Errorf("suspended host connector is licensed")
	}
	app := must[*gen.CreateHostApplicationResponse](t, 201)(c.CreateHostApplicationWithResponse(ctx,
		&gen.CreateHostApplicationParams{HostId: host.Id}, gen.HostApplicationRequest{Name: "admin"})).JSON201
	must[*gen.CreateHostApplicationResponse](t, 404)(c.CreateHostApplicationWithResponse(ctx,
		&gen.CreateHostApplicationParams{HostId: "nope"}, gen.HostApplicationRequest{Name: "admin"}))
	svc := must[*gen.CreateHostIpServiceResponse](t, 201)(c.CreateHostIpServiceWithResponse(ctx,
		&gen.CreateHostIpServiceParams{HostId: host.Id}, gen.HostIpServiceRequest{Name: "pg"})).JSON201
	ag := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{
		Name:        "to-db",
		Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeHostService, Parent: &host.Id, Children: &[]string{svc.Id}}},
	})).JSON201

	must[*gen.DeleteHostResponse](t, 204)(c.DeleteHostWithResponse(ctx, host.Id))
	must[*gen.GetHostResponse](t, 404)(c.GetHostWithResponse(ctx, host.Id))
	must[*gen.GetHostConnectorResponse](t, 404)(c.GetHostConnectorWithResponse(ctx, connID))
	must[*gen.GetHostIpServiceResponse](t, 404)(c.GetHostIpServiceWithResponse(ctx, svc.Id))
	must[*gen.GetHostApplicationResponse](t, 400)(c.GetHostApplicationWithResponse(ctx, app.Id))
	// The access group no longer points at the deleted host.
	if g := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, ag.Id)).JSON200; len(g.Destination) != 0 {
		t.Errorf("access group still has %+v", g.Destination)
	}
}

func TestUsersAndGroups(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	groups := must[*gen.ListUserGroupsResponse](t, 200)(c.ListUserGroupsWithResponse(ctx, nil)).JSON200
	if groups.TotalElements != 1 || groups.Content[0].Name != "Default" {
		t.Fatalf("seeded groups: %+v", groups)
	}
	defaultGroup := groups.Content[0].Id
	eng := must[*gen.CreateUserGroupResponse](t, 201)(c.CreateUserGroupWithResponse(ctx, gen.UserGroupRequest{Name: "Engineering"})).JSON201

	u := must[*gen.CreateUserResponse](t, 201)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{
		Username: "bob", Email: "bob@example.com", GroupId: &eng.Id, Devices: []gen.DeviceRequest{{Name: "phone"}},
	})).JSON201
	if *u.GroupId != eng.Id || *u.Status != gen.UserStatusInvited || *u.Role != gen.UserRoleMember || len(u.Devices) != 1 {
		t.Fatalf("created user %+v", u)
	}
	plain := must[*gen.CreateUserResponse](t, 201)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "carol", Email: "carol@example.com"})).JSON201
	if *plain.GroupId != defaultGroup {
		t.Errorf("user without group is in %s, want the Default group", *plain.GroupId)
	}
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "bob", Email: "other@example.com"}))
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "bob2", Email: "BOB@example.com"}))
	// A PUT that leaves out role and group keeps them.
	owner := must[*gen.ListUsersResponse](t, 200)(c.ListUsersWithResponse(ctx, nil)).JSON200.Content[0]
	kept := must[*gen.UpdateUserResponse](t, 200)(c.UpdateUserWithResponse(ctx, owner.Id, gen.UserUpdateRequest{Email: owner.Email, FirstName: ptr("Ollie")})).JSON200
	if *kept.Role != gen.UserRoleOwner || *kept.GroupId != defaultGroup || *kept.FirstName != "Ollie" || kept.LastName != nil {
		t.Errorf("updated owner %+v", kept)
	}
	must[*gen.UpdateUserResponse](t, 400)(c.UpdateUserWithResponse(ctx, owner.Id, gen.UserUpdateRequest{Email: "bob@example.com"}))
	must[*gen.CreateUserResponse](t, 400)(c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "dave", Email: "d@example.com", GroupId: ptr("no-group")}))

	laptop := must[*gen.CreateDeviceResponse](t, 201)(c.CreateDeviceWithResponse(ctx, &gen.CreateDeviceParams{UserId: u.Id}, gen.DeviceRequest{Name: "laptop"})).JSON201
	if *laptop.UserId != u.Id || *laptop.ConnectionStatus != gen.ConnectionStatusOffline {
		t.Errorf("device %+v", laptop)
	}
	if got := must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.Id)).JSON200; len(got.Devices) != 2 {
		t.Errorf("user has %d devices, want 2", len(got.Devices))
	}
	if l := must[*gen.ListDevicesResponse](t, 200)(c.ListDevicesWithResponse(ctx, &gen.ListDevicesParams{UserId: &u.Id})).JSON200; l.TotalElements != 2 {
		t.Errorf("listDevices?userId: %d", l.TotalElements)
	}
	// A device is only found through its own user.
	must[*gen.GetDeviceResponse](t, 404)(c.GetDeviceWithResponse(ctx, laptop.Id, &gen.GetDeviceParams{UserId: plain.Id}))
	must[*gen.GenerateDeviceProfileResponse](t, 400)(c.GenerateDeviceProfileWithResponse(ctx, laptop.Id, &gen.GenerateDeviceProfileParams{UserId: u.Id, RegionId: "mars-1"}))

	must[*gen.SuspendUserResponse](t, 200)(c.SuspendUserWithResponse(ctx, u.Id))
	if got := must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.Id)).JSON200; *got.Status != gen.UserStatusSuspended {
		t.Errorf("status after suspend: %s", *got.Status)
	}
	must[*gen.ActivateUserResponse](t, 200)(c.ActivateUserWithResponse(ctx, u.Id))
	if got := must[*gen.GetUserResponse](t, 200)(c.GetUserWithResponse(ctx, u.Id)).JSON200; *got.Status != gen.UserStatusActive {
		t.Errorf("status after activate: %s", *got.Status)
	}
	for _, call := range []func() (response, error){
		func() (response, error) { return c.ResetUserMfaWithResponse(ctx, "nobody") },
		func() (response, error) { return c.ResendUserInvitationWithResponse(ctx, "nobody") },
		func() (response, error) { return c.ForceUserPasswordChangeWithResponse(ctx, "nobody") },
		func() (response, error) { return c.SuspendUserWithResponse(ctx, "nobody") },
	} {
		if r, err := call(); err != nil || r.StatusCode() != 404 {
			t.Errorf("unknown user: %v %v", r.StatusCode(), err)
		}
	}

	// A group with users cannot go, nor can the Default group.
	must[*gen.DeleteUserGroupResponse](t, 400)(c.DeleteUserGroupWithResponse(ctx, eng.Id))
	must[*gen.DeleteUserGroupResponse](t, 400)(c.DeleteUserGroupWithResponse(ctx, defaultGroup))
	must[*gen.DeleteUserResponse](t, 204)(c.DeleteUserWithResponse(ctx, u.Id))
	must[*gen.GetUserResponse](t, 404)(c.GetUserWithResponse(ctx, u.Id))
	must[*gen.GetDeviceResponse](t, 404)(c.GetDeviceWithResponse(ctx, laptop.Id, &gen.GetDeviceParams{UserId: u.Id}))
	if l := must[*gen.ListDevicesResponse](t, 200)(c.ListDevicesWithResponse(ctx, nil)).JSON200; l.TotalElements != 0 {
		t.Errorf("devices left: %d", l.TotalElements)
	}
	must[*gen.DeleteUserGroupResponse](t, 204)(c.DeleteUserGroupWithResponse(ctx, eng.Id))
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
			func() (response, error) { return c.SetDefaultRegionWithTextBodyWithResponse(ctx, "sg-sin") }, "us-nyc", "sg-sin"},
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
		{"ip allocation mode", func() (response, error) { return c.GetIpAllocationModeWithResponse(ctx) },
			func() (response, error) {
				return c.SetIpAllocationModeWithTextBodyWithResponse(ctx, gen.IpAllocationModeIpV4Only)
			}, "BOTH", "IP_V4_ONLY"},
		{"dns suffix as JSON", func() (response, error) { return c.GetDefaultDnsSuffixWithResponse(ctx) },
			func() (response, error) { return c.SetDefaultDnsSuffixWithResponse(ctx, "json.example") }, "", "json.example"},
		{"dns suffix as text", func() (response, error) { return c.GetDefaultDnsSuffixWithResponse(ctx) },
			func() (response, error) { return c.SetDefaultDnsSuffixWithTextBodyWithResponse(ctx, "text.example") }, "json.example", "text.example"},
	}
	for _, tc := range text {
		t.Run(tc.name, func(t *testing.T) {
			for _, step := range []struct {
				call func() (response, error)
				want string
			}{{tc.get, tc.def}, {tc.set, tc.new}, {tc.get, tc.new}} {
				r, err := step.call()
				if err != nil || r.StatusCode() != 200 {
					t.Fatalf("%v %v", r, err)
				}
				if b := body(r); b != step.want {
					t.Errorf("body %q, want %q", b, step.want)
				}
				if ct := httpResponse(r).Header.Get("Content-Type"); ct != "text/plain;charset=UTF-8" {
					t.Errorf("Content-Type %q", ct)
				}
			}
		})
	}
	must[*gen.SetDefaultRegionResponse](t, 400)(c.SetDefaultRegionWithTextBodyWithResponse(ctx, "xx-nowhere"))
	// Requests that break the document go through a client that does not
	// validate them itself.
	must[*gen.SetTopologyResponse](t, 400)(plainClient(t, srv).SetTopologyWithTextBodyWithResponse(ctx, "STAR"))

	// JSON settings.
	zones := gen.DnsZones{Zones: &[]gen.DnsZone{{Name: "corp.example", Addresses: &[]string{"10.0.0.53", "fd00::53"}}}}
	if got := must[*gen.SetDnsZonesResponse](t, 200)(c.SetDnsZonesWithResponse(ctx, zones)).JSON200; len(*got.Zones) != 1 {
		t.Errorf("set zones: %+v", got)
	}
	if got := must[*gen.GetDnsZonesResponse](t, 200)(c.GetDnsZonesWithResponse(ctx)).JSON200; (*(*got.Zones)[0].Addresses)[1] != "fd00::53" {
		t.Errorf("get zones: %+v", got)
	}
	must[*gen.SetSubnetResponse](t, 200)(c.SetSubnetWithResponse(ctx, gen.Subnet{IpV4Address: &[]string{"100.64.0.0/10"}}))
	if got := must[*gen.GetSubnetResponse](t, 200)(c.GetSubnetWithResponse(ctx)).JSON200; (*got.IpV4Address)[0] != "100.64.0.0/10" {
		t.Errorf("subnet %+v", got)
	}
	must[*gen.SetSubnetResponse](t, 400)(c.SetSubnetWithResponse(ctx, gen.Subnet{IpV4Address: &[]string{"not-a-subnet"}}))
	must[*gen.SetDnsCustomServersResponse](t, 400)(c.SetDnsCustomServersWithResponse(ctx, gen.DnsServerAddresses{PrimaryIpV4: ptr("fd00::1")}))
	must[*gen.SetDnsZonesResponse](t, 400)(c.SetDnsZonesWithResponse(ctx, gen.DnsZones{Zones: &[]gen.DnsZone{{Name: "x.example", Addresses: &[]string{"nope"}}}}))
	must[*gen.SetDeviceAllowanceResponse](t, 400)(c.SetDeviceAllowanceWithResponse(ctx, 0))
	if v := *must[*gen.SetDeviceAllowanceResponse](t, 200)(c.SetDeviceAllowanceWithResponse(ctx, 7)).JSON200; v != 7 {
		t.Errorf("device allowance %d", v)
	}
	if v := *must[*gen.GetDeviceAllowanceResponse](t, 200)(c.GetDeviceAllowanceWithResponse(ctx)).JSON200; v != 7 {
		t.Errorf("device allowance %d", v)
	}
	for _, b := range []bool{false, true} {
		must[*gen.SetSnatResponse](t, 200)(c.SetSnatWithResponse(ctx, b))
		if v := *must[*gen.GetSnatResponse](t, 200)(c.GetSnatWithResponse(ctx)).JSON200; v != b {
			t.Errorf("snat %v, want %v", v, b)
		}
	}
	opts := []string{"block-outside-dns", "redirect-gateway"}
	must[*gen.SetClientOptionsResponse](t, 200)(c.SetClientOptionsWithResponse(ctx, opts))
	if v := *must[*gen.GetClientOptionsResponse](t, 200)(c.GetClientOptionsWithResponse(ctx)).JSON200; !slices.Equal(v, opts) {
		t.Errorf("client options %v", v)
	}
	if v := *must[*gen.GetDnsLogEnabledResponse](t, 200)(c.GetDnsLogEnabledWithResponse(ctx)).JSON200; v {
		t.Error("DNS log on by default")
	}
	must[*gen.EnableDnsLogResponse](t, 200)(c.EnableDnsLogWithResponse(ctx))
	if v := *must[*gen.GetDnsLogEnabledResponse](t, 200)(c.GetDnsLogEnabledWithResponse(ctx)).JSON200; !v {
		t.Error("DNS log off after enable")
	}
	must[*gen.EnableAccessVisibilityResponse](t, 200)(c.EnableAccessVisibilityWithResponse(ctx))
	if v := *must[*gen.GetAccessVisibilityEnabledResponse](t, 200)(c.GetAccessVisibilityEnabledWithResponse(ctx)).JSON200; !v {
		t.Error("Access Visibility off after enable")
	}
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
			seen[s.Id]++
		}
		if r.NextCursor == nil {
			if len(r.Sessions) != n%7 {
				t.Errorf("last batch has %d sessions, want %d", len(r.Sessions), n%7)
			}
			break
		}
		if len(r.Sessions) != 7 {
			t.Errorf("batch %d has %d sessions", batches, len(r.Sessions))
		}
		cursor = r.NextCursor
		if batches > 10 {
			t.Fatal("cursor never ends")
		}
	}
	if batches != (n+6)/7 || len(seen) != n {
		t.Errorf("%d batches, %d distinct sessions; want %d, %d", batches, len(seen), (n+6)/7, n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("session %s seen %d times", id, k)
		}
	}
	// Last raw body has no nextCursor key at all.
	last := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 100}))
	if strings.Contains(string(last.Body), "nextCursor") {
		t.Errorf("single batch carries nextCursor: %s", last.Body)
	}
	active := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 100, Status: ptr(gen.SessionStatusActive)})).JSON200
	if len(active.Sessions) == 0 || len(active.Sessions) == n {
		t.Errorf("status filter kept %d of %d", len(active.Sessions), n)
	}
	must[*gen.ListSessionsResponse](t, 400)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 7, Cursor: ptr("garbage")}))
	must[*gen.ListSessionsResponse](t, 400)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 7, StartDate: ptr(time.Now().Add(-40 * 24 * time.Hour))}))
	old := must[*gen.ListSessionsResponse](t, 200)(c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{
		Size: 100, StartDate: ptr(time.Now().Add(-72 * time.Hour)), EndDate: ptr(time.Now().Add(-48 * time.Hour)),
	})).JSON200
	if len(old.Sessions) != 0 {
		t.Errorf("%d sessions two days ago", len(old.Sessions))
	}
}

func TestAuditLogRecordsChanges(t *testing.T) {
	clock := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithoutSeed(), WithAuditLogs(5), WithClock(clock.Now))
	c := genClient(t, srv)
	ctx := context.Background()
	must[*gen.CreateDnsRecordResponse](t, 201)(c.CreateDnsRecordWithResponse(ctx, gen.DnsRecordRequest{Domain: "a.example"}))
	must[*gen.CreateDnsRecordResponse](t, 400)(c.CreateDnsRecordWithResponse(ctx, gen.DnsRecordRequest{Domain: "b.example", Ipv4Addresses: &[]string{"::1"}}))

	var all []gen.AuditLogResponse
	var cursor *string
	for {
		r := must[*gen.ListAuditLogsResponse](t, 200)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{Size: 4, Cursor: cursor})).JSON200
		all = append(all, r.AuditLogs...)
		if cursor = r.NextCursor; cursor == nil {
			break
		}
	}
	if len(all) != 6 {
		t.Fatalf("%d audit records, want 5 seeded + 1 change", len(all))
	}
	last := all[5]
	if *last.Operation != "createDnsRecord" || *last.EntityType != "DNS Record" || last.EntityId == nil || *last.InitiatorId != srv.ClientID {
		t.Errorf("audit record %+v", last)
	}
	mine := must[*gen.ListAuditLogsResponse](t, 200)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{Size: 100, InitiatorId: &srv.ClientID})).JSON200
	if len(mine.AuditLogs) != 1 {
		t.Errorf("%d records of this API key, want 1", len(mine.AuditLogs))
	}
	if !last.Timestamp.Equal(clock.Now()) {
		t.Errorf("timestamp %v, want the injected clock's %v", last.Timestamp, clock.Now())
	}
	must[*gen.ListAuditLogsResponse](t, 400)(c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{
		Size: 4, StartDate: ptr(clock.Now().Add(-72 * time.Hour)), EndDate: ptr(clock.Now()),
	}))
}

func TestDnsResolutionsPage(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	r := must[*gen.ListUserDnsResolutionsResponse](t, 200)(c.ListUserDnsResolutionsWithResponse(ctx, &gen.ListUserDnsResolutionsParams{
		StartHour: time.Now().UTC(), HoursBack: ptr(int32(2)), Size: ptr(int32(10)),
	})).JSON200
	// Three hours (this one and two back), three domains each.
	if r.TotalElements != 9 || len(r.Content) != 9 || r.Size != 10 {
		t.Errorf("page %+v", r)
	}
	must[*gen.ListUserDnsResolutionsResponse](t, 400)(plainClient(t, srv).ListUserDnsResolutionsWithResponse(ctx, &gen.ListUserDnsResolutionsParams{
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
