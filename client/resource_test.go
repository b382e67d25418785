package client

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// answer replies with a fixed status, content type (none when "") and body.
func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing either
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// TestResourceAnyDocumentedShapeIsAccepted: the resource methods decode
// every documented answer, whatever the parameters of its media type.
func TestResourceAnyDocumentedShapeIsAccepted(t *testing.T) {
	s := newTestAPI(t, nil)
	c := newTestClient(t, s, WithoutRateLimit())
	ctx := context.Background()
	req := gen.DNSRecordRequest{Domain: "git.corp.example"}

	for _, tc := range []struct {
		name        string
		status      int
		contentType string
	}{
		{"documented 201", 201, "application/json"},
		{"charset", 201, "application/json; charset=utf-8"},
		{"vendor JSON type", 201, "application/vnd.api+json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.setHandler(answer(tc.status, tc.contentType, `{"id":"r-1","domain":"git.corp.example"}`))
			rec, err := c.DNSRecords.Create(ctx, req)
			require.NoError(t, err)
			require.NotNil(t, rec)
			assert.Equal(t, "r-1", rec.ID)
		})
	}

	s.setHandler(answer(200, "text/plain", "corp.example"))
	suffix, err := c.Settings.GetDefaultDNSSuffix(ctx)
	require.NoError(t, err)
	assert.Equal(t, "corp.example", suffix)

	s.setHandler(answer(200, "text/plain; charset=utf-8", "FULL_MESH"))
	topo, err := c.Settings.GetTopology(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.TopologyFullMesh, topo)

	s.setHandler(answer(200, "application/json", `true`))
	on, err := c.Settings.GetDNSProxyEnabled(ctx)
	require.NoError(t, err)
	assert.True(t, on)

	s.setHandler(answer(204, "", ""))
	assert.NoError(t, c.Networks.Delete(ctx, "n-1"))
	s.setHandler(answer(200, "application/json", `{"ignored":"body"}`))
	assert.NoError(t, c.Users.Suspend(ctx, "u-1"), "a body where none is documented is ignored")
}

// TestResourceUndocumented2xxIsTypedError: a 2xx the client cannot use is an
// *ResponseError matching ErrUnexpectedResponse, with a nil result, never
// (nil, nil).
func TestResourceUndocumented2xxIsTypedError(t *testing.T) {
	s := newTestAPI(t, nil)
	c := newTestClient(t, s, WithoutRateLimit())
	ctx := context.Background()

	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"200 for a create", 200, "application/json", `{"id":"r-1","domain":"git.corp.example"}`},
		{"text/html", 201, "text/html; charset=utf-8", "<html><title>Login</title></html>"},
		{"no content type, not JSON", 201, "", `id=r-1`},
		{"sniffed text/plain, not JSON", 201, "text/plain; charset=utf-8", `r-1 created`},
		{"empty body", 201, "application/json", ""},
		{"204 no body", 204, "", ""},
		{"invalid JSON", 201, "application/json", `{"id":`},
		{"wrong types", 201, "application/json", `{"id":42}`},
		{"null", 201, "application/json", "null"},
		{"xml", 201, "application/xml", "<id>r-1</id>"},
	}
	for _, tc := range cases {
		t.Run("object/"+tc.name, func(t *testing.T) {
			s.setHandler(answer(tc.status, tc.contentType, tc.body))
			rec, err := c.DNSRecords.Create(ctx, gen.DNSRecordRequest{Domain: "git.corp.example"})
			assert.Nil(t, rec)
			requireUnexpected(t, err, "createDnsRecord", tc.status)
		})
	}
	for _, tc := range cases {
		t.Run("value/"+tc.name, func(t *testing.T) {
			status := tc.status
			if status == 201 {
				status = 200 // the documented status, so the body is what is wrong
			}
			s.setHandler(answer(status, tc.contentType, tc.body))
			_, err := c.Settings.GetDNSProxyEnabled(ctx)
			requireUnexpected(t, err, "getDnsProxyEnabled", status)
		})
	}
	t.Run("value/not a boolean", func(t *testing.T) {
		s.setHandler(answer(200, "application/json", `"yes"`))
		_, err := c.Settings.GetDNSProxyEnabled(ctx)
		requireUnexpected(t, err, "getDnsProxyEnabled", 200)
	})
	t.Run("text/html for text", func(t *testing.T) {
		s.setHandler(answer(200, "text/html", "<html>login</html>"))
		v, err := c.Settings.GetTopology(ctx)
		assert.Empty(t, v)
		requireUnexpected(t, err, "getTopology", 200)
	})
	t.Run("JSON for text", func(t *testing.T) {
		s.setHandler(answer(200, "application/json", `{"topology":"x"}`))
		_, err := c.Settings.GetTopology(ctx)
		requireUnexpected(t, err, "getTopology", 200)
	})
	t.Run("200 for a documented 204", func(t *testing.T) {
		s.setHandler(answer(200, "", ""))
		requireUnexpected(t, c.Networks.Delete(ctx, "n-1"), "deleteNetwork", 200)
	})
	t.Run("resource id in the error", func(t *testing.T) {
		s.setHandler(answer(200, "text/html", "<html></html>"))
		_, err := c.Networks.Get(ctx, "n-7")
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "n-7", re.ResourceID)
		assert.Equal(t, "/api/v1/networks/n-7", re.Path)
		assert.Contains(t, err.Error(), `getNetwork "n-7"`)
	})
}

