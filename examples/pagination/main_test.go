package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

// TestRun runs the example against the embedded fake server and checks
// that it got to the end.
func TestRun(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	var out bytes.Buffer
	ctx := context.Background()
	require.NoError(t, run(ctx, &out, srv.Client(), srv), "run; output:\n%s", out.String())
	require.Contains(t, out.String(), "early exit with 1 page request(s)", "output")
}
