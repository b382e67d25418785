package client

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRateHeadersCanonical: headerValue reads the map without
// canonicalizing, which is h.Get only for keys in canonical form.
func TestRateHeadersCanonical(t *testing.T) {
	for _, k := range []string{headerRemaining, headerBurst, headerReplenishRate, headerReplenishTime, "Date", "Retry-After", "User-Agent"} {
		assert.Equal(t, http.CanonicalHeaderKey(k), k)
		h := http.Header{}
		h.Set(k, "7")
		assert.Equal(t, h.Get(k), headerValue(h, k), k)
	}
	assert.Empty(t, headerValue(http.Header{headerRemaining: {}}, headerRemaining))
	assert.Empty(t, headerValue(nil, headerRemaining))
}

// TestParseCountFastPath: the digits-only path gives what ParseFloat gives,
// and the same refusals.
func TestParseCountFastPath(t *testing.T) {
	for _, s := range []string{"0", "7", "00012", "999999999", "1000000000", "1000000001", "123456789012345",
		"1234567890123456", "99999999999999999999", "18446744073709551616", "0.5", "1.25", "1e3", "-1", ""} {
		got, ok := parseCount(s)
		want, err := strconv.ParseFloat(s, 64)
		wantOK := err == nil && want <= maxHeaderCount && len(s) <= maxHeaderValueLen && s != "" && s[0] != '-' && s != "1e3"
		assert.Equal(t, wantOK, ok, "%q", s)
		if ok {
			assert.Equal(t, want, got, "%q", s)
		}
	}
}
