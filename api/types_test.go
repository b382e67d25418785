package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// auditBatch is an audit-log batch whose additionalInfo and fields carry
// every JSON kind the vendor's "any value" allows.
const auditBatch = `{"auditLogs":[{
  "id":"a1","operation":"UPDATE","entityType":"NETWORK",
  "additionalInfo":[
    {"name":null,"value":null},
    {"name":"limits","value":{"devices":5,"nested":{"on":true}}},
    {"name":7,"value":12.5},
    {"name":"plain","value":"text"}
  ],
  "fields":[
    {"name":"routes","oldValue":[{"subnet":"10.0.0.0/24"}],"newValue":[]},
    {"name":{"path":"egress"},"oldValue":false,"newValue":true},
    {"name":"count","oldValue":3,"newValue":null}
  ]}],"nextCursor":"c2"}`

// TestAuditLogAnyValueDecodes: an audit-log batch whose values are objects,
// numbers and nulls decodes through the generated client, and the document
// accepts it as a response (so the fake and strict validation accept it too).
func TestAuditLogAnyValueDecodes(t *testing.T) {
	srv := newWireServer(t, http.StatusOK, "application/json", auditBatch)
	resp, err := srv.client(t).Raw.ListAuditLogsWithResponse(context.Background(), &gen.ListAuditLogsParams{Size: 100})
	require.NoError(t, err)
	require.NotNil(t, resp.JSON200)
	require.Len(t, resp.JSON200.AuditLogs, 1)
	rec := resp.JSON200.AuditLogs[0]

	require.Len(t, rec.AdditionalInfo, 4)
	assert.Nil(t, rec.AdditionalInfo[0].Name)
	assert.Nil(t, rec.AdditionalInfo[0].Value)
	assert.Equal(t, map[string]any{"devices": float64(5), "nested": map[string]any{"on": true}}, rec.AdditionalInfo[1].Value)
	assert.Equal(t, float64(7), rec.AdditionalInfo[2].Name)
	assert.Equal(t, 12.5, rec.AdditionalInfo[2].Value)
	assert.Equal(t, "text", rec.AdditionalInfo[3].Value)

	require.Len(t, rec.Fields, 3)
	assert.Equal(t, []any{map[string]any{"subnet": "10.0.0.0/24"}}, rec.Fields[0].OldValue)
	assert.Equal(t, []any{}, rec.Fields[0].NewValue)
	assert.Equal(t, map[string]any{"path": "egress"}, rec.Fields[1].Name)
	assert.Equal(t, false, rec.Fields[1].OldValue)
	assert.Equal(t, float64(3), rec.Fields[2].OldValue)
	assert.Nil(t, rec.Fields[2].NewValue)
	require.NotNil(t, resp.JSON200.NextCursor)
	assert.Equal(t, "c2", *resp.JSON200.NextCursor)

	assert.NoError(t, validateResponse(t, specRouter(t), http.MethodGet, "/api/v1/audit-log?size=100", http.StatusOK, []byte(auditBatch)))
}

// TestMacOSPostureRefusesCortexXDR: Cortex XDR is a Windows antivirus. The
// generated macOS types have their own enum without it, so a Windows-only
// constant does not type-check in a macOS policy, the macOS enum does not
// know the literal, and the document rejects it in a macOS request body.
func TestMacOSPostureRefusesCortexXDR(t *testing.T) {
	// elem is the element type of a slice field, through a pointer if any.
	elem := func(v any) string {
		f, ok := reflect.TypeOf(v).FieldByName("Antiviruses")
		require.True(t, ok)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		return ft.Elem().String()
	}
	assert.Equal(t, "gen.MacOSAntivirus", elem(gen.MacOSRequest{}), "MacOSRequest.Antiviruses element type")
	assert.Equal(t, "gen.MacOSAntivirus", elem(gen.MacOSResponse{}), "MacOSResponse.Antiviruses element type")
	assert.Equal(t, "gen.Antivirus", elem(gen.WindowsRequest{}), "WindowsRequest.Antiviruses element type")
	assert.False(t, reflect.TypeFor[gen.Antivirus]().AssignableTo(reflect.TypeFor[gen.MacOSAntivirus]()),
		"a Windows Antivirus constant must not be usable as a macOS one")

	assert.False(t, gen.MacOSAntivirus(gen.AntivirusCortexXdr).Valid(), "macOS enum accepts CORTEX_XDR")
	assert.True(t, gen.AntivirusCortexXdr.Valid(), "Windows enum lost CORTEX_XDR")
	assert.True(t, gen.MacOSAntivirusCrowdstrikeFalcon.Valid())

	router := specRouter(t)
	body := func(platform string) []byte {
		return fmt.Appendf(nil, `{"name":"p",%q:{"antiviruses":["CORTEX_XDR"]}}`, platform)
	}
	hdr := http.Header{"Content-Type": {"application/json"}}
	validateRequest(t, router, wireRequest{Method: http.MethodPost, Path: "/api/v1/device-postures", Body: body("windows"), Header: hdr})
	err := validateRequestErr(t, router, wireRequest{Method: http.MethodPost, Path: "/api/v1/device-postures", Body: body("macos"), Header: hdr})
	assert.ErrorContains(t, err, "CORTEX_XDR")
}
