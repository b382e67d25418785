package client

import (
	"net/url"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
)

// TestOperationLookup resolves a concrete path of every operation back to it.
func TestOperationLookup(t *testing.T) {
	table := operations()
	for _, op := range gen.Operations {
		path := op.Path
		wantID := ""
		for _, param := range []string{"{id}", "{userId}"} {
			if strings.Contains(path, param) {
				wantID = "res/1 é"
				path = strings.Replace(path, param, url.PathEscape(wantID), 1)
			}
		}
		got := table.lookup(op.Method, path)
		assert.Equal(t, op.ID, got.ID, "%s %s: operation", op.Method, path)
		assert.Equal(t, wantID, got.ResourceID, "%s %s: resource id", op.Method, path)
	}
}

func TestOperationLookupPrefersLiterals(t *testing.T) {
	table := operations()
	for _, tc := range []struct{ method, path, want, id string }{
		{"GET", "/api/v1/networks/applications", "listNetworkApplications", ""},
		{"GET", "/api/v1/networks/connectors", "listNetworkConnectors", ""},
		{"GET", "/api/v1/networks/n-1", "getNetwork", "n-1"},
		{"GET", "/api/v1/networks/applications/a-1", "getNetworkApplication", "a-1"},
		{"POST", "/api/v1/users/u-7/reset-mfa", "resetUserMfa", "u-7"},
		{"GET", "/api/v1/networks/", "listNetworks", ""},
		{"GET", "/api/v1/nothing", "", ""},
		{"PATCH", "/api/v1/networks/n-1", "", ""},
		{"GET", "/api/v1/networks//x", "", ""},
		{"GET", "", "", ""},
		{"GET", "/api/v1/networks/%zz", "getNetwork", "%zz"},
	} {
		got := table.lookup(tc.method, tc.path)
		assert.Equal(t, tc.want, got.ID, "%s %s: operation", tc.method, tc.path)
		assert.Equal(t, tc.id, got.ResourceID, "%s %s: resource id", tc.method, tc.path)
	}
}

func BenchmarkOperationLookup(b *testing.B) {
	table := operations()
	for b.Loop() {
		table.lookup("GET", "/api/v1/networks/applications/a-1")
	}
}
