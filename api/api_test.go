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

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cloudconnexa-go/cloudconnexa/api"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
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
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Version != api.Version {
		t.Fatalf("info.version %q, api.Version %q", doc.Info.Version, api.Version)
	}
	shared, err := api.SharedSpec()
	if err != nil || shared == nil {
		t.Fatalf("SharedSpec: %v", err)
	}
}

// TestInventory checks that the document has exactly the operations of the
// v1.2.3 inventory, with the same methods and paths.
func TestInventory(t *testing.T) {
	f, err := os.Open("testdata/operations-v1.2.3.txt")
	if err != nil {
		t.Fatal(err)
	}
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
	if len(want) != 163 {
		t.Fatalf("inventory has %d operations, want 163", len(want))
	}
	for _, w := range want {
		if _, found := slices.BinarySearch(got, w); !found {
			t.Errorf("missing operation %s", w)
		}
	}
	for _, g := range got {
		if _, found := slices.BinarySearch(want, g); !found {
			t.Errorf("operation %s is not in the inventory", g)
		}
	}
}

// TestVendorOperationsPreserved checks every operation of the vendor's v1.1.0
// document: same method and path, same parameter names and locations.
func TestVendorOperationsPreserved(t *testing.T) {
	raw, err := os.ReadFile("testdata/vendor-v1.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var vendor struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &vendor); err != nil {
		t.Fatal(err)
	}
	doc := loadSpec(t)
	n := 0
	for path, methods := range vendor.Paths {
		for method, vop := range methods {
			n++
			item := doc.Paths.Value(path)
			if item == nil || item.GetOperation(strings.ToUpper(method)) == nil {
				t.Errorf("%s %s (vendor %s) missing", strings.ToUpper(method), path, vop.OperationID)
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
			if !slices.Equal(want, got) {
				t.Errorf("%s %s parameters: vendor %v, ours %v", strings.ToUpper(method), path, want, got)
			}
		}
	}
	if n != 144 {
		t.Fatalf("vendor document has %d operations, want 144", n)
	}
}

var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

func TestOperationConventions(t *testing.T) {
	doc := loadSpec(t)
	seen := map[string]string{}
	for _, o := range operations(doc) {
		name := o.method + " " + o.path
		id := o.op.OperationID
		switch {
		case id == "":
			t.Errorf("%s: no operationId", name)
		case !camelCase.MatchString(id):
			t.Errorf("%s: operationId %q is not camelCase", name, id)
		case seen[id] != "":
			t.Errorf("%s: operationId %q already used by %s", name, id, seen[id])
		}
		seen[id] = name
		if len(o.op.Tags) != 1 {
			t.Errorf("%s: %d tags, want 1", name, len(o.op.Tags))
		}
		if o.op.Summary == "" {
			t.Errorf("%s: no summary", name)
		}
		for code, ref := range o.op.Responses.Map() {
			for mediaType, mt := range ref.Value.Content {
				if strings.Contains(mediaType, "*") {
					t.Errorf("%s %s: media type %q", name, code, mediaType)
				}
				if strings.HasPrefix(code, "2") && mediaType == "application/json" && (mt.Schema == nil || mt.Schema.Value == nil) {
					t.Errorf("%s %s: JSON response without schema", name, code)
				}
			}
		}
		if o.op.OperationID == "requestToken" {
			continue
		}
		for _, code := range []string{"400", "401", "403", "404", "429", "500"} {
			r := o.op.Responses.Value(code)
			if r == nil {
				t.Errorf("%s: no %s response", name, code)
				continue
			}
			mt := r.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/ErrorResponse" {
				t.Errorf("%s: %s response is not an ErrorResponse", name, code)
			}
		}
	}
	for _, id := range []string{"listNetworks", "getNetwork", "createNetwork", "updateNetwork", "deleteNetwork"} {
		if seen[id] == "" {
			t.Errorf("operationId %s missing", id)
		}
	}
}

// TestNoInlineEnums keeps enums named, so the generated Go types are shared.
func TestNoInlineEnums(t *testing.T) {
	doc := loadSpec(t)
	for name, s := range doc.Components.Schemas {
		for prop, p := range s.Value.Properties {
			if p.Ref == "" && len(p.Value.Enum) > 0 {
				t.Errorf("%s.%s has an inline enum", name, prop)
			}
			if p.Value.Items != nil && p.Value.Items.Ref == "" && len(p.Value.Items.Value.Enum) > 0 {
				t.Errorf("%s.%s items have an inline enum", name, prop)
			}
		}
	}
}

// TestTemplateOverridesMatchGenerator fails when oapi-codegen is upgraded in
// go.mod but the templates overridden in api/templates still derive from the
// old version (docs/regenerating.md says how to redo them).
func TestTemplateOverridesMatchGenerator(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/oapi-codegen/oapi-codegen/v2 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require oapi-codegen/v2")
	}
	version := string(m[1])
	for _, name := range []string{"client.tmpl", "imports.tmpl"} {
		b, err := os.ReadFile("templates/" + name)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "*/")
		if want := "oapi-codegen's " + name + " (" + version + ")"; !strings.Contains(first, want) {
			t.Errorf("templates/%s: its first comment should say %q: redo the override from the new version", name, want)
		}
	}
}
