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

func TestInventory(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	n, err := c.Networks.Create(ctx, gen.NetworkCreateRequest{Name: "office", Egress: client.Ptr(true),
		Connectors: []gen.NetworkConnectorRequest{{Name: "office-1", VPNRegionID: "us-east-1"}},
		Routes:     []gen.NetworkRouteRequest{{Value: "10.1.0.0/16"}}})
	require.NoError(t, err)
	h, err := c.Hosts.Create(ctx, gen.HostCreateRequest{Name: "db", Domain: client.Ptr("db.corp.example"),
		Connectors: []gen.HostConnectorRequest{{Name: "db-1", VPNRegionID: "us-west-1"}}})
	require.NoError(t, err)
	_, err = c.HostIPServices.Create(ctx, h.ID, gen.HostIPServiceRequest{Name: "pg"})
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, inventory(ctx, &out, c))
	text := out.String()
	assert.Contains(t, text, `network `+n.ID+` "office" egress=true`)
	assert.Contains(t, text, `  connector `+n.Connectors[0].ID+` "office-1" region=us-east-1`)
	assert.Contains(t, text, `  route `+n.Routes[0].ID+` 10.1.0.0/16`)
	assert.Contains(t, text, `host `+h.ID+` "db" domain=db.corp.example`)
	assert.Contains(t, text, `"pg"`)
	assert.Contains(t, text, `owner <owner@example.com> group="Default"`)
}

func TestInventoryReportsErrors(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpListHosts, cloudconnexatest.Fault{Status: 403})
	err := inventory(context.Background(), &bytes.Buffer{}, srv.Client())
	assert.ErrorIs(t, err, client.ErrForbidden)
}
