package httpsafe

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, true},
		{"86400", 24 * time.Hour, true},
		{"86401", 0, false},
		{"99999999999999999999999", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"Sun, 01 Jun 2025 12:00:10 GMT", 10 * time.Second, true},
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0, true},
		{"Sun, 08 Jun 2025 12:00:00 GMT", 0, false},
		{"Sunday, 01-Jun-25 12:00:05 GMT", 5 * time.Second, true},
		{"Sun Jun  1 12:00:05 2025", 5 * time.Second, true},
		{"tomorrow", 0, false},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		assert.Equal(t, tc.want, got, "ParseRetryAfter(%q)", tc.in)
		assert.Equal(t, tc.ok, ok, "ParseRetryAfter(%q) ok", tc.in)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"1", "0", "120", "-1", "1.5", "abc", "", "86400", "86401",
		"99999999999999999999", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", " 7 "} {
		f.Add(seed)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		require.GreaterOrEqual(t, d, time.Duration(0), "ParseRetryAfter(%q) = %v, %t", v, d, ok)
		require.LessOrEqual(t, d, MaxRetryAfter, "ParseRetryAfter(%q) = %v, %t", v, d, ok)
		if !ok {
			require.Zero(t, d, "ParseRetryAfter(%q) = %v, %t", v, d, ok)
		}
	})
}
