package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Every 2xx answer is a typed outcome: the documented type decoded, or a
// *ResponseError, never a raw decoder error or (resp, nil) with a nil body.
func TestUnusable2xxIsResponseError(t *testing.T) {
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		reason                  string
	}{
		{"invalid JSON", "application/json", `{"id":`, 200, "unexpected end of JSON input"},
		{"wrong types", "application/json", `{"id":123,"name":["x"]}`, 200, "cannot unmarshal"},
		{"deep nesting", "application/json", `{"id":` + deep + `}`, 200, "exceeded max depth"},
		{"html", "text/html", `<html><title>Login</title></html>`, 200, "content type is not application/json"},
		{"no content type, not JSON", "", `id=n-1`, 200, "decode application/json"},
		{"empty body", "application/json", ``, 200, "empty body"},
		{"JSON null", "application/json", `null`, 200, "JSON null"},
		{"undocumented status", "application/json", `{"id":"n-1"}`, 203, "status not documented for the operation (documented: 200)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType == "" {
					w.Header()["Content-Type"] = nil // no sniffing
				} else {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c := newTestClient(t, s)
			resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
			assert.Nil(t, resp)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			var rerr *ResponseError
			require.ErrorAs(t, err, &rerr)
			assert.Equal(t, "getNetwork", rerr.Operation)
			assert.Equal(t, "n-1", rerr.ResourceID)
			assert.Equal(t, tc.status, rerr.StatusCode)
			assert.Equal(t, tc.contentType, rerr.ContentType)
			assert.Equal(t, 1, rerr.Attempts, "a 2xx answer is not retried")
			assert.Contains(t, err.Error(), tc.reason)
			assert.True(t, strings.HasPrefix(err.Error(), `cloudconnexa: getNetwork "n-1": unexpected `), err.Error())
			assert.LessOrEqual(t, len(rerr.Snippet), maxSnippet+len("…"))
			var syntax *json.SyntaxError
			if tc.name == "invalid JSON" || tc.name == "deep nesting" {
				assert.ErrorAs(t, err, &syntax, "the decoder's error stays reachable")
			}
			assert.Equal(t, 1, s.count())
		})
	}
}

// A create answered with a 2xx other than the documented 201 is a
// *ResponseError, not a response whose JSON201 is nil.
func TestCreateAnsweredWithOtherStatus(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
	})
	c := newTestClient(t, s)
	resp, err := c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "net"})
	assert.Nil(t, resp)
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.Contains(t, err.Error(), "createNetwork: unexpected 200 response (application/json): status not documented for the operation (documented: 201)")
}

func TestDocumented2xxDecodes(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"id":"n-2","name":"net"}`))
		case http.MethodDelete:
			w.Header().Set("Content-Type", "text/html") // ignored: no body is documented
			w.WriteHeader(204)
		default:
			writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
		}
	})
	c := newTestClient(t, s)
	ctx := context.Background()
	got, err := c.Raw.GetNetworkWithResponse(ctx, "n-1")
	require.NoError(t, err)
	require.NotNil(t, got.JSON200)
	assert.Equal(t, "n-1", got.JSON200.ID)
	created, err := c.Raw.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "net"})
	require.NoError(t, err)
	require.NotNil(t, created.JSON201)
	assert.Equal(t, "n-2", created.JSON201.ID)
	_, err = c.Raw.DeleteNetworkWithResponse(ctx, "n-1")
	require.NoError(t, err)
}

func TestResponseSnippetIsRedacted(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("echo: " + r.Header.Get("Authorization") + " " + testSecret))
	})
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var rerr *ResponseError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, "echo: Bearer [redacted] [redacted]", rerr.Snippet)
}

func TestClientUnexpected(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	c := newTestClient(t, s)
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	err = c.unexpected(resp.HTTPResponse, resp.Body, errors.New("no network in the answer"))
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.Equal(t, `cloudconnexa: getNetwork "n-1": unexpected 200 response (application/json): no network in the answer`, err.Error())
	err = c.unexpected(nil, []byte(testSecret), errors.New("no response"))
	var rerr *ResponseError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, "[redacted]", rerr.Snippet)
}

// TestUnlabelledJSONIsAccepted: a user's own httptest handler that writes
// JSON without setting Content-Type (net/http then sniffs text/plain), or a
// proxy that drops the header, still gives the typed result in both layers.
func TestUnlabelledJSONIsAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		label func(http.Header)
	}{
		{"sniffed by net/http", func(http.Header) {}},
		{"no Content-Type", func(h http.Header) { h["Content-Type"] = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
				tc.label(w.Header())
				_, _ = w.Write([]byte(`{"id":"n-1","name":"office"}`))
			})
			c := newTestClient(t, s)

			resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
			require.NoError(t, err)
			require.NotNil(t, resp.JSON200, "the generated parser fills the typed field")
			assert.Equal(t, "office", resp.JSON200.Name)

			n, err := c.Networks.Get(context.Background(), "n-1")
			require.NoError(t, err)
			assert.Equal(t, "n-1", n.ID)
		})
	}
}
