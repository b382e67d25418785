package auth

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignedHeaderIsCloneAndSign: signedHeader gives what Header.Clone and
// sign give, and leaves the request's header alone.
func TestSignedHeaderIsCloneAndSign(t *testing.T) {
	for _, ua := range []string{"", "agent/1"} {
		var opts []Option
		if ua != "" {
			opts = append(opts, WithUserAgent(ua))
		}
		a, err := New("https://acme.api.openvpn.com", "id", "secret", opts...)
		require.NoError(t, err)
		for _, h := range []http.Header{
			nil,
			{},
			{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}, "X-Nil": nil, "X-Empty": {}},
			{"Authorization": {"Bearer old"}, "User-Agent": {"other"}, "authorization": {"lower"}},
		} {
			before := h.Clone()
			want := &http.Request{Header: h.Clone()}
			a.sign(want, "tok-1")
			got := a.signedHeader(h, "tok-1")
			assert.Equal(t, want.Header, got)
			assert.Equal(t, before, h, "the request's header is untouched")
			assert.Equal(t, "Bearer tok-2", a.signedHeader(h, "tok-2").Get("Authorization"), "a new token, a new value")
		}
	}
}