func requireUnexpected(t *testing.T, err error, op string, status int) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
	var re *ResponseError
	if assert.ErrorAs(t, err, &re) {
		assert.Equal(t, op, re.Operation)
		assert.Equal(t, status, re.StatusCode)
	}
}

// TestResourceErrorsPassThrough: the pipeline's typed errors come back from
// the resource methods unchanged.
func TestResourceErrorsPassThrough(t *testing.T) {
	s := newTestAPI(t, answer(404, "application/json", `{"errorMessage":"network n-9 not found"}`))
	c := newTestClient(t, s, WithoutRateLimit())
	n, err := c.Networks.Get(context.Background(), "n-9")
	assert.Nil(t, n)
	assert.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "getNetwork", apiErr.Operation)
	assert.Equal(t, "n-9", apiErr.ResourceID)

	assert.ErrorIs(t, c.Networks.Delete(context.Background(), "n-9"), ErrNotFound)
	_, err = c.Settings.GetTopology(context.Background())
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = c.Settings.GetDNSProxyEnabled(context.Background())
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestPtr(t *testing.T) {
	p := Ptr(gen.InternetAccessSplitTunnelOn)
	require.NotNil(t, p)
	assert.Equal(t, gen.InternetAccessSplitTunnelOn, *p)
	v := 1
	q := Ptr(v)
	v = 2
	assert.Equal(t, 1, *q, "Ptr points to a copy")
}

func TestGetters(t *testing.T) {
	var nilPosture *gen.DevicePostureResponse
	assert.False(t, nilPosture.GetMacos().GetDiskEncrypted(), "nil receivers all the way down")
	assert.Empty(t, nilPosture.GetDescription())

	p := &gen.DevicePostureResponse{}
	assert.Nil(t, p.GetMacos())
	assert.Empty(t, p.GetDescription())
	p.Description = Ptr("managed")
	p.Macos = &gen.MacOSResponse{DiskEncrypted: Ptr(true)}
	assert.Equal(t, "managed", p.GetDescription())
	assert.Same(t, p.Macos, p.GetMacos())
	assert.True(t, p.GetMacos().GetDiskEncrypted())

	n := &gen.NetworkResponse{InternetAccess: Ptr(gen.InternetAccessSplitTunnelOff)}
	assert.Equal(t, gen.InternetAccessSplitTunnelOff, n.GetInternetAccess(), "enums keep their type")
	assert.False(t, n.GetEgress())
}
