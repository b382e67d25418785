package main

import (
	"context"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

func TestEnsureNetworkIsIdempotent(t *testing.T) {
	srv := cloudconnexatest.NewServer(t) // closed when the test ends
	c := srv.Client()
	ctx := context.Background()

	id1, created1, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err, "first call")
	require.True(t, created1, "first call: id=%q not created", id1)
	id2, created2, err := EnsureNetwork(ctx, c, "branch-office", "us-east-1")
	require.NoError(t, err, "second call")
	require.False(t, created2, "second call: want no creation")
	require.Equal(t, id1, id2, "second call: want the first network")
	require.Equal(t, 1, srv.RequestCount(gen.OpCreateNetwork), "createNetwork calls")
}

func TestEnsureNetworkReportsAPIErrors(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpCreateNetwork, cloudconnexatest.Fault{Status: 403})
	_, _, err := EnsureNetwork(context.Background(), srv.Client(), "branch-office", "us-east-1")
	require.ErrorIs(t, err, client.ErrForbidden)
}
