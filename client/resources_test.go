package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// TestResourceMethodsMatchOperations fails when an operation of the document
// has no resource method, or a service has a method that belongs to no
// operation (for example one written by hand, or left over after an
// operation was removed from the document).
func TestResourceMethodsMatchOperations(t *testing.T) {
	byOp := map[string]resourceMethod{}
	for _, m := range resourceMethods {
		_, dup := byOp[m.Operation]
		assert.False(t, dup, "operation %s mapped twice", m.Operation)
		byOp[m.Operation] = m
	}
	for _, op := range gen.Operations {
		assert.Contains(t, byOp, op.ID, "operation %s has no resource method", op.ID)
	}
	assert.Len(t, byOp, len(gen.Operations), "the table has operations the document does not")

	// Every exported method of every service is an operation's method or iterator.
	want := map[string]bool{}
	for _, m := range resourceMethods {
		want[m.Service+"."+m.Method] = true
		if m.Iterator != "" {
			want[m.Service+"."+m.Iterator] = true
		}
	}
	got := map[string]bool{}
	st := reflect.TypeFor[client.Services]()
	for i := range st.NumField() {
		f := st.Field(i)
		require.Equal(t, reflect.Pointer, f.Type.Kind(), f.Name)
		assert.Equal(t, f.Name+"Service", f.Type.Elem().Name(), "service type of %s", f.Name)
		for j := range f.Type.NumMethod() {
			got[f.Name+"."+f.Type.Method(j).Name] = true
		}
	}
	for m := range got {
		assert.True(t, want[m], "%s belongs to no operation", m)
	}
	for m := range want {
		assert.True(t, got[m], "%s is in the table but not a method", m)
	}

	// And a New client has every service set.
	c, err := client.New("acme", "id", "secret")
	require.NoError(t, err)
	sv := reflect.ValueOf(c.Services)
	for i := range sv.NumField() {
		assert.False(t, sv.Field(i).IsNil(), "c.%s is nil", st.Field(i).Name)
	}
}

// TestResourcePathIDsRefusedBeforeSending calls every method with a path id
// with ids the server or a proxy would read as another path: each is refused
// with ErrInvalidID, and nothing (not even a token request) is sent.
func TestResourcePathIDsRefusedBeforeSending(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "id", "secret", client.WithAllowInsecureLoopback(), client.WithoutRetries())
	require.NoError(t, err)
	ctx := context.Background()

	ops := map[string]bool{}
	for _, tc := range pathIDCalls {
		ops[tc.Operation] = true
		for _, id := range []string{"", " ", "\t", ".", "..", "a/../b", "../users"} {
			err := tc.Call(ctx, c, id)
			require.Error(t, err, "%s(%q)", tc.Operation, id)
			assert.ErrorIs(t, err, client.ErrInvalidID, "%s(%q)", tc.Operation, id)
			var re *client.RequestError
			if assert.ErrorAs(t, err, &re) {
				assert.Equal(t, tc.Operation, re.Operation)
			}
		}
	}
	assert.Zero(t, requests.Load(), "requests sent")

	// The table covers exactly the operations with a path parameter.
	var want []string
	for _, op := range gen.Operations {
		for i := 0; i < len(op.Path); i++ {
			if op.Path[i] == '{' {
				want = append(want, op.ID)
				break
			}
		}
	}
	var have []string
	for op := range ops {
		have = append(have, op)
	}
	sort.Strings(want)
	sort.Strings(have)
	assert.Equal(t, want, have)
}

