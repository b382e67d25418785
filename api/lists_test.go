package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// TestListsCanBeCleared: on the full-replace PUTs a user can empty each list
// by sending an empty slice, and leaves it out by leaving the field nil. The
// bytes on the wire say so, and both bodies are valid under the document.
func TestListsCanBeCleared(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		path []string // JSON path of the list in the request body
		send func(c *client.Client, list bool) error
	}{
		{"UserUpdateRequest.secondaryGroupIds", []string{"secondaryGroupIds"}, func(c *client.Client, list bool) error {
			body := gen.UserUpdateRequest{Email: "a@example.com"}
			if list {
				body.SecondaryGroupIDs = &[]string{}
			}
			_, err := c.Raw.UpdateUserWithResponse(ctx, "u1", body)
			return err
		}},
		{"TunnelBypassRequest.ipv4Subnets", []string{"tunnelBypass", "ipv4Subnets"}, func(c *client.Client, list bool) error {
			body := gen.UserGroupRequest{Name: "g", TunnelBypass: &gen.TunnelBypassRequest{}}
			if list {
				body.TunnelBypass.IPv4Subnets = &[]string{}
			}
			_, err := c.Raw.UpdateUserGroupWithResponse(ctx, "g1", body)
			return err
		}},
		{"DnsZones.zones", []string{"zones"}, func(c *client.Client, list bool) error {
			var body gen.DNSZones
			if list {
				body.Zones = &[]gen.DNSZone{}
			}
			_, err := c.Raw.SetDNSZonesWithResponse(ctx, body)
			return err
		}},
		{"AccessGroupRequest.source", []string{"source"}, func(c *client.Client, list bool) error {
			body := gen.AccessGroupRequest{Name: "ag"}
			if list {
				body.Source = &[]gen.AccessItemSourceRequest{}
			}
			_, err := c.Raw.UpdateAccessGroupWithResponse(ctx, "a1", body)
			return err
		}},
		{"AccessGroupRequest.destination", []string{"destination"}, func(c *client.Client, list bool) error {
			body := gen.AccessGroupRequest{Name: "ag"}
			if list {
				body.Destination = &[]gen.AccessItemDestinationRequest{}
			}
			_, err := c.Raw.UpdateAccessGroupWithResponse(ctx, "a1", body)
			return err
		}},
		{"LocationContextRequest.userGroupsIds", []string{"userGroupsIds"}, func(c *client.Client, list bool) error {
			body := gen.LocationContextRequest{Name: "lc"}
			if list {
				body.UserGroupsIDs = &[]string{}
			}
			_, err := c.Raw.UpdateLocationContextWithResponse(ctx, "l1", body)
			return err
		}},
	}
	router := specRouter(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newWireServer(t, http.StatusOK, "application/json", `{}`)
			c := srv.client(t)
			for _, list := range []bool{true, false} {
				require.NoError(t, tc.send(c, list))
				rec := srv.last(t)
				assert.Equal(t, http.MethodPut, rec.Method)
				validateRequest(t, router, rec)
				got, present := lookup(t, rec.Body, tc.path)
				if list {
					require.True(t, present, "empty list not sent: %s", rec.Body)
					assert.Equal(t, []any{}, got, "body %s", rec.Body)
				} else {
					assert.False(t, present, "nil list sent: %s", rec.Body)
				}
			}
		})
	}
}

// lookup returns the value at path in a JSON object and whether it is there.
func lookup(t *testing.T, body []byte, path []string) (any, bool) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	for _, key := range path {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s is not an object in %s", key, body)
		if v, ok = m[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestRequestListPolicy enforces the document's rule for arrays in request
// bodies (docs/spec.md, "Lists in request bodies"): every optional array of
// a schema a PUT body can reach is a pointer to a slice in Go
// (x-go-type-skip-optional-pointer: false), so nil (absent) and an empty
// slice (send []) differ; so is the same optional array in the create of
// that kind of resource (gatewaysIds of NetworkCreateRequest as of
// NetworkUpdateRequest), so that a create and an update take a list in the
// same Go type. Other arrays stay plain slices.
func TestRequestListPolicy(t *testing.T) {
	doc := loadSpec(t)
	put := map[string]bool{}  // schema.property reachable from a PUT body
	body := map[string]bool{} // schema.property reachable from any body
	for _, o := range operations(doc) {
		if o.op.RequestBody == nil {
			continue
		}
		for _, mt := range o.op.RequestBody.Value.Content {
			visitArrays(mt.Schema, "", map[*openapi3.Schema]bool{}, func(name string) {
				body[name] = true
				if o.method == http.MethodPut {
					put[name] = true
				}
			})
		}
	}
	require.Contains(t, put, "DnsZones.zones", "the walk found no PUT lists")
	// kind names the resource a request schema writes: NetworkCreateRequest
	// and NetworkUpdateRequest write a Network.
	kind := func(name string) string {
		schema, prop, _ := strings.Cut(name, ".")
		schema = strings.TrimSuffix(schema, "Request")
		schema = strings.TrimSuffix(strings.TrimSuffix(schema, "Create"), "Update")
		return schema + "." + prop
	}
	putKind := map[string]bool{}
	for name := range put {
		putKind[kind(name)] = true
	}
	var missing, extra []string
	for name := range body {
		schema, prop, _ := strings.Cut(name, ".")
		s := doc.Components.Schemas[schema].Value
		v, ok := s.Properties[prop].Value.Extensions["x-go-type-skip-optional-pointer"]
		pointer := ok && v == false
		required := slices.Contains(s.Required, prop)
		// A create takes the list in the same Go type as the update of the
		// same kind of resource.
		want := !required && (put[name] || putKind[kind(name)])
		switch {
		case want && !pointer:
			missing = append(missing, name)
		case !want && ok:
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	assert.Empty(t, missing, "optional request-body arrays without x-go-type-skip-optional-pointer: false")
	assert.Empty(t, extra, "x-go-type-skip-optional-pointer on arrays the policy leaves plain")
}

// visitArrays calls fn with "Schema.property" for every array property of a
// named schema reachable from ref.
func visitArrays(ref *openapi3.SchemaRef, owner string, seen map[*openapi3.Schema]bool, fn func(string)) {
	if ref == nil || ref.Value == nil {
		return
	}
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		owner = name
	}
	s := ref.Value
	if seen[s] {
		return
	}
	seen[s] = true
	visitArrays(s.Items, owner, seen, fn)
	for prop, p := range s.Properties {
		if p.Value != nil && p.Value.Type.Is("array") && p.Ref == "" {
			fn(owner + "." + prop)
		}
		visitArrays(p, owner, seen, fn)
	}
	for _, sub := range append(append(append(openapi3.SchemaRefs{}, s.AllOf...), s.OneOf...), s.AnyOf...) {
		visitArrays(sub, owner, seen, fn)
	}
}
