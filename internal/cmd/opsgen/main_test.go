package main

import (
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConstName(t *testing.T) {
	names := goNames{"getnetwork": "GetNetwork", "getdnsrecord": "GetDNSRecord", "x_1": "X_1"}
	for id, want := range map[string]string{"getNetwork": "OpGetNetwork", "getDnsRecord": "OpGetDNSRecord", "X_1": "OpX_1"} {
		got, err := constName(id, names)
		require.NoError(t, err, id)
		assert.Equal(t, want, got)
	}
	for _, id := range []string{"", "1get", "get-network", "get network", "requestToken"} {
		_, err := constName(id, names)
		assert.Error(t, err, id)
	}
}

func docWith(ids ...string) *openapi3.T {
	doc := &openapi3.T{Paths: openapi3.NewPaths()}
	for i, id := range ids {
		item := &openapi3.PathItem{}
		item.SetOperation(http.MethodGet, &openapi3.Operation{OperationID: id, Summary: "Get  a\nthing."})
		doc.Paths.Set("/p"+string(rune('a'+i)), item)
	}
	return doc
}

func TestGenerate(t *testing.T) {
	names := goNames{"getthing": "GetThing"}
	src, err := generate(docWith("getThing"), names)
	require.NoError(t, err)
	assert.Contains(t, string(src), `{"getThing", "GET", "/pa"},`)
	assert.Contains(t, string(src), "// OpGetThing is GET /pa (Get a thing).\n\tOpGetThing OperationID = \"getThing\"")

	_, err = generate(docWith("getThing", "GetThing"), names)
	assert.ErrorContains(t, err, "both map to the constant OpGetThing")
	_, err = generate(docWith("get-thing"), names)
	assert.Error(t, err)
}
