package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Spec()
	require.NoError(t, err)
	return doc
}

type operation struct {
	method, path string
	op           *openapi3.Operation
}

func operations(doc *openapi3.T) []operation {
	var ops []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			ops = append(ops, operation{method, path, op})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].method+" "+ops[i].path < ops[j].method+" "+ops[j].path
	})
	return ops
}

func TestSpecValidates(t *testing.T) {
	doc := loadSpec(t)
	require.NoError(t, doc.Validate(context.Background()))
	require.Equal(t, api.Version, doc.Info.Version, "info.version")
	shared, err := api.SharedSpec()
	require.NoError(t, err, "SharedSpec")
	require.NotNil(t, shared, "SharedSpec")
}

// TestInventory checks that the document has exactly the operations of the
// v1.2.3 inventory, with the same methods and paths.
func TestInventory(t *testing.T) {
	f, err := os.Open("testdata/operations-v1.2.3.txt")
	require.NoError(t, err)
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	var got []string
	for _, o := range operations(loadSpec(t)) {
		got = append(got, o.method+" "+o.path)
	}
	sort.Strings(want)
	sort.Strings(got)
	require.Len(t, want, 163, "inventory operations")
	for _, w := range want {
		_, found := slices.BinarySearch(got, w)
		assert.True(t, found, "missing operation %s", w)
	}
	for _, g := range got {
		_, found := slices.BinarySearch(want, g)
		assert.True(t, found, "operation %s is not in the inventory", g)
	}
}

// TestVendorOperationsPreserved checks every operation of the vendor's v1.1.0
// document: same method and path, same parameter names and locations.
func TestVendorOperationsPreserved(t *testing.T) {
	raw, err := os.ReadFile("testdata/vendor-v1.1.0.json")
	require.NoError(t, err)
	var vendor struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(raw, &vendor))
	doc := loadSpec(t)
	n := 0
	for path, methods := range vendor.Paths {
		for method, vop := range methods {
			n++
			item := doc.Paths.Value(path)
			if !assert.True(t, item != nil && item.GetOperation(strings.ToUpper(method)) != nil,
				"%s %s (vendor %s) missing", strings.ToUpper(method), path, vop.OperationID) {
				continue
			}
			op := item.GetOperation(strings.ToUpper(method))
			var want, got []string
			for _, p := range vop.Parameters {
				want = append(want, p.In+":"+p.Name)
			}
			for _, p := range append(item.Parameters, op.Parameters...) {
				got = append(got, p.Value.In+":"+p.Value.Name)
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, "%s %s parameters: vendor (expected), ours (actual)", strings.ToUpper(method), path)
		}
	}
	require.Equal(t, 144, n, "vendor document operations")
}

var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

func TestOperationConventions(t *testing.T) {
	doc := loadSpec(t)
	seen := map[string]string{}
	for _, o := range operations(doc) {
		name := o.method + " " + o.path
		id := o.op.OperationID
		if assert.NotEmpty(t, id, "%s: no operationId", name) &&
			assert.Regexp(t, camelCase, id, "%s: operationId is not camelCase", name) {
			assert.Empty(t, seen[id], "%s: operationId %q already used", name, id)
		}
		seen[id] = name
		assert.Len(t, o.op.Tags, 1, "%s: tags", name)
		assert.NotEmpty(t, o.op.Summary, "%s: no summary", name)
		for code, ref := range o.op.Responses.Map() {
			for mediaType, mt := range ref.Value.Content {
				assert.NotContains(t, mediaType, "*", "%s %s: media type", name, code)
				if strings.HasPrefix(code, "2") && mediaType == "application/json" {
					assert.True(t, mt.Schema != nil && mt.Schema.Value != nil, "%s %s: JSON response without schema", name, code)
				}
			}
		}
		if o.op.OperationID == "requestToken" {
			continue
		}
		for _, code := range []string{"400", "401", "403", "404", "429", "500"} {
			r := o.op.Responses.Value(code)
			if !assert.NotNil(t, r, "%s: no %s response", name, code) {
				continue
			}
			mt := r.Value.Content.Get("application/json")
			assert.True(t, mt != nil && mt.Schema != nil && mt.Schema.Ref == "#/components/schemas/ErrorResponse",
				"%s: %s response is not an ErrorResponse", name, code)
		}
	}
	for _, id := range []string{"listNetworks", "getNetwork", "createNetwork", "updateNetwork", "deleteNetwork"} {
		assert.NotEmpty(t, seen[id], "operationId %s missing", id)
	}
}

// TestNoInlineEnums keeps enums named, so the generated Go types are shared.
func TestNoInlineEnums(t *testing.T) {
	doc := loadSpec(t)
	for name, s := range doc.Components.Schemas {
		for prop, p := range s.Value.Properties {
			if p.Ref == "" {
				assert.Empty(t, p.Value.Enum, "%s.%s has an inline enum", name, prop)
			}
			if p.Value.Items != nil && p.Value.Items.Ref == "" {
				assert.Empty(t, p.Value.Items.Value.Enum, "%s.%s items have an inline enum", name, prop)
			}
		}
	}
	for _, o := range operations(doc) {
		for _, p := range o.op.Parameters {
			if s := p.Value.Schema; s != nil && s.Ref == "" {
				assert.Empty(t, s.Value.Enum, "%s %s parameter %s has an inline enum", o.method, o.path, p.Value.Name)
			}
		}
	}
}

// TestTemplateOverridesMatchGenerator fails when oapi-codegen is upgraded in
// tools/go.mod but the templates overridden in api/templates still derive from the
// old version (docs/regenerating.md says how to redo them).
func TestTemplateOverridesMatchGenerator(t *testing.T) {
	mod, err := os.ReadFile("../tools/go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*github\.com/oapi-codegen/oapi-codegen/v2 (v\S+)`).FindSubmatch(mod)
	require.NotNil(t, m, "tools/go.mod does not require oapi-codegen/v2")
	version := string(m[1])
	for _, name := range []string{"client.tmpl", "imports.tmpl"} {
		b, err := os.ReadFile("templates/" + name)
		require.NoError(t, err)
		first, _, _ := strings.Cut(string(b), "*/")
		want := "oapi-codegen's " + name + " (" + version + ")"
		assert.Contains(t, first, want, "templates/%s: its first comment should name the generator version: redo the override from the new version", name)
	}
}
