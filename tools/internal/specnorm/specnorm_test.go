package specnorm

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeRules(t *testing.T) {
	in := `{"openapi":"3.0.1","info":{"title":"t","version":"1"},
 "components":{"securitySchemes":{"oauth":{"type":"oauth2","name":"x","flows":{"clientCredentials":{"tokenUrl":"/t"}}}},
  "schemas":{"E":{"type":"object","properties":{"params":{"type":"object","additionalProperties":{"type":"object"}},"any":{"type":"object"},"obj":{"type":"object","properties":{"a":{"type":"string"}}}}}}},
 "paths":{"/a":{"get":{
   "parameters":[{"name":"page","in":"query","schema":{"type":"int32","default":"0"}},{"name":"size","in":"query","schema":{"type":"string","format":"int32"}}],
   "responses":{"200":{"description":"OK","content":{"*/*":{"schema":{"$ref":"#/components/schemas/E"}}}},
                "201":{"description":"OK","content":{"*/*":{"schema":{"type":"string"}}}},
                "202":{"description":"OK","content":{"*/*":{}}},
                "400":{"description":"bad","content":{"application/json":{"schema":{"type":"string"}}}}}}}}}`
	out, rep, err := Normalize([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, Report{RuleWildcardMedia: 3, RuleInt32Type: 2, RuleObjectAny: 2, RuleSecurityScheme: 1}, rep)

	doc, err := openapi3.NewLoader().LoadFromData(out)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "normalised document is valid OpenAPI")
	op := doc.Paths.Value("/a").Get
	assert.NotNil(t, op.Responses.Value("200").Value.Content.Get("application/json"))
	assert.NotNil(t, op.Responses.Value("201").Value.Content.Get("text/plain"))
	assert.Empty(t, op.Responses.Value("202").Value.Content)
	assert.NotNil(t, op.Responses.Value("400").Value.Content.Get("application/json"), "declared media types are kept")
	page := op.Parameters.GetByInAndName("query", "page").Schema.Value
	assert.True(t, page.Type.Is("integer"))
	assert.Equal(t, "int32", page.Format)
	assert.Equal(t, float64(0), page.Default)
	assert.True(t, op.Parameters.GetByInAndName("query", "size").Schema.Value.Type.Is("integer"))
	e := doc.Components.Schemas["E"].Value
	assert.Nil(t, e.Properties["params"].Value.AdditionalProperties.Schema.Value.Type, "map of Object values is a map of any value")
	assert.Nil(t, e.Properties["any"].Value.Type)
	assert.True(t, e.Properties["obj"].Value.Type.Is("object"), "an object with properties is kept")
	sc := doc.Components.SecuritySchemes["oauth"].Value
	assert.Empty(t, sc.Name)
	assert.NotNil(t, sc.Flows.ClientCredentials.Scopes)
}

// TestNormalizeVendorFile: the vendor's v1.1.0 file normalises into a valid
// document without */* or int32 types, byte for byte the same every time,
// and normalising again changes nothing.
func TestNormalizeVendorFile(t *testing.T) {
	raw, err := os.ReadFile("../../../api/testdata/vendor-v1.1.0.json")
	require.NoError(t, err)
	out, rep, err := Normalize(raw)
	require.NoError(t, err)
	assert.Equal(t, Report{RuleWildcardMedia: 140, RuleInt32Type: 33, RuleObjectAny: 1, RuleSecurityScheme: 1}, rep)
	assert.NotContains(t, string(out), `"*/*"`)
	assert.NotContains(t, string(out), `"type": "int32"`)
	again, _, err := Normalize(raw)
	require.NoError(t, err)
	assert.Equal(t, out, again, "not reproducible")
	twice, rep2, err := Normalize(out)
	require.NoError(t, err)
	assert.Empty(t, rep2)
	assert.Equal(t, out, twice, "not idempotent")

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(out)
	require.NoError(t, err)
	assert.NoError(t, doc.Validate(context.Background(), openapi3.DisableExamplesValidation()))
}

func TestNormalizeRejectsNonJSON(t *testing.T) {
	_, _, err := Normalize([]byte("openapi: 3.0.0"))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "specnorm:"))
}
