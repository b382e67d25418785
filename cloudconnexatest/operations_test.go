package cloudconnexatest

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// response is what every generated XxxResponse has.
type response interface{ StatusCode() int }

// genClient returns a generated client for srv whose traffic is also
// checked on the client side by ValidatingTransport.
func genClient(t *testing.T, srv *Server) *gen.ClientWithResponses {
	t.Helper()
	hc := &http.Client{Transport: ValidatingTransport(t, srv.HTTPClient().Transport)}
	c, err := srv.GenClient(gen.WithHTTPClient(hc))
	require.NoError(t, err)
	return c
}

// plainClient returns a generated client for srv that sends whatever it is
// asked to, for testing how the fake answers invalid requests.
func plainClient(t *testing.T, srv *Server) *gen.ClientWithResponses {
	t.Helper()
	c, err := srv.GenClient()
	require.NoError(t, err)
	return c
}

func body(r response) string {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if f := v.Elem().FieldByName("Body"); f.IsValid() {
			return string(f.Bytes())
		}
	}
	return ""
}

// TestAllOperations calls every operation of the document once through the
// generated client, in an order where each finds what it needs, and checks
// that each answers its declared success status. The fake validates every
// response against the document and the client side validates again.
func TestAllOperations(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()

	var (
		groupID, userID, deviceID, networkID, netConnID, routeID, netSvcID, netAppID string
		hostID, hostConnID, hostSvcID, hostAppID, accessGroupID, locationID          string
		postureID, dnsRecordID                                                       string
	)
	str := func(s string) *string { return &s }
	size := func(n int32) *int32 { return &n }

	type step struct {
		op   string
		call func() (response, error)
		// after reads ids out of the response.
		after func(r response)
	}
	steps := []step{
		{op: "requestToken", call: func() (response, error) {
			return c.RequestTokenWithFormdataBodyWithResponse(ctx, &gen.RequestTokenParams{ClientID: &srv.ClientID, ClientSecret: &srv.ClientSecret},
				gen.RequestTokenFormdataRequestBody{GrantType: ptr(gen.GrantTypeClientCredentials)})
		}},
		{op: "listRegions", call: func() (response, error) { return c.ListRegionsWithResponse(ctx) }},

		// Settings: every GET, then every PUT.
		{op: "getTopology", call: func() (response, error) { return c.GetTopologyWithResponse(ctx) }},
		{op: "setTopology", call: func() (response, error) { return c.SetTopologyWithTextBodyWithResponse(ctx, gen.TopologyCustom) }},
		{op: "getDefaultRegion", call: func() (response, error) { return c.GetDefaultRegionWithResponse(ctx) }},
		{op: "setDefaultRegion", call: func() (response, error) { return c.SetDefaultRegionWithTextBodyWithResponse(ctx, "eu-central-1") }},
		{op: "getProfileDistribution", call: func() (response, error) { return c.GetProfileDistributionWithResponse(ctx) }},
		{op: "setProfileDistribution", call: func() (response, error) {
			return c.SetProfileDistributionWithTextBodyWithResponse(ctx, gen.ProfileDistributionManual)
		}},
		{op: "getDeviceEnforcement", call: func() (response, error) { return c.GetDeviceEnforcementWithResponse(ctx) }},
		{op: "setDeviceEnforcement", call: func() (response, error) {
			return c.SetDeviceEnforcementWithTextBodyWithResponse(ctx, gen.DeviceEnforcementLearnAndEnforce)
		}},
		{op: "getConnectAuth", call: func() (response, error) { return c.GetConnectAuthWithResponse(ctx) }},
		{op: "setConnectAuth", call: func() (response, error) {
			return c.SetConnectAuthWithTextBodyWithResponse(ctx, gen.ConnectAuthEveryTime)
		}},
		{op: "getIpAllocationMode", call: func() (response, error) { return c.GetIPAllocationModeWithResponse(ctx) }},
		{op: "setIpAllocationMode", call: func() (response, error) {
			return c.SetIPAllocationModeWithTextBodyWithResponse(ctx, gen.IPAllocationModeIPV4Only)
		}},
		{op: "getDefaultDnsSuffix", call: func() (response, error) { return c.GetDefaultDNSSuffixWithResponse(ctx) }},
		{op: "setDefaultDnsSuffix", call: func() (response, error) { return c.SetDefaultDNSSuffixWithTextBodyWithResponse(ctx, "corp.example") }},
		{op: "getDnsCustomServers", call: func() (response, error) { return c.GetDNSCustomServersWithResponse(ctx) }},
		{op: "setDnsCustomServers", call: func() (response, error) {
			return c.SetDNSCustomServersWithResponse(ctx, gen.DNSServerAddresses{PrimaryIPv4: str("9.9.9.9")})
		}},
		{op: "getDnsProxyEnabled", call: func() (response, error) { return c.GetDNSProxyEnabledWithResponse(ctx) }},
		{op: "setDnsProxyEnabled", call: func() (response, error) { return c.SetDNSProxyEnabledWithResponse(ctx, false) }},
		{op: "getDnsZones", call: func() (response, error) { return c.GetDNSZonesWithResponse(ctx) }},
		{op: "setDnsZones", call: func() (response, error) {
			return c.SetDNSZonesWithResponse(ctx, gen.DNSZones{Zones: &[]gen.DNSZone{{Name: "corp.example", Addresses: &[]string{"10.0.0.53"}}}})
		}},
		{op: "getDeviceAllowance", call: func() (response, error) { return c.GetDeviceAllowanceWithResponse(ctx) }},
		{op: "setDeviceAllowance", call: func() (response, error) { return c.SetDeviceAllowanceWithResponse(ctx, 5) }},
		{op: "getDeviceAllowanceForceUpdate", call: func() (response, error) { return c.GetDeviceAllowanceForceUpdateWithResponse(ctx) }},
		{op: "setDeviceAllowanceForceUpdate", call: func() (response, error) { return c.SetDeviceAllowanceForceUpdateWithResponse(ctx, true) }},
		{op: "getConnectionTimeout", call: func() (response, error) { return c.GetConnectionTimeoutWithResponse(ctx) }},
		{op: "setConnectionTimeout", call: func() (response, error) { return c.SetConnectionTimeoutWithResponse(ctx, 30) }},
		{op: "getClientOptions", call: func() (response, error) { return c.GetClientOptionsWithResponse(ctx) }},
		{op: "setClientOptions", call: func() (response, error) { return c.SetClientOptionsWithResponse(ctx, []string{"block-outside-dns"}) }},
		{op: "getDomainRoutingSubnet", call: func() (response, error) { return c.GetDomainRoutingSubnetWithResponse(ctx) }},
		{op: "setDomainRoutingSubnet", call: func() (response, error) {
			return c.SetDomainRoutingSubnetWithResponse(ctx, gen.DomainRoutingSubnet{IPV4Address: str("100.80.0.0/12")})
		}},
		{op: "getRoutesAdvancedConfigurationEnabled", call: func() (response, error) {
			return c.GetRoutesAdvancedConfigurationEnabledWithResponse(ctx)
		}},
		{op: "setRoutesAdvancedConfigurationEnabled", call: func() (response, error) {
			return c.SetRoutesAdvancedConfigurationEnabledWithResponse(ctx, true)
		}},
		{op: "getSnat", call: func() (response, error) { return c.GetSNATWithResponse(ctx) }},
		{op: "setSnat", call: func() (response, error) { return c.SetSNATWithResponse(ctx, false) }},
		{op: "getSubnet", call: func() (response, error) { return c.GetSubnetWithResponse(ctx) }},
		{op: "setSubnet", call: func() (response, error) {
			return c.SetSubnetWithResponse(ctx, gen.Subnet{IPV4Address: &[]string{"100.96.0.0/12"}})
		}},
		{op: "getTrustedDevicesAllowed", call: func() (response, error) { return c.GetTrustedDevicesAllowedWithResponse(ctx) }},
		{op: "setTrustedDevicesAllowed", call: func() (response, error) { return c.SetTrustedDevicesAllowedWithResponse(ctx, false) }},
		{op: "getTwoFactorAuthEnabled", call: func() (response, error) { return c.GetTwoFactorAuthEnabledWithResponse(ctx) }},
		{op: "setTwoFactorAuthEnabled", call: func() (response, error) { return c.SetTwoFactorAuthEnabledWithResponse(ctx, true) }},
		{op: "getLdapGroupMappings", call: func() (response, error) { return c.GetLDAPGroupMappingsWithResponse(ctx) }},
		{op: "getSamlGroupMappings", call: func() (response, error) { return c.GetSAMLGroupMappingsWithResponse(ctx) }},

		// User groups, users, devices.
		{op: "createUserGroup", call: func() (response, error) {
			return c.CreateUserGroupWithResponse(ctx, gen.UserGroupRequest{Name: "Engineering", VPNRegionIDs: &[]string{"us-east-1"},
				TunnelBypass: &gen.TunnelBypassRequest{IPv4Subnets: &[]string{"192.0.2.0/24"}}})
		}, after: func(r response) { groupID = r.(*gen.CreateUserGroupResponse).JSON201.ID }},
		{op: "getUserGroup", call: func() (response, error) { return c.GetUserGroupWithResponse(ctx, groupID) }},
		{op: "updateUserGroup", call: func() (response, error) {
			return c.UpdateUserGroupWithResponse(ctx, groupID, gen.UserGroupRequest{Name: "Eng", MaxDevice: ptr(int32(5))})
		}},
		{op: "listUserGroups", call: func() (response, error) { return c.ListUserGroupsWithResponse(ctx, nil) }},
		{op: "createUser", call: func() (response, error) {
			return c.CreateUserWithResponse(ctx, gen.UserCreateRequest{Username: "alice", Email: "alice@example.com", GroupID: &groupID,
				Devices: []gen.DeviceRequest{{Name: "phone"}}})
		}, after: func(r response) { userID = r.(*gen.CreateUserResponse).JSON201.ID }},
		{op: "getUser", call: func() (response, error) { return c.GetUserWithResponse(ctx, userID) }},
		{op: "updateUser", call: func() (response, error) {
			return c.UpdateUserWithResponse(ctx, userID, gen.UserUpdateRequest{Email: "alice@corp.example", GroupID: &groupID, Role: ptr(gen.UserRoleAdmin)})
		}},
		{op: "listUsers", call: func() (response, error) { return c.ListUsersWithResponse(ctx, nil) }},
		{op: "suspendUser", call: func() (response, error) { return c.SuspendUserWithResponse(ctx, userID) }},
		{op: "activateUser", call: func() (response, error) { return c.ActivateUserWithResponse(ctx, userID) }},
		{op: "resetUserMfa", call: func() (response, error) { return c.ResetUserMFAWithResponse(ctx, userID) }},
		{op: "resendUserInvitation", call: func() (response, error) { return c.ResendUserInvitationWithResponse(ctx, userID) }},
		{op: "forceUserPasswordChange", call: func() (response, error) { return c.ForceUserPasswordChangeWithResponse(ctx, userID) }},
		{op: "createDevice", call: func() (response, error) {
			return c.CreateDeviceWithResponse(ctx, &gen.CreateDeviceParams{UserID: userID}, gen.DeviceRequest{Name: "laptop"})
		}, after: func(r response) { deviceID = r.(*gen.CreateDeviceResponse).JSON201.ID }},
		{op: "getDevice", call: func() (response, error) {
			return c.GetDeviceWithResponse(ctx, deviceID, &gen.GetDeviceParams{UserID: userID})
		}},
		{op: "updateDevice", call: func() (response, error) {
			return c.UpdateDeviceWithResponse(ctx, deviceID, &gen.UpdateDeviceParams{UserID: userID}, gen.DeviceRequest{Name: "laptop-2"})
		}},
		{op: "listDevices", call: func() (response, error) {
			return c.ListDevicesWithResponse(ctx, &gen.ListDevicesParams{UserID: &userID})
		}},
		{op: "generateDeviceProfile", call: func() (response, error) {
			return c.GenerateDeviceProfileWithResponse(ctx, deviceID, &gen.GenerateDeviceProfileParams{UserID: userID, RegionID: "us-east-1"})
		}},
		{op: "revokeDeviceProfile", call: func() (response, error) {
			return c.RevokeDeviceProfileWithResponse(ctx, deviceID, &gen.RevokeDeviceProfileParams{UserID: userID})
		}},

		// Networks and what they own.
		{op: "createNetwork", call: func() (response, error) {
			return c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "office",
				Connectors: []gen.NetworkConnectorRequest{{Name: "office-1", VPNRegionID: "us-east-1"}},
				Routes:     []gen.NetworkRouteRequest{{Value: "10.1.0.0/16"}}})
		}, after: func(r response) { networkID = r.(*gen.CreateNetworkResponse).JSON201.ID }},
		{op: "getNetwork", call: func() (response, error) { return c.GetNetworkWithResponse(ctx, networkID) }},
		{op: "updateNetwork", call: func() (response, error) {
			return c.UpdateNetworkWithResponse(ctx, networkID, gen.NetworkUpdateRequest{Name: "office", Egress: ptr(true)})
		}},
		{op: "listNetworks", call: func() (response, error) { return c.ListNetworksWithResponse(ctx, nil) }},
		{op: "createNetworkConnector", call: func() (response, error) {
			return c.CreateNetworkConnectorWithResponse(ctx, &gen.CreateNetworkConnectorParams{NetworkID: networkID},
				gen.NetworkConnectorRequest{Name: "aws", VPNRegionID: "eu-central-1", IPSecConfig: &gen.IPSecConfigRequest{
					Platform: ptr(gen.IPsecPlatformAws), AuthenticationType: ptr(gen.IPsecAuthenticationTypeSharedSecret),
					PreSharedKey: str("secret"), RemoteSitePublicIP: str("203.0.113.7"),
				}})
		}, after: func(r response) { netConnID = r.(*gen.CreateNetworkConnectorResponse).JSON201.ID }},
		{op: "getNetworkConnector", call: func() (response, error) { return c.GetNetworkConnectorWithResponse(ctx, netConnID) }},
		{op: "updateNetworkConnector", call: func() (response, error) {
			return c.UpdateNetworkConnectorWithResponse(ctx, netConnID, gen.NetworkConnectorRequest{Name: "aws-2", VPNRegionID: "eu-central-1",
				IPSecConfig: &gen.IPSecConfigRequest{Platform: ptr(gen.IPsecPlatformAws)}})
		}},
		{op: "listNetworkConnectors", call: func() (response, error) {
			return c.ListNetworkConnectorsWithResponse(ctx, &gen.ListNetworkConnectorsParams{NetworkID: &networkID})
		}},
		{op: "suspendNetworkConnector", call: func() (response, error) { return c.SuspendNetworkConnectorWithResponse(ctx, netConnID) }},
		{op: "activateNetworkConnector", call: func() (response, error) { return c.ActivateNetworkConnectorWithResponse(ctx, netConnID) }},
		{op: "startNetworkConnectorIpSec", call: func() (response, error) { return c.StartNetworkConnectorIPsecWithResponse(ctx, netConnID) }},
		{op: "stopNetworkConnectorIpSec", call: func() (response, error) { return c.StopNetworkConnectorIPsecWithResponse(ctx, netConnID) }},
		{op: "generateNetworkConnectorProfile", call: func() (response, error) {
			return c.GenerateNetworkConnectorProfileWithResponse(ctx, netConnID)
		}},
		{op: "encryptNetworkConnectorProfile", call: func() (response, error) {
			return c.EncryptNetworkConnectorProfileWithResponse(ctx, netConnID)
		}},
		{op: "generateNetworkConnectorAppBundle", call: func() (response, error) {
			return c.GenerateNetworkConnectorAppBundleWithResponse(ctx, netConnID, &gen.GenerateNetworkConnectorAppBundleParams{Type: gen.BundleTypeMsi})
		}},
		{op: "revokeNetworkConnectorProfile", call: func() (response, error) {
			return c.RevokeNetworkConnectorProfileWithResponse(ctx, netConnID)
		}},
		{op: "createNetworkRoute", call: func() (response, error) {
			return c.CreateNetworkRouteWithResponse(ctx, &gen.CreateNetworkRouteParams{NetworkID: networkID}, gen.NetworkRouteRequest{Value: "fd00::/64"})
		}, after: func(r response) { routeID = r.(*gen.CreateNetworkRouteResponse).JSON201.ID }},
		{op: "getNetworkRoute", call: func() (response, error) { return c.GetNetworkRouteWithResponse(ctx, routeID) }},
		{op: "updateNetworkRoute", call: func() (response, error) {
			return c.UpdateNetworkRouteWithResponse(ctx, routeID, gen.NetworkRouteRequest{Value: "10.2.0.0/16", Description: str("lab")})
		}},
		{op: "listNetworkRoutes", call: func() (response, error) { return c.ListNetworkRoutesWithResponse(ctx, nil) }},
		{op: "createNetworkIpService", call: func() (response, error) {
			return c.CreateNetworkIPServiceWithResponse(ctx, &gen.CreateNetworkIPServiceParams{NetworkID: networkID}, gen.NetworkIPServiceRequest{
				Name: "web", Routes: &[]gen.ServiceRouteRequest{{Value: "10.1.2.0/24"}},
				Config: &gen.ServiceConfigRequest{ServiceTypes: &[]gen.ServiceType{gen.ServiceTypeHTTPS}},
			})
		}, after: func(r response) { netSvcID = r.(*gen.CreateNetworkIPServiceResponse).JSON201.ID }},
		{op: "getNetworkIpService", call: func() (response, error) { return c.GetNetworkIPServiceWithResponse(ctx, netSvcID) }},
		{op: "updateNetworkIpService", call: func() (response, error) {
			return c.UpdateNetworkIPServiceWithResponse(ctx, netSvcID, gen.NetworkIPServiceRequest{Name: "web-2"})
		}},
		{op: "listNetworkIpServices", call: func() (response, error) { return c.ListNetworkIPServicesWithResponse(ctx, nil) }},
		{op: "createNetworkApplication", call: func() (response, error) {
			return c.CreateNetworkApplicationWithResponse(ctx, &gen.CreateNetworkApplicationParams{NetworkID: networkID}, gen.NetworkApplicationRequest{
				Name: "wiki", Routes: &[]gen.NetworkApplicationRouteRequest{{Value: "wiki.corp.example", ExactMatch: ptr(true)}},
			})
		}, after: func(r response) { netAppID = r.(*gen.CreateNetworkApplicationResponse).JSON201.ID }},
		{op: "getNetworkApplication", call: func() (response, error) { return c.GetNetworkApplicationWithResponse(ctx, netAppID) }},
		{op: "updateNetworkApplication", call: func() (response, error) {
			return c.UpdateNetworkApplicationWithResponse(ctx, netAppID, gen.NetworkApplicationRequest{Name: "wiki-2"})
		}},
		{op: "listNetworkApplications", call: func() (response, error) { return c.ListNetworkApplicationsWithResponse(ctx, nil) }},

		// Hosts and what they own.
		{op: "createHost", call: func() (response, error) {
			return c.CreateHostWithResponse(ctx, gen.HostCreateRequest{Name: "db", Domain: str("db.corp.example"),
				Connectors: []gen.HostConnectorRequest{{Name: "db-1", VPNRegionID: "us-west-1"}}})
		}, after: func(r response) { hostID = r.(*gen.CreateHostResponse).JSON201.ID }},
		{op: "getHost", call: func() (response, error) { return c.GetHostWithResponse(ctx, hostID) }},
		{op: "updateHost", call: func() (response, error) {
			return c.UpdateHostWithResponse(ctx, hostID, gen.HostUpdateRequest{Name: "db-primary"})
		}},
		{op: "listHosts", call: func() (response, error) { return c.ListHostsWithResponse(ctx, nil) }},
		{op: "createHostConnector", call: func() (response, error) {
			return c.CreateHostConnectorWithResponse(ctx, &gen.CreateHostConnectorParams{HostID: hostID}, gen.HostConnectorRequest{Name: "db-2", VPNRegionID: "us-sea"})
		}, after: func(r response) { hostConnID = r.(*gen.CreateHostConnectorResponse).JSON201.ID }},
		{op: "getHostConnector", call: func() (response, error) { return c.GetHostConnectorWithResponse(ctx, hostConnID) }},
		{op: "updateHostConnector", call: func() (response, error) {
			return c.UpdateHostConnectorWithResponse(ctx, hostConnID, gen.HostConnectorRequest{Name: "db-3", VPNRegionID: "us-sea"})
		}},
		{op: "listHostConnectors", call: func() (response, error) { return c.ListHostConnectorsWithResponse(ctx, nil) }},
		{op: "suspendHostConnector", call: func() (response, error) { return c.SuspendHostConnectorWithResponse(ctx, hostConnID) }},
		{op: "activateHostConnector", call: func() (response, error) { return c.ActivateHostConnectorWithResponse(ctx, hostConnID) }},
		{op: "generateHostConnectorProfile", call: func() (response, error) { return c.GenerateHostConnectorProfileWithResponse(ctx, hostConnID) }},
		{op: "encryptHostConnectorProfile", call: func() (response, error) { return c.EncryptHostConnectorProfileWithResponse(ctx, hostConnID) }},
		{op: "generateHostConnectorAppBundle", call: func() (response, error) {
			return c.GenerateHostConnectorAppBundleWithResponse(ctx, hostConnID, &gen.GenerateHostConnectorAppBundleParams{Type: gen.BundleTypeDmg})
		}},
		{op: "revokeHostConnectorProfile", call: func() (response, error) { return c.RevokeHostConnectorProfileWithResponse(ctx, hostConnID) }},
		{op: "createHostIpService", call: func() (response, error) {
			return c.CreateHostIPServiceWithResponse(ctx, &gen.CreateHostIPServiceParams{HostID: hostID}, gen.HostIPServiceRequest{Name: "pg",
				Config: &gen.ServiceConfigRequest{CustomServiceTypes: &[]gen.CustomServiceTypeRequest{{
					Protocol: ptr(gen.CustomServiceProtocolTCP), Port: &[]gen.RangeInteger{{Value: ptr(int32(5432))}},
				}}}})
		}, after: func(r response) { hostSvcID = r.(*gen.CreateHostIPServiceResponse).JSON201.ID }},
		{op: "getHostIpService", call: func() (response, error) { return c.GetHostIPServiceWithResponse(ctx, hostSvcID) }},
		{op: "updateHostIpService", call: func() (response, error) {
			return c.UpdateHostIPServiceWithResponse(ctx, hostSvcID, gen.HostIPServiceRequest{Name: "pg-2"})
		}},
		{op: "listHostIpServices", call: func() (response, error) {
			return c.ListHostIPServicesWithResponse(ctx, &gen.ListHostIPServicesParams{HostID: &hostID})
		}},
		{op: "createHostApplication", call: func() (response, error) {
			return c.CreateHostApplicationWithResponse(ctx, &gen.CreateHostApplicationParams{HostID: hostID}, gen.HostApplicationRequest{
				Name: "admin", Routes: &[]gen.HostApplicationRouteRequest{{Value: "admin.db.corp.example"}},
			})
		}, after: func(r response) { hostAppID = r.(*gen.CreateHostApplicationResponse).JSON201.ID }},
		{op: "getHostApplication", call: func() (response, error) { return c.GetHostApplicationWithResponse(ctx, hostAppID) }},
		{op: "updateHostApplication", call: func() (response, error) {
			return c.UpdateHostApplicationWithResponse(ctx, hostAppID, gen.HostApplicationRequest{Name: "admin-2"})
		}},
		{op: "listHostApplications", call: func() (response, error) { return c.ListHostApplicationsWithResponse(ctx, nil) }},

		// Access control and policies.
		{op: "createAccessGroup", call: func() (response, error) {
			return c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "eng-to-office",
				Source:      &[]gen.AccessItemSourceRequest{{Type: gen.AccessItemSourceTypeUserGroup, Parent: &groupID}},
				Destination: &[]gen.AccessItemDestinationRequest{{Type: gen.AccessItemDestinationTypeNetworkService, Parent: &networkID, Children: &[]string{netSvcID}}},
			})
		}, after: func(r response) { accessGroupID = r.(*gen.CreateAccessGroupResponse).JSON201.ID }},
		{op: "getAccessGroup", call: func() (response, error) { return c.GetAccessGroupWithResponse(ctx, accessGroupID) }},
		{op: "updateAccessGroup", call: func() (response, error) {
			return c.UpdateAccessGroupWithResponse(ctx, accessGroupID, gen.AccessGroupRequest{Name: "eng", Description: str("engineers")})
		}},
		{op: "listAccessGroups", call: func() (response, error) { return c.ListAccessGroupsWithResponse(ctx, nil) }},
		{op: "addAccessGroupSource", call: func() (response, error) {
			return c.AddAccessGroupSourceWithResponse(ctx, accessGroupID, gen.AccessItemSourceRequest{Type: gen.AccessItemSourceTypeHost, Parent: &hostID})
		}},
		{op: "addAccessGroupDestination", call: func() (response, error) {
			return c.AddAccessGroupDestinationWithResponse(ctx, accessGroupID, gen.AccessItemDestinationRequest{
				Type: gen.AccessItemDestinationTypeHostService, Parent: &hostID, Children: &[]string{hostSvcID},
			})
		}},
		{op: "removeAccessGroupSource", call: func() (response, error) {
			return c.RemoveAccessGroupSourceWithResponse(ctx, accessGroupID, &gen.RemoveAccessGroupSourceParams{Type: gen.AccessItemSourceTypeHost, ParentID: &hostID})
		}},
		{op: "removeAccessGroupDestination", call: func() (response, error) {
			return c.RemoveAccessGroupDestinationWithResponse(ctx, accessGroupID, &gen.RemoveAccessGroupDestinationParams{
				Type: gen.AccessItemDestinationTypeHostService, ParentID: &hostID, ChildID: &hostSvcID,
			})
		}},
		{op: "createLocationContext", call: func() (response, error) {
			return c.CreateLocationContextWithResponse(ctx, gen.LocationContextRequest{Name: "office-only", UserGroupsIDs: &[]string{groupID},
				IPCheck:      &gen.IPCheckRequest{Allowed: ptr(true), IPs: &[]gen.IPRequest{{IP: str("203.0.113.0/24")}}},
				CountryCheck: &gen.CountryCheckRequest{Allowed: ptr(true), Countries: &[]string{"DE"}}})
		}, after: func(r response) { locationID = r.(*gen.CreateLocationContextResponse).JSON200.ID }},
		{op: "getLocationContext", call: func() (response, error) { return c.GetLocationContextWithResponse(ctx, locationID) }},
		{op: "updateLocationContext", call: func() (response, error) {
			return c.UpdateLocationContextWithResponse(ctx, locationID, gen.LocationContextRequest{Name: "anywhere",
				DefaultCheck: &gen.DefaultCheckRequest{Allowed: ptr(true)}})
		}},
		{op: "listLocationContexts", call: func() (response, error) { return c.ListLocationContextsWithResponse(ctx, nil) }},
		{op: "createDevicePosture", call: func() (response, error) {
			return c.CreateDevicePostureWithResponse(ctx, gen.DevicePostureRequest{Name: "managed",
				Windows: &gen.WindowsRequest{Allowed: ptr(true), Antiviruses: &[]gen.Antivirus{gen.AntivirusMicrosoftDefender}},
				Macos:   &gen.MacOSRequest{Allowed: ptr(true), Version: &gen.VersionPolicy{Condition: ptr(gen.VersionConditionGte), Version: str("14.0")}}})
		}, after: func(r response) { postureID = r.(*gen.CreateDevicePostureResponse).JSON200.ID }},
		{op: "getDevicePosture", call: func() (response, error) { return c.GetDevicePostureWithResponse(ctx, postureID) }},
		{op: "updateDevicePosture", call: func() (response, error) {
			return c.UpdateDevicePostureWithResponse(ctx, postureID, gen.DevicePostureRequest{Name: "managed-2"})
		}},
		{op: "listDevicePostures", call: func() (response, error) { return c.ListDevicePosturesWithResponse(ctx, nil) }},
		{op: "createDnsRecord", call: func() (response, error) {
			return c.CreateDNSRecordWithResponse(ctx, gen.DNSRecordRequest{Domain: "git.corp.example", IPv4Addresses: &[]string{"10.1.2.3"}})
		}, after: func(r response) { dnsRecordID = r.(*gen.CreateDNSRecordResponse).JSON201.ID }},
		{op: "getDnsRecord", call: func() (response, error) { return c.GetDNSRecordWithResponse(ctx, dnsRecordID) }},
		{op: "updateDnsRecord", call: func() (response, error) {
			return c.UpdateDNSRecordWithResponse(ctx, dnsRecordID, gen.DNSRecordRequest{Domain: "git.corp.example", IPv6Addresses: &[]string{"fd00::3"}})
		}},
		{op: "listDnsRecords", call: func() (response, error) { return c.ListDNSRecordsWithResponse(ctx, nil) }},
		{op: "addCyberShieldAllowListDomains", call: func() (response, error) {
			return c.AddCyberShieldAllowListDomainsWithResponse(ctx, gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "good.example"}}})
		}},
		{op: "addCyberShieldBlockListDomains", call: func() (response, error) {
			return c.AddCyberShieldBlockListDomainsWithResponse(ctx, gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "bad.example"}}})
		}},
		{op: "removeCyberShieldAllowListDomains", call: func() (response, error) {
			return c.RemoveCyberShieldAllowListDomainsWithResponse(ctx, gen.RemoveDomainsRequest{Domains: []string{"good.example"}})
		}},
		{op: "removeCyberShieldBlockListDomains", call: func() (response, error) {
			return c.RemoveCyberShieldBlockListDomainsWithResponse(ctx, gen.RemoveDomainsRequest{Domains: []string{"bad.example"}})
		}},

		// Logs, visibility, account.
		{op: "enableDnsLog", call: func() (response, error) { return c.EnableDNSLogWithResponse(ctx) }},
		{op: "getDnsLogEnabled", call: func() (response, error) { return c.GetDNSLogEnabledWithResponse(ctx) }},
		{op: "disableDnsLog", call: func() (response, error) { return c.DisableDNSLogWithResponse(ctx) }},
		{op: "listUserDnsResolutions", call: func() (response, error) {
			return c.ListUserDNSResolutionsWithResponse(ctx, &gen.ListUserDNSResolutionsParams{StartHour: time.Now().UTC().Truncate(time.Hour), HoursBack: size(3)})
		}},
		{op: "enableAccessVisibility", call: func() (response, error) { return c.EnableAccessVisibilityWithResponse(ctx) }},
		{op: "getAccessVisibilityEnabled", call: func() (response, error) { return c.GetAccessVisibilityEnabledWithResponse(ctx) }},
		{op: "disableAccessVisibility", call: func() (response, error) { return c.DisableAccessVisibilityWithResponse(ctx) }},
		{op: "listSessions", call: func() (response, error) { return c.ListSessionsWithResponse(ctx, &gen.ListSessionsParams{Size: 10}) }},
		{op: "listAuditLogs", call: func() (response, error) { return c.ListAuditLogsWithResponse(ctx, &gen.ListAuditLogsParams{Size: 10}) }},
		{op: "createCloudId", call: func() (response, error) {
			return c.CreateCloudIDWithResponse(ctx, &gen.CreateCloudIDParams{ID: "second-tenant"})
		}},

		// Deletes, children first.
		{op: "deleteAccessGroup", call: func() (response, error) { return c.DeleteAccessGroupWithResponse(ctx, accessGroupID) }},
		{op: "deleteLocationContext", call: func() (response, error) { return c.DeleteLocationContextWithResponse(ctx, locationID) }},
		{op: "deleteDevicePosture", call: func() (response, error) { return c.DeleteDevicePostureWithResponse(ctx, postureID) }},
		{op: "deleteDnsRecord", call: func() (response, error) { return c.DeleteDNSRecordWithResponse(ctx, dnsRecordID) }},
		{op: "deleteNetworkApplication", call: func() (response, error) { return c.DeleteNetworkApplicationWithResponse(ctx, netAppID) }},
		{op: "deleteNetworkIpService", call: func() (response, error) { return c.DeleteNetworkIPServiceWithResponse(ctx, netSvcID) }},
		{op: "deleteNetworkRoute", call: func() (response, error) { return c.DeleteNetworkRouteWithResponse(ctx, routeID) }},
		{op: "deleteNetworkConnector", call: func() (response, error) { return c.DeleteNetworkConnectorWithResponse(ctx, netConnID) }},
		{op: "deleteNetwork", call: func() (response, error) { return c.DeleteNetworkWithResponse(ctx, networkID) }},
		{op: "deleteHostApplication", call: func() (response, error) { return c.DeleteHostApplicationWithResponse(ctx, hostAppID) }},
		{op: "deleteHostIpService", call: func() (response, error) { return c.DeleteHostIPServiceWithResponse(ctx, hostSvcID) }},
		{op: "deleteHostConnector", call: func() (response, error) { return c.DeleteHostConnectorWithResponse(ctx, hostConnID) }},
		{op: "deleteHost", call: func() (response, error) { return c.DeleteHostWithResponse(ctx, hostID) }},
		{op: "deleteDevice", call: func() (response, error) {
			return c.DeleteDeviceWithResponse(ctx, deviceID, &gen.DeleteDeviceParams{UserID: userID})
		}},
		{op: "deleteUser", call: func() (response, error) { return c.DeleteUserWithResponse(ctx, userID) }},
		{op: "deleteUserGroup", call: func() (response, error) { return c.DeleteUserGroupWithResponse(ctx, groupID) }},
	}

	// The table covers exactly the operations of the document.
	var inTable []string
	for _, s := range steps {
		inTable = append(inTable, s.op)
	}
	var inSpec []string
	for _, op := range gen.Operations {
		inSpec = append(inSpec, op.ID)
	}
	slices.Sort(inTable)
	slices.Sort(inSpec)
	assert.Empty(t, duplicates(inTable), "operations called twice")
	assert.Empty(t, minus(inSpec, inTable), "operations of the document missing from the table")
	assert.Empty(t, minus(inTable, inSpec), "operations in the table but not in the document")

	ops := loadOps(t)
	for _, s := range steps {
		r, err := s.call()
		require.NoError(t, err, s.op)
		require.Equal(t, ops[s.op].status, r.StatusCode(), "%s: status; body: %s", s.op, body(r))
		if s.after != nil {
			s.after(r)
		}
		assert.GreaterOrEqual(t, srv.RequestCount(gen.OperationID(s.op)), 1, "%s: RequestCount", s.op)
	}
}

func loadOps(t *testing.T) map[string]*opInfo {
	t.Helper()
	sp, err := loadSpec()
	require.NoError(t, err)
	return sp.ops
}

func duplicates(sorted []string) []string {
	var out []string
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] && (len(out) == 0 || out[len(out)-1] != sorted[i]) {
			out = append(out, sorted[i])
		}
	}
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestEveryOperationRouted checks that the mux serves every operation of
// the document under the same method and path.
func TestEveryOperationRouted(t *testing.T) {
	h, err := NewHandler()
	require.NoError(t, err)
	for _, op := range gen.Operations {
		path := strings.NewReplacer("{id}", "x", "{userId}", "x").Replace(op.Path)
		req, _ := http.NewRequest(op.Method, path, nil)
		_, pattern := h.mux.Handler(req)
		assert.Equal(t, op.Method+" "+op.Path, pattern, "%s: %s %s routed", op.ID, op.Method, path)
	}
}
