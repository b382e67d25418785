package cloudconnexatest

import (
	"errors"
	"testing"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bounds below are generous (the machine may be busy); what they rule
// out are the production waits: one second for Retry-After: 1, and 0.5 s,
// 1 s and 2 s of backoff ceilings for three 500s.

func TestClientRetryAfterIsFast(t *testing.T) {
	srv := NewServer(t)
	c := srv.Client()
	_, err := c.Raw.GetSNATWithResponse(t.Context()) // token and connection first
	require.NoError(t, err)
	srv.InjectFault(gen.OpListRegions, Fault{Status: 429, RetryAfter: "1", Times: 1})
	start := time.Now()
	r, err := c.Raw.ListRegionsWithResponse(t.Context())
	took := time.Since(start)
	require.NoError(t, err)
	assert.Len(t, *r.JSON200, 35)
	assert.Equal(t, 2, srv.RequestCount(gen.OpListRegions), "the client did retry after the 429")
	assert.Less(t, took, 900*time.Millisecond)
}

func TestClientBackoffIsFast(t *testing.T) {
	srv := NewServer(t)
	// A client built by hand from the server's options behaves the same.
	c, err := client.New(srv.URL, srv.ClientID, srv.ClientSecret, srv.ClientOptions()...)
	require.NoError(t, err)
	start := time.Now()
	for range 5 {
		srv.InjectFault(gen.OpGetSNAT, Fault{Status: 500, Times: 3})
		_, err := c.Raw.GetSNATWithResponse(t.Context())
		require.NoError(t, err)
	}
	took := time.Since(start)
	assert.Equal(t, 20, srv.RequestCount(gen.OpGetSNAT), "three 500s, then success, five times")
	assert.Less(t, took, 2*time.Second, "default backoff would take about 9 s")
}

func TestClientRateLimitWaitIsSkipped(t *testing.T) {
	srv := NewServer(t, WithEnforcedRateLimit(1, 1, 30*time.Second))
	// The client's own pacing, learned from X-RateLimit-*, runs in real
	// time; without it every request meets the empty bucket.
	c := srv.Client(client.WithoutRateLimit())
	start := time.Now()
	for range 3 {
		_, err := c.Raw.GetSNATWithResponse(t.Context())
		require.NoError(t, err)
	}
	assert.Less(t, time.Since(start), 900*time.Millisecond, "two waits of 30 s, taken in the fake's time")
	assert.Equal(t, 5, srv.RequestCount(gen.OpGetSNAT), "each 429 retried once")
}

func TestClientLongWaitIsNotSkipped(t *testing.T) {
	srv := NewServer(t)
	srv.InjectFault(gen.OpGetSNAT, Fault{Status: 429, RetryAfter: "3600"})
	_, err := srv.Client().Raw.GetSNATWithResponse(t.Context())
	var ae *client.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, time.Hour, ae.RetryAfter, "a wait beyond MaxElapsed reaches the client as sent")
	assert.Equal(t, 1, srv.RequestCount(gen.OpGetSNAT))
}

func TestFastTransportAdvancesTheFakeClock(t *testing.T) {
	srv := NewServer(t, WithTokenTTL(time.Minute))
	c := srv.Client()
	_, err := c.Raw.GetSNATWithResponse(t.Context())
	require.NoError(t, err)
	srv.InjectFault(gen.OpGetSNAT, Fault{Status: 503, RetryAfter: "59", Times: 1})
	srv.InjectFault(gen.OpGetSNAT, Fault{Status: 503, RetryAfter: "2", Times: 1})
	_, err = c.Raw.GetSNATWithResponse(t.Context())
	require.NoError(t, err)
	// 61 s passed for the fake: the one-minute token expired, and the
	// client had to fetch a new one.
	assert.Equal(t, 2, srv.TokenRequestCount())
}
