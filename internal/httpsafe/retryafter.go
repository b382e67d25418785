// Retry-After: one parser for the API and token requests alike.

package httpsafe

import (
	"net/http"
	"strings"
	"time"
)

// MaxRetryAfter bounds a believable Retry-After; larger values are treated as absent.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After value: delta-seconds or an HTTP-date (RFC 9110
// section 10.2.3), relative to now. A date in the past means "now". ok is
// false for a missing, malformed, negative or absurdly large value.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 64 {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n := int64(0)
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
			if time.Duration(n)*time.Second > MaxRetryAfter {
				return 0, false
			}
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > MaxRetryAfter:
		return 0, false
	}
	return d, true
}
