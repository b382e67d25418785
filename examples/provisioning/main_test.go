package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestProvisionIsIdempotentAndRemovable(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	var out bytes.Buffer

	first, err := provision(ctx, &out, c)
	require.NoError(t, err, "first run:\n%s", out.String())
	second, err := provision(ctx, &out, c)
	require.NoError(t, err, "second run:\n%s", out.String())
	assert.Equal(t, first, second, "the second run finds what the first created")
	for _, op := range []gen.OperationID{gen.OpCreateNetwork, gen.OpCreateNetworkConnector, gen.OpCreateDNSRecord,
		gen.OpCreateHost, gen.OpCreateHostIPService, gen.OpCreateUserGroup, gen.OpCreateUser} {
		assert.Equal(t, 1, srv.RequestCount(op), "%s", op)
	}
	assert.Equal(t, 2, srv.RequestCount(gen.OpCreateNetworkRoute), "two routes, created once")
	u, err := c.Users.Get(ctx, first.user)
	require.NoError(t, err)
	assert.Equal(t, first.group, u.GetGroupID(), "the user is in the group")

	require.NoError(t, first.remove(ctx, &out, c))
	_, err = c.Networks.Get(ctx, first.network)
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.Users.Get(ctx, first.user)
	assert.ErrorIs(t, err, client.ErrNotFound)
	require.NoError(t, first.remove(ctx, &out, c), "removing twice is fine")
}

func TestProvisionStopsAtTheFirstError(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpCreateDNSRecord, cloudconnexatest.Fault{Status: 400, Body: `{"errorMessage":"domain taken"}`})
	_, err := provision(context.Background(), &bytes.Buffer{}, srv.Client())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "createDnsRecord", apiErr.Operation)
	assert.Zero(t, srv.RequestCount(gen.OpCreateHost), "nothing after the failure")
}
