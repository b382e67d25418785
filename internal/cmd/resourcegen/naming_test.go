package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServiceRule(t *testing.T) {
	paths := []string{"/api/v1/networks", "/api/v1/networks/{id}", "/api/v1/networks/connectors", "/api/v1/networks/connectors/{id}",
		"/api/v1/networks/connectors/{id}/activate", "/api/v1/dns-records/{id}", "/api/v1/settings/dns/zones", "/api/v1/users/{userId}/reset-mfa"}
	for _, tc := range []struct{ path, tag, want, doc string }{
		{"/api/v1/networks", "Network", "Networks", "/api/v1/networks"},
		{"/api/v1/networks/{id}", "Network", "Networks", "/api/v1/networks"},
		{"/api/v1/networks/connectors/{id}/activate", "Network", "NetworkConnectors", "/api/v1/networks/connectors"},
		{"/api/v1/dns-records/{id}", "DNS Record", "DNSRecords", "/api/v1/dns-records"},
		{"/api/v1/users/{userId}/reset-mfa", "User", "Users", "/api/v1/users"},
		{"/api/v1/settings/dns/zones", "Settings", "Settings", "the Settings tag"},
		{"/api/v1/regions", "Region", "Regions", "the Region tag"},
		{"/api/v1/account/cloud-id", "Account", "Account", "the Account tag"},
	} {
		name, _, doc := serviceOf(tc.path, tc.tag, paths)
		assert.Equal(t, tc.want, name, tc.path)
		assert.Equal(t, tc.doc, doc, tc.path)
	}
}

func TestMethodRule(t *testing.T) {
	for _, tc := range []struct {
		op    string
		nouns []string
		want  string
	}{
		{"GetNetwork", []string{"Networks", "Network"}, "Get"},
		{"ListNetworks", []string{"Networks", "Network"}, "List"},
		{"SuspendNetworkConnector", []string{"NetworkConnectors", "NetworkConnector"}, "Suspend"},
		{"StartNetworkConnectorIPsec", []string{"NetworkConnectors", "NetworkConnector"}, "StartIPsec"},
		{"GenerateDeviceProfile", []string{"Devices", "Device"}, "GenerateProfile"},
		{"ResetUserMFA", []string{"Users", "User"}, "ResetMFA"},
		{"GetDNSProxyEnabled", []string{"Settingss", "Settings"}, "GetDNSProxyEnabled"},
		{"CreateCloudID", []string{"Accounts", "Account"}, "CreateCloudID"},
		// A noun only counts as a whole word: "Networking" is not "Network".
		{"GetNetworking", []string{"Networks", "Network"}, "GetNetworking"},
	} {
		assert.Equal(t, tc.want, methodName(tc.op, tc.nouns), tc.op)
	}
}

func TestArgName(t *testing.T) {
	assert.Equal(t, "id", argName("id"))
	assert.Equal(t, "userID", argName("userId"))
	assert.Equal(t, "networkID", argName("networkId"))
	assert.Equal(t, "startHour", argName("startHour"))
	assert.Equal(t, "typ", argName("type"), "keywords get another name")
}
