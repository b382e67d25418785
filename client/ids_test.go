package client

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestInvalidIDsAreRefusedBeforeSending(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"n-1"}`) })
	c := newTestClient(t, s)
	ctx := context.Background()
	for _, tc := range []struct {
		id  string
		dot bool
	}{
		{"", false}, {" ", false}, {"\t \n", false},
		{".", true}, {"..", true}, {"../../users", true}, {"a/../b", true}, {"a/.", true},
		{"%2e", true}, {"%2E%2e", true}, {"..\\users", true}, {"./", true},
	} {
		_, err := c.Raw.GetNetworkWithResponse(ctx, tc.id)
		require.ErrorIs(t, err, ErrInvalidID, "id %q", tc.id)
		assert.Equal(t, tc.dot, isDot(err), "id %q matches ErrDotSegment", tc.id)
		var rerr *RequestError
		require.ErrorAs(t, err, &rerr)
		assert.Equal(t, "getNetwork", rerr.Operation, "id %q", tc.id)
		assert.Equal(t, 0, rerr.Attempts)
		_, err = c.Raw.UpdateNetworkWithResponse(ctx, tc.id, gen.NetworkUpdateRequest{Name: "x"})
		assert.ErrorIs(t, err, ErrInvalidID, "update %q", tc.id)
	}
	assert.Zero(t, s.count(), "nothing is sent")

	_, err := c.Raw.GetNetworkWithResponse(ctx, "")
	assert.EqualError(t, err, `cloudconnexa: getNetwork: invalid id: empty`)

	for _, id := range []string{"...", "a.b", ".x", "a/b", "n-1", "%"} {
		_, err := c.Raw.GetNetworkWithResponse(ctx, id)
		assert.NoError(t, err, "id %q", id)
	}
}

func isDot(err error) bool {
	var e *invalidIDError
	return errors.As(err, &e) && e.dot && errors.Is(err, ErrDotSegment)
}

func BenchmarkCheckPath(b *testing.B) {
	for b.Loop() {
		if _, _, err := checkPath("/api/v1/networks/n-0123456789/connectors"); err != nil {
			b.Fatal(err)
		}
	}
}
