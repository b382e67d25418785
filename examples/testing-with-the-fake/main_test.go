package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// quickRetries keeps the tests fast: backoff in milliseconds. A Retry-After
// from the server is still obeyed.
var quickRetries = client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 4, MaxElapsed: 20 * time.Second,
	BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})

func TestEnsureNetworkIsIdempotent(t *testing.T) {
	srv := cloudconnexatest.NewServer(t) // closed when the test ends
	c := srv.Client()
	ctx := context.Background()

	id1, created1, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err, "first call")
	require.True(t, created1, "first call: id=%q not created", id1)
	id2, created2, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err, "second call")
	assert.False(t, created2, "second call: want no creation")
	assert.Equal(t, id1, id2, "second call: want the first network")
	assert.Equal(t, 1, srv.RequestCount(gen.OpCreateNetwork), "createNetwork calls")
}

// A 429 with Retry-After is waited out and retried: the caller never sees it.
// (srv.Client() takes the wait in the fake's time, so the test does not.)
func TestEnsureNetworkRidesOutRateLimiting(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpListNetworks, cloudconnexatest.Fault{Status: 429, RetryAfter: "1", Times: 1})
	_, created, err := EnsureNetwork(context.Background(), srv.Client(quickRetries), "branch-office", "us-east-1")
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, 2, srv.RequestCount(gen.OpListNetworks), "the 429, then the retry")
}

// A 500 on a read is retried; on a create it is not (the create may have
// happened), and the caller gets the typed error.
func TestEnsureNetworkOnServerErrors(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpListNetworks, cloudconnexatest.Fault{Status: 500, Times: 2})
	_, _, err := EnsureNetwork(context.Background(), srv.Client(quickRetries), "branch-office", "us-east-1")
	require.NoError(t, err, "the list succeeded on the third attempt")
	assert.Equal(t, 3, srv.RequestCount(gen.OpListNetworks))

	srv.InjectFault(gen.OpCreateNetwork, cloudconnexatest.Fault{Status: 500, Times: 1})
	_, _, err = EnsureNetwork(context.Background(), srv.Client(quickRetries), "second-office", "us-east-1")
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, "createNetwork", apiErr.Operation)
	assert.Equal(t, 2, srv.RequestCount(gen.OpCreateNetwork), "the failed create was sent once")
}

// Tokens the server expired are replaced: one new token, one resend.
func TestEnsureNetworkAfterTokensExpired(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, _, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err)
	require.Equal(t, 1, srv.TokenRequestCount())

	srv.ExpireTokens()
	id, created, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err)
	assert.False(t, created)
	assert.NotEmpty(t, id)
	assert.Equal(t, 2, srv.TokenRequestCount(), "one new token")
}

func TestEnsureNetworkReportsForbidden(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpCreateNetwork, cloudconnexatest.Fault{Status: 403})
	_, _, err := EnsureNetwork(context.Background(), srv.Client(), "branch-office", "us-east-1")
	require.ErrorIs(t, err, client.ErrForbidden)
}
