package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/version"
)

func TestVersionFlagPrintsTheModuleVersionAndExits(t *testing.T) {
	var out bytes.Buffer
	// -version returns at once: it neither listens nor waits for ctx.
	require.NoError(t, run(context.Background(), []string{"-version", "-addr", "127.0.0.1:0"}, &out))
	assert.Equal(t, "cloudconnexa-fake "+version.Module()+" (api "+client.APIVersion+")\n", out.String())
	// The same version as the client's User-Agent: one source.
	assert.Contains(t, client.UserAgent(), "cloudconnexa-go/"+version.Module()+" ")
}
