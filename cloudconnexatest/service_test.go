package cloudconnexatest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests pin the fake to what the live service does, each for a case
// where the fake used to differ (issue 17).

// The region ids the live service has been observed to use
// (docs/testing.md, "Regions").
var observedRegions = []string{
	"se-arn", "us-ewr", "us-pdx", "ap-south-1", "us-bos", "us-mia", "fr-cdg", "ie-dub", "ca-east-1",
	"eu-central-1", "ca-yvr", "eu-central-2", "us-central-1", "us-west-1", "us-cmh", "us-west-2", "il-tlv",
	"af-south-1", "us-south-1", "it-mxp", "eu-west-1", "fi-hel", "us-sea", "jp-hnd", "es-mad", "us-mci",
	"ch-zrh", "ap-southeast-1", "ap-southeast-2", "pl-waw", "br-gru", "us-atl", "be-bru", "us-east-1", "ca-yul",
}

func TestRegionsAreTheObservedOnes(t *testing.T) {
	srv := NewServer(t)
	r, err := srv.Client().Raw.ListRegionsWithResponse(t.Context())
	require.NoError(t, err)
	require.NotNil(t, r.JSON200)
	ids := make([]string, 0, len(*r.JSON200))
	for _, reg := range *r.JSON200 {
		ids = append(ids, reg.ID)
	}
	assert.Equal(t, observedRegions, ids)

	tok := getToken(t, srv)
	status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json",
		`{"name":"n","connectors":[{"name":"c","vpnRegionId":"us-east-1"}]}`)
	assert.Equal(t, 201, status, body)
}

func TestNotFoundWording(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	id := "3f1d2c9e-0000-4000-8000-000000000001"
	for _, tc := range []struct {
		path, key, entity string
		status            int
	}{
		{"/api/v1/dns-records/" + id, "dnsRecord", "DNS record", 400},
		{"/api/v1/networks/applications/" + id, "application", "Application", 400},
		{"/api/v1/networks/" + id, "network", "Network", 404},
		{"/api/v1/user-groups/" + id, "userGroup", "User group", 404},
	} {
		status, _, body := call(t, srv, tok, "GET", tc.path, "", "")
		assert.Equal(t, tc.status, status, tc.path)
		var e gen.ErrorResponse
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		want := tc.entity + " with ID " + id + " not found"
		assert.Equal(t, want, deref(e.ErrorMessage, ""), tc.path)
		if assert.Len(t, e.ErrorDetails[tc.key], 1, body) {
			assert.Equal(t, "9-11-6", deref(e.ErrorDetails[tc.key][0].ErrorCode, ""))
			assert.Equal(t, want, deref(e.ErrorDetails[tc.key][0].Message, ""))
		}
	}
}

func TestBadPathsAreJSONErrors(t *testing.T) {
	srv := NewServer(t) // a response off the document would fail the test
	tok := getToken(t, srv)
	for path, want := range map[string]int{
		"/api/v1/networks/":           400,
		"/api/v1/networks//routes":    404,
		"/api/v1/users/x/":            400,
		"/api/v1/devices/?userId=abc": 400,
		"/api/v1/networks/%20":        404,
		"/api/v1/networks/a%2Fb":      404,
	} {
		status, hdr, body := call(t, srv, tok, "GET", path, "", "")
		assert.Equal(t, want, status, "%s: %s", path, body)
		assert.Equal(t, "application/json", hdr.Get("Content-Type"), path)
		var e gen.ErrorResponse
		assert.NoError(t, json.Unmarshal([]byte(body), &e), path)
		assert.NotEmpty(t, deref(e.ErrorMessage, ""), path)
	}
}

func TestTrailingDataRefused(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithStrictRequests()}} {
		srv := NewServer(t, opts...)
		tok := getToken(t, srv)
		for _, b := range []string{`{"name":"x"} {"name":"y"}`, `{"name":"x"}garbage`, `{"name":"x"}]`} {
			status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", b)
			assert.Equal(t, 400, status, b)
			assert.Contains(t, body, "trailing data", b)
		}
		status, _, body := call(t, srv, tok, "PUT", "/api/v1/settings/wpc/snat", "application/json", "true false")
		assert.Equal(t, 400, status, body)
		r, err := srv.Client().Raw.ListNetworksWithResponse(t.Context(), nil)
		require.NoError(t, err)
		assert.Zero(t, r.JSON200.TotalElements, "nothing was created")
	}
}

func TestLenientBodies(t *testing.T) {
	srv := NewServer(t)
	tok := getToken(t, srv)
	// Undeclared properties and nulls, as clients that send their response
	// structs back do: accepted, and never echoed.
	status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{
		"id": "client-made", "name": "n", "description": null, "systemSubnets": null, "routes": null,
		"connectors": [{"name": "c", "vpnRegionId": "eu-west-1", "ipV6Address": "", "networkItemId": null, "colour": "blue"}],
		"gatewaysIds": null, "internetAccess": null}`)
	require.Equal(t, 201, status, body)
	var n gen.NetworkResponse
	require.NoError(t, json.Unmarshal([]byte(body), &n))
	assert.NotEqual(t, "client-made", n.ID)
	assert.Equal(t, gen.InternetAccessSplitTunnelOn, deref(n.InternetAccess, ""), "null is absent: the default applies")
	require.Len(t, n.Connectors, 1)
	assert.NotEmpty(t, deref(n.Connectors[0].IPV6Address, ""), "the server's address, not the client's empty one")
	assert.NotContains(t, body, "colour")

	// Types, enums and required properties are still the service's to enforce.
	for b, field := range map[string]string{
		`{"name": null}`:                      "name",
		`{"name": 5}`:                         "name",
		`{"name": "n", "internetAccess": ""}`: "internetAccess",
		`{"name": "n", "connectors": [{"name": "c", "vpnRegionId": null}]}`: "connectors.0.vpnRegionId",
	} {
		status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", b)
		assert.Equal(t, 400, status, b)
		var e gen.ErrorResponse
		require.NoError(t, json.Unmarshal([]byte(body), &e))
		assert.Contains(t, e.ErrorDetails, field, "%s: %s", b, body)
	}

	// Unknown properties go at any depth.
	status, _, body = call(t, srv, tok, "PUT", "/api/v1/settings/dns/zones", "application/json", `{"zones":[{"name":"corp.example","addresses":["10.0.0.1"],"extra":1}]}`)
	assert.Equal(t, 200, status, body)
	assert.False(t, strings.Contains(body, "extra"))
}