// TestResourceAllOperations calls every resource method once against the
// fake, in an order where each finds what it needs; the fake checks each
// request and response against the document, and so does the client side's
// ValidatingTransport. Each call must succeed and reach its operation.
func TestResourceAllOperations(t *testing.T) {
	srv := cloudconnexatest.NewServer(t, cloudconnexatest.WithStrictRequests())
	c := srv.Client(client.WithHTTPClient(&http.Client{Transport: cloudconnexatest.ValidatingTransport(t, srv.HTTPClient().Transport)}))
	ctx := context.Background()
	ptr := func(s string) *string { return &s }

	var (
		groupID, userID, deviceID, networkID, netConnID, routeID, netSvcID, netAppID string
		hostID, hostConnID, hostSvcID, hostAppID, accessGroupID, locationID          string
		postureID, dnsRecordID                                                       string
	)
	// keep asserts a non-empty result and passes on the error.
	keep := func(dst *string, id string, err error) error {
		if err == nil {
			assert.NotEmpty(t, id)
			*dst = id
		}
		return err
	}
	nonEmpty := func(s string, err error) error {
		if err == nil {
			assert.NotEmpty(t, s)
		}
		return err
	}
	ok := func(_ any, err error) error { return err }

	type step struct {
		op   gen.OperationID
		call func() error
	}
	steps := []step{
		{gen.OpRequestToken, func() error {
			tok, err := c.OAuth.RequestToken(ctx, &client.OAuthRequestTokenParams{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret},
				gen.OAuthTokenRequest{GrantType: client.Ptr(gen.GrantTypeClientCredentials)})
			if err == nil {
				assert.NotEmpty(t, tok.AccessToken)
			}
			return err
		}},
		{gen.OpListRegions, func() error {
			regions, err := c.Regions.List(ctx)
			assert.NotEmpty(t, regions)
			return err
		}},

		// Settings.
		{gen.OpGetTopology, func() error { return nonEmpty2(c.Settings.GetTopology(ctx)) }},
		{gen.OpSetTopology, func() error {
			v, err := c.Settings.SetTopology(ctx, gen.TopologyCustom)
			assert.Equal(t, gen.TopologyCustom, v)
			return err
		}},
		{gen.OpGetDefaultRegion, func() error { return nonEmpty(c.Settings.GetDefaultRegion(ctx)) }},
		{gen.OpSetDefaultRegion, func() error {
			v, err := c.Settings.SetDefaultRegion(ctx, "eu-central-1")
			assert.Equal(t, "eu-central-1", v)
			return err
		}},
		{gen.OpGetProfileDistribution, func() error { return nonEmpty2(c.Settings.GetProfileDistribution(ctx)) }},
		{gen.OpSetProfileDistribution, func() error { return ok(c.Settings.SetProfileDistribution(ctx, gen.ProfileDistributionManual)) }},
		{gen.OpGetDeviceEnforcement, func() error { return nonEmpty2(c.Settings.GetDeviceEnforcement(ctx)) }},
		{gen.OpSetDeviceEnforcement, func() error {
			return ok(c.Settings.SetDeviceEnforcement(ctx, gen.DeviceEnforcementLearnAndEnforce))
		}},
		{gen.OpGetConnectAuth, func() error { return nonEmpty2(c.Settings.GetConnectAuth(ctx)) }},
		{gen.OpSetConnectAuth, func() error { return ok(c.Settings.SetConnectAuth(ctx, gen.ConnectAuthEveryTime)) }},
		{gen.OpGetIPAllocationMode, func() error { return nonEmpty2(c.Settings.GetIPAllocationMode(ctx)) }},
		{gen.OpSetIPAllocationMode, func() error { return ok(c.Settings.SetIPAllocationMode(ctx, gen.IPAllocationModeIPV4Only)) }},
		{gen.OpGetDefaultDNSSuffix, func() error { return ok(c.Settings.GetDefaultDNSSuffix(ctx)) }},
		{gen.OpSetDefaultDNSSuffix, func() error {
			v, err := c.Settings.SetDefaultDNSSuffix(ctx, "corp.example")
			assert.Equal(t, "corp.example", v)
			return err
		}},
		{gen.OpGetDNSCustomServers, func() error { return ok(c.Settings.GetDNSCustomServers(ctx)) }},
		{gen.OpSetDNSCustomServers, func() error {
			v, err := c.Settings.SetDNSCustomServers(ctx, gen.DNSServerAddresses{PrimaryIPv4: ptr("9.9.9.9")})
			assert.Equal(t, "9.9.9.9", v.GetPrimaryIPv4())
			return err
		}},
		{gen.OpGetDNSProxyEnabled, func() error { return ok(c.Settings.GetDNSProxyEnabled(ctx)) }},
		{gen.OpSetDNSProxyEnabled, func() error {
			v, err := c.Settings.SetDNSProxyEnabled(ctx, true)
			assert.True(t, v)
			return err
		}},
		{gen.OpGetDNSZones, func() error { return ok(c.Settings.GetDNSZones(ctx)) }},
		{gen.OpSetDNSZones, func() error {
			return ok(c.Settings.SetDNSZones(ctx, gen.DNSZones{Zones: &[]gen.DNSZone{{Name: "corp.example", Addresses: &[]string{"10.0.0.53"}}}}))
		}},
		{gen.OpGetDeviceAllowance, func() error { return ok(c.Settings.GetDeviceAllowance(ctx)) }},
		{gen.OpSetDeviceAllowance, func() error {
			v, err := c.Settings.SetDeviceAllowance(ctx, 5)
			assert.Equal(t, int32(5), v)
			return err
		}},
		{gen.OpGetDeviceAllowanceForceUpdate, func() error { return ok(c.Settings.GetDeviceAllowanceForceUpdate(ctx)) }},
		{gen.OpSetDeviceAllowanceForceUpdate, func() error { return ok(c.Settings.SetDeviceAllowanceForceUpdate(ctx, true)) }},
		{gen.OpGetConnectionTimeout, func() error { return ok(c.Settings.GetConnectionTimeout(ctx)) }},
		{gen.OpSetConnectionTimeout, func() error { return ok(c.Settings.SetConnectionTimeout(ctx, 30)) }},
		{gen.OpGetClientOptions, func() error { return ok(c.Settings.GetClientOptions(ctx)) }},
		{gen.OpSetClientOptions, func() error {
			v, err := c.Settings.SetClientOptions(ctx, []string{"block-outside-dns"})
			assert.Equal(t, []string{"block-outside-dns"}, v)
			return err
		}},
		{gen.OpGetDomainRoutingSubnet, func() error { return ok(c.Settings.GetDomainRoutingSubnet(ctx)) }},
		{gen.OpSetDomainRoutingSubnet, func() error {
			return ok(c.Settings.SetDomainRoutingSubnet(ctx, gen.DomainRoutingSubnet{IPV4Address: ptr("100.80.0.0/12")}))
		}},
		{gen.OpGetRoutesAdvancedConfigurationEnabled, func() error { return ok(c.Settings.GetRoutesAdvancedConfigurationEnabled(ctx)) }},
		{gen.OpSetRoutesAdvancedConfigurationEnabled, func() error { return ok(c.Settings.SetRoutesAdvancedConfigurationEnabled(ctx, true)) }},
		{gen.OpGetSNAT, func() error { return ok(c.Settings.GetSNAT(ctx)) }},
		{gen.OpSetSNAT, func() error { return ok(c.Settings.SetSNAT(ctx, false)) }},
		{gen.OpGetSubnet, func() error { return ok(c.Settings.GetSubnet(ctx)) }},
		{gen.OpSetSubnet, func() error {
			return ok(c.Settings.SetSubnet(ctx, gen.Subnet{IPV4Address: &[]string{"100.96.0.0/12"}}))
		}},
		{gen.OpGetTrustedDevicesAllowed, func() error { return ok(c.Settings.GetTrustedDevicesAllowed(ctx)) }},
		{gen.OpSetTrustedDevicesAllowed, func() error { return ok(c.Settings.SetTrustedDevicesAllowed(ctx, false)) }},
		{gen.OpGetTwoFactorAuthEnabled, func() error { return ok(c.Settings.GetTwoFactorAuthEnabled(ctx)) }},
		{gen.OpSetTwoFactorAuthEnabled, func() error { return ok(c.Settings.SetTwoFactorAuthEnabled(ctx, true)) }},
		{gen.OpGetLDAPGroupMappings, func() error { return ok(c.Settings.GetLDAPGroupMappings(ctx)) }},
		{gen.OpGetSAMLGroupMappings, func() error { return ok(c.Settings.GetSAMLGroupMappings(ctx)) }},

		// User groups, users, devices.
		{gen.OpCreateUserGroup, func() error {
			g, err := c.UserGroups.Create(ctx, gen.UserGroupRequest{Name: "Engineering", VPNRegionIDs: &[]string{"us-east-1"},
				TunnelBypass: &gen.TunnelBypassRequest{IPv4Subnets: &[]string{"192.0.2.0/24"}}})
			return keep(&groupID, idOf(g), err)
		}},
		{gen.OpGetUserGroup, func() error { return ok(c.UserGroups.Get(ctx, groupID)) }},
		{gen.OpUpdateUserGroup, func() error {
			return ok(c.UserGroups.Update(ctx, groupID, gen.UserGroupRequest{Name: "Eng", MaxDevice: client.Ptr(int32(5))}))
		}},
		{gen.OpListUserGroups, func() error { return ok(c.UserGroups.List(ctx, nil)) }},
		{gen.OpCreateUser, func() error {
			u, err := c.Users.Create(ctx, gen.UserCreateRequest{Username: "alice", Email: "alice@example.com", GroupID: &groupID,
				Devices: []gen.DeviceRequest{{Name: "phone"}}})
			return keep(&userID, idOf(u), err)
		}},
		{gen.OpGetUser, func() error { return ok(c.Users.Get(ctx, userID)) }},
		{gen.OpUpdateUser, func() error {
			return ok(c.Users.Update(ctx, userID, gen.UserUpdateRequest{Email: "alice@corp.example", GroupID: &groupID, Role: client.Ptr(gen.UserRoleAdmin)}))
		}},
		{gen.OpListUsers, func() error { return ok(c.Users.List(ctx, nil)) }},
		{gen.OpSuspendUser, func() error { return c.Users.Suspend(ctx, userID) }},
		{gen.OpActivateUser, func() error { return c.Users.Activate(ctx, userID) }},
		{gen.OpResetUserMFA, func() error { return c.Users.ResetMFA(ctx, userID) }},
		{gen.OpResendUserInvitation, func() error { return c.Users.ResendInvitation(ctx, userID) }},
		{gen.OpForceUserPasswordChange, func() error { return c.Users.ForcePasswordChange(ctx, userID) }},
		{gen.OpCreateDevice, func() error {
			d, err := c.Devices.Create(ctx, userID, gen.DeviceRequest{Name: "laptop"})
			return keep(&deviceID, idOf(d), err)
		}},
		{gen.OpGetDevice, func() error { return ok(c.Devices.Get(ctx, userID, deviceID)) }},
		{gen.OpUpdateDevice, func() error { return ok(c.Devices.Update(ctx, userID, deviceID, gen.DeviceRequest{Name: "laptop-2"})) }},
		{gen.OpListDevices, func() error { return ok(c.Devices.List(ctx, &client.DevicesListParams{UserID: userID})) }},
		{gen.OpGenerateDeviceProfile, func() error { return nonEmpty(c.Devices.GenerateProfile(ctx, userID, deviceID, "us-east-1")) }},
		{gen.OpRevokeDeviceProfile, func() error { return ok(c.Devices.RevokeProfile(ctx, userID, deviceID)) }},

		// Networks and what they own.
		{gen.OpCreateNetwork, func() error {
			n, err := c.Networks.Create(ctx, gen.NetworkCreateRequest{Name: "office",
				Connectors: []gen.NetworkConnectorRequest{{Name: "office-1", VPNRegionID: "us-east-1"}},
				Routes:     []gen.NetworkRouteRequest{{Value: "10.1.0.0/16"}}})
			return keep(&networkID, idOf(n), err)
		}},
		{gen.OpGetNetwork, func() error { return ok(c.Networks.Get(ctx, networkID)) }},
		{gen.OpUpdateNetwork, func() error {
			n, err := c.Networks.Update(ctx, networkID, gen.NetworkUpdateRequest{Name: "office", Egress: client.Ptr(true)})
			assert.True(t, n.GetEgress())
			return err
		}},
		{gen.OpListNetworks, func() error { return ok(c.Networks.List(ctx, nil)) }},
		{gen.OpCreateNetworkConnector, func() error {
			cn, err := c.NetworkConnectors.Create(ctx, networkID, gen.NetworkConnectorRequest{Name: "aws", VPNRegionID: "eu-central-1",
				IPSecConfig: &gen.IPSecConfigRequest{
					Platform: client.Ptr(gen.IPsecPlatformAws), AuthenticationType: client.Ptr(gen.IPsecAuthenticationTypeSharedSecret),
					PreSharedKey: ptr("secret"), RemoteSitePublicIP: ptr("203.0.113.7"),
				}})
			return keep(&netConnID, idOf(cn), err)
		}},
		{gen.OpGetNetworkConnector, func() error { return ok(c.NetworkConnectors.Get(ctx, netConnID)) }},
		{gen.OpUpdateNetworkConnector, func() error {
			return ok(c.NetworkConnectors.Update(ctx, netConnID, gen.NetworkConnectorRequest{Name: "aws-2", VPNRegionID: "eu-central-1",
				IPSecConfig: &gen.IPSecConfigRequest{Platform: client.Ptr(gen.IPsecPlatformAws)}}))
		}},
		{gen.OpListNetworkConnectors, func() error {
			return ok(c.NetworkConnectors.List(ctx, &client.NetworkConnectorsListParams{NetworkID: networkID}))
		}},
		{gen.OpSuspendNetworkConnector, func() error { return c.NetworkConnectors.Suspend(ctx, netConnID) }},
		{gen.OpActivateNetworkConnector, func() error { return c.NetworkConnectors.Activate(ctx, netConnID) }},
		{gen.OpStartNetworkConnectorIPsec, func() error { return c.NetworkConnectors.StartIPsec(ctx, netConnID) }},
		{gen.OpStopNetworkConnectorIPsec, func() error { return c.NetworkConnectors.StopIPsec(ctx, netConnID) }},
		{gen.OpGenerateNetworkConnectorProfile, func() error { return nonEmpty(c.NetworkConnectors.GenerateProfile(ctx, netConnID)) }},
		{gen.OpEncryptNetworkConnectorProfile, func() error { return nonEmpty(c.NetworkConnectors.EncryptProfile(ctx, netConnID)) }},
		{gen.OpGenerateNetworkConnectorAppBundle, func() error {
			return nonEmpty(c.NetworkConnectors.GenerateAppBundle(ctx, netConnID, gen.BundleTypeMsi))
		}},
		{gen.OpRevokeNetworkConnectorProfile, func() error { return ok(c.NetworkConnectors.RevokeProfile(ctx, netConnID)) }},
		{gen.OpCreateNetworkRoute, func() error {
			r, err := c.NetworkRoutes.Create(ctx, networkID, gen.NetworkRouteRequest{Value: "fd00::/64"})
			return keep(&routeID, idOf(r), err)
		}},
		{gen.OpGetNetworkRoute, func() error { return ok(c.NetworkRoutes.Get(ctx, routeID)) }},
		{gen.OpUpdateNetworkRoute, func() error {
			return ok(c.NetworkRoutes.Update(ctx, routeID, gen.NetworkRouteRequest{Value: "10.2.0.0/16", Description: ptr("lab")}))
		}},
		{gen.OpListNetworkRoutes, func() error { return ok(c.NetworkRoutes.List(ctx, nil)) }},
		{gen.OpCreateNetworkIPService, func() error {
			s, err := c.NetworkIPServices.Create(ctx, networkID, gen.NetworkIPServiceRequest{
				Name: "web", Routes: &[]gen.ServiceRouteRequest{{Value: "10.1.2.0/24"}},
				Config: &gen.ServiceConfigRequest{ServiceTypes: &[]gen.ServiceType{gen.ServiceTypeHTTPS}},
			})
			return keep(&netSvcID, idOf(s), err)
		}},
		{gen.OpGetNetworkIPService, func() error { return ok(c.NetworkIPServices.Get(ctx, netSvcID)) }},
		{gen.OpUpdateNetworkIPService, func() error {
			return ok(c.NetworkIPServices.Update(ctx, netSvcID, gen.NetworkIPServiceRequest{Name: "web-2"}))
		}},
		{gen.OpListNetworkIPServices, func() error { return ok(c.NetworkIPServices.List(ctx, nil)) }},
		{gen.OpCreateNetworkApplication, func() error {
			a, err := c.NetworkApplications.Create(ctx, networkID, gen.NetworkApplicationRequest{
				Name: "wiki", Routes: &[]gen.NetworkApplicationRouteRequest{{Value: "wiki.corp.example", ExactMatch: client.Ptr(true)}},
			})
			return keep(&netAppID, idOf(a), err)
		}},
		{gen.OpGetNetworkApplication, func() error { return ok(c.NetworkApplications.Get(ctx, netAppID)) }},
		{gen.OpUpdateNetworkApplication, func() error {
			return ok(c.NetworkApplications.Update(ctx, netAppID, gen.NetworkApplicationRequest{Name: "wiki-2"}))
		}},
		{gen.OpListNetworkApplications, func() error { return ok(c.NetworkApplications.List(ctx, nil)) }},

		// Hosts and what they own.
		{gen.OpCreateHost, func() error {
			h, err := c.Hosts.Create(ctx, gen.HostCreateRequest{Name: "db", Domain: ptr("db.corp.example"),
				Connectors: []gen.HostConnectorRequest{{Name: "db-1", VPNRegionID: "us-west-1"}}})
			return keep(&hostID, idOf(h), err)
		}},
		{gen.OpGetHost, func() error { return ok(c.Hosts.Get(ctx, hostID)) }},
		{gen.OpUpdateHost, func() error { return ok(c.Hosts.Update(ctx, hostID, gen.HostUpdateRequest{Name: "db-primary"})) }},
		{gen.OpListHosts, func() error { return ok(c.Hosts.List(ctx, nil)) }},
		{gen.OpCreateHostConnector, func() error {
			cn, err := c.HostConnectors.Create(ctx, hostID, gen.HostConnectorRequest{Name: "db-2", VPNRegionID: "us-pdx"})
			return keep(&hostConnID, idOf(cn), err)
		}},
		{gen.OpGetHostConnector, func() error { return ok(c.HostConnectors.Get(ctx, hostConnID)) }},
		{gen.OpUpdateHostConnector, func() error {
			return ok(c.HostConnectors.Update(ctx, hostConnID, gen.HostConnectorRequest{Name: "db-3", VPNRegionID: "us-pdx"}))
		}},
		{gen.OpListHostConnectors, func() error { return ok(c.HostConnectors.List(ctx, nil)) }},
		{gen.OpSuspendHostConnector, func() error { return c.HostConnectors.Suspend(ctx, hostConnID) }},
		{gen.OpActivateHostConnector, func() error { return c.HostConnectors.Activate(ctx, hostConnID) }},
		{gen.OpGenerateHostConnectorProfile, func() error { return nonEmpty(c.HostConnectors.GenerateProfile(ctx, hostConnID)) }},
		{gen.OpEncryptHostConnectorProfile, func() error { return nonEmpty(c.HostConnectors.EncryptProfile(ctx, hostConnID)) }},
		{gen.OpGenerateHostConnectorAppBundle, func() error {
			return nonEmpty(c.HostConnectors.GenerateAppBundle(ctx, hostConnID, gen.BundleTypeDmg))
		}},
		{gen.OpRevokeHostConnectorProfile, func() error { return ok(c.HostConnectors.RevokeProfile(ctx, hostConnID)) }},
		{gen.OpCreateHostIPService, func() error {
			s, err := c.HostIPServices.Create(ctx, hostID, gen.HostIPServiceRequest{Name: "pg",
				Config: &gen.ServiceConfigRequest{CustomServiceTypes: &[]gen.CustomServiceTypeRequest{{
					Protocol: client.Ptr(gen.CustomServiceProtocolTCP), Port: &[]gen.RangeInteger{{Value: client.Ptr(int32(5432))}},
				}}}})
			return keep(&hostSvcID, idOf(s), err)
		}},
		{gen.OpGetHostIPService, func() error { return ok(c.HostIPServices.Get(ctx, hostSvcID)) }},
		{gen.OpUpdateHostIPService, func() error {
			return ok(c.HostIPServices.Update(ctx, hostSvcID, gen.HostIPServiceRequest{Name: "pg-2"}))
		}},
		{gen.OpListHostIPServices, func() error {
			return ok(c.HostIPServices.List(ctx, &client.HostIPServicesListParams{HostID: hostID}))
		}},
		{gen.OpCreateHostApplication, func() error {
			a, err := c.HostApplications.Create(ctx, hostID, gen.HostApplicationRequest{
				Name: "admin", Routes: &[]gen.HostApplicationRouteRequest{{Value: "admin.db.corp.example"}},
			})
			return keep(&hostAppID, idOf(a), err)
		}},
		{gen.OpGetHostApplication, func() error { return ok(c.HostApplications.Get(ctx, hostAppID)) }},
		{gen.OpUpdateHostApplication, func() error {
			return ok(c.HostApplications.Update(ctx, hostAppID, gen.HostApplicationRequest{Name: "admin-2"}))
		}},
		{gen.OpListHostApplications, func() error { return ok(c.HostApplications.List(ctx, nil)) }},

		// Access control and policies.
		{gen.OpCreateAccessGroup, func() error {
			g, err := c.AccessGroups.Create(ctx, gen.AccessGroupRequest{Name: "eng-to-office",
				Source:      &[]gen.AccessItemSourceRequest{{Type: gen.AccessItemSourceTypeUserGroup, Parent: &groupID}},
				Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeNetworkService, Parent: &networkID, Children: &[]string{netSvcID}}},
			})
			return keep(&accessGroupID, idOf(g), err)
		}},
		{gen.OpGetAccessGroup, func() error { return ok(c.AccessGroups.Get(ctx, accessGroupID)) }},
		{gen.OpUpdateAccessGroup, func() error {
			return ok(c.AccessGroups.Update(ctx, accessGroupID, gen.AccessGroupRequest{Name: "eng", Description: ptr("engineers")}))
		}},
		{gen.OpListAccessGroups, func() error { return ok(c.AccessGroups.List(ctx, nil)) }},
		{gen.OpAddAccessGroupSource, func() error {
			return ok(c.AccessGroups.AddSource(ctx, accessGroupID, gen.AccessItemSourceRequest{Type: gen.AccessItemSourceTypeHost, Parent: &hostID}))
		}},
		{gen.OpAddAccessGroupDestination, func() error {
			return ok(c.AccessGroups.AddDestination(ctx, accessGroupID, gen.AccessItemDestinationRequest{
				Type: gen.AccessItemDestinationTypeHostService, Parent: &hostID, Children: &[]string{hostSvcID},
			}))
		}},
		{gen.OpRemoveAccessGroupSource, func() error {
			return ok(c.AccessGroups.RemoveSource(ctx, accessGroupID, gen.AccessItemSourceTypeHost, &client.AccessGroupsRemoveSourceParams{ParentID: hostID}))
		}},
		{gen.OpRemoveAccessGroupDestination, func() error {
			return ok(c.AccessGroups.RemoveDestination(ctx, accessGroupID, gen.AccessItemDestinationTypeHostService,
				&client.AccessGroupsRemoveDestinationParams{ParentID: hostID, ChildID: hostSvcID}))
		}},
		{gen.OpCreateLocationContext, func() error {
			l, err := c.LocationContexts.Create(ctx, gen.LocationContextRequest{Name: "office-only", UserGroupsIDs: &[]string{groupID},
				IPCheck:      &gen.IPCheckRequest{Allowed: client.Ptr(true), IPs: &[]gen.IPRequest{{IP: ptr("203.0.113.0/24")}}},
				CountryCheck: &gen.CountryCheckRequest{Allowed: client.Ptr(true), Countries: &[]string{"DE"}}})
			return keep(&locationID, idOf(l), err)
		}},
		{gen.OpGetLocationContext, func() error { return ok(c.LocationContexts.Get(ctx, locationID)) }},
		{gen.OpUpdateLocationContext, func() error {
			return ok(c.LocationContexts.Update(ctx, locationID, gen.LocationContextRequest{Name: "anywhere",
				DefaultCheck: &gen.DefaultCheckRequest{Allowed: client.Ptr(true)}}))
		}},
		{gen.OpListLocationContexts, func() error { return ok(c.LocationContexts.List(ctx, nil)) }},
		{gen.OpCreateDevicePosture, func() error {
			p, err := c.DevicePostures.Create(ctx, gen.DevicePostureRequest{Name: "managed",
				Windows: &gen.WindowsRequest{Allowed: client.Ptr(true), Antiviruses: &[]gen.Antivirus{gen.AntivirusMicrosoftDefender}},
				Macos:   &gen.MacOSRequest{Allowed: client.Ptr(true), Version: &gen.VersionPolicy{Condition: client.Ptr(gen.VersionConditionGte), Version: ptr("14.0")}}})
			return keep(&postureID, idOf(p), err)
		}},
		{gen.OpGetDevicePosture, func() error { return ok(c.DevicePostures.Get(ctx, postureID)) }},
		{gen.OpUpdateDevicePosture, func() error {
			return ok(c.DevicePostures.Update(ctx, postureID, gen.DevicePostureRequest{Name: "managed-2"}))
		}},
		{gen.OpListDevicePostures, func() error { return ok(c.DevicePostures.List(ctx, nil)) }},
		{gen.OpCreateDNSRecord, func() error {
			r, err := c.DNSRecords.Create(ctx, gen.DNSRecordRequest{Domain: "git.corp.example", IPv4Addresses: &[]string{"10.1.2.3"}})
			return keep(&dnsRecordID, idOf(r), err)
		}},
		{gen.OpGetDNSRecord, func() error { return ok(c.DNSRecords.Get(ctx, dnsRecordID)) }},
		{gen.OpUpdateDNSRecord, func() error {
			return ok(c.DNSRecords.Update(ctx, dnsRecordID, gen.DNSRecordRequest{Domain: "git.corp.example", IPv6Addresses: &[]string{"fd00::3"}}))
		}},
		{gen.OpListDNSRecords, func() error { return ok(c.DNSRecords.List(ctx, nil)) }},
		{gen.OpAddCyberShieldAllowListDomains, func() error {
			return c.CyberShield.AddAllowListDomains(ctx, gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "good.example"}}})
		}},
		{gen.OpAddCyberShieldBlockListDomains, func() error {
			return c.CyberShield.AddBlockListDomains(ctx, gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "bad.example"}}})
		}},
		{gen.OpRemoveCyberShieldAllowListDomains, func() error {
			return c.CyberShield.RemoveAllowListDomains(ctx, gen.RemoveDomainsRequest{Domains: []string{"good.example"}})
		}},
		{gen.OpRemoveCyberShieldBlockListDomains, func() error {
			return c.CyberShield.RemoveBlockListDomains(ctx, gen.RemoveDomainsRequest{Domains: []string{"bad.example"}})
		}},

		// Logs, visibility, account.
		{gen.OpEnableDNSLog, func() error { return c.DNSLog.Enable(ctx) }},
		{gen.OpGetDNSLogEnabled, func() error {
			on, err := c.DNSLog.GetEnabled(ctx)
			assert.True(t, on)
			return err
		}},
		{gen.OpDisableDNSLog, func() error { return c.DNSLog.Disable(ctx) }},
		{gen.OpListUserDNSResolutions, func() error {
			return ok(c.DNSLog.ListUserDNSResolutions(ctx, time.Now().UTC().Truncate(time.Hour), &client.DNSLogListUserDNSResolutionsParams{HoursBack: 3}))
		}},
		{gen.OpEnableAccessVisibility, func() error { return c.AccessVisibility.Enable(ctx) }},
		{gen.OpGetAccessVisibilityEnabled, func() error { return ok(c.AccessVisibility.GetEnabled(ctx)) }},
		{gen.OpDisableAccessVisibility, func() error { return c.AccessVisibility.Disable(ctx) }},
		{gen.OpListSessions, func() error { return ok(c.Sessions.List(ctx, &client.SessionsListParams{Size: 10})) }},
		{gen.OpListAuditLogs, func() error { return ok(c.AuditLog.List(ctx, &client.AuditLogListParams{Size: 10})) }},
		{gen.OpCreateCloudID, func() error { return ok(c.Account.CreateCloudID(ctx, "second-tenant")) }},

		// Deletes, children first.
		{gen.OpDeleteAccessGroup, func() error { return c.AccessGroups.Delete(ctx, accessGroupID) }},
		{gen.OpDeleteLocationContext, func() error { return c.LocationContexts.Delete(ctx, locationID) }},
		{gen.OpDeleteDevicePosture, func() error { return c.DevicePostures.Delete(ctx, postureID) }},
		{gen.OpDeleteDNSRecord, func() error { return c.DNSRecords.Delete(ctx, dnsRecordID) }},
		{gen.OpDeleteNetworkApplication, func() error { return c.NetworkApplications.Delete(ctx, netAppID) }},
		{gen.OpDeleteNetworkIPService, func() error { return c.NetworkIPServices.Delete(ctx, netSvcID) }},
		{gen.OpDeleteNetworkRoute, func() error { return c.NetworkRoutes.Delete(ctx, routeID) }},
		{gen.OpDeleteNetworkConnector, func() error { return c.NetworkConnectors.Delete(ctx, netConnID) }},
		{gen.OpDeleteNetwork, func() error { return c.Networks.Delete(ctx, networkID) }},
		{gen.OpDeleteHostApplication, func() error { return c.HostApplications.Delete(ctx, hostAppID) }},
		{gen.OpDeleteHostIPService, func() error { return c.HostIPServices.Delete(ctx, hostSvcID) }},
		{gen.OpDeleteHostConnector, func() error { return c.HostConnectors.Delete(ctx, hostConnID) }},
		{gen.OpDeleteHost, func() error { return c.Hosts.Delete(ctx, hostID) }},
		{gen.OpDeleteDevice, func() error { return c.Devices.Delete(ctx, userID, deviceID) }},
		{gen.OpDeleteUser, func() error { return c.Users.Delete(ctx, userID) }},
		{gen.OpDeleteUserGroup, func() error { return c.UserGroups.Delete(ctx, groupID) }},
	}

	seen := map[gen.OperationID]bool{}
	for _, s := range steps {
		require.False(t, seen[s.op], "%s twice in the table", s.op)
		seen[s.op] = true
	}
	for _, op := range gen.Operations {
		require.True(t, seen[gen.OperationID(op.ID)], "operation %s missing from the table", op.ID)
	}
	require.Len(t, steps, len(gen.Operations))

	for _, s := range steps {
		before := srv.RequestCount(s.op)
		require.NoError(t, s.call(), "%s", s.op)
		if s.op == gen.OpRequestToken {
			// The client fetched its own token first.
			assert.GreaterOrEqual(t, srv.RequestCount(s.op), before+1, "%s: requests that reached the operation", s.op)
			continue
		}
		assert.Equal(t, before+1, srv.RequestCount(s.op), "%s: requests that reached the operation", s.op)
	}
}

// idOf reads the ID of any response type.
func idOf(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ""
	}
	return rv.Elem().FieldByName("ID").String()
}

func nonEmpty2[T ~string](v T, err error) error {
	if err == nil && v == "" {
		return assert.AnError
	}
	return err
}
