package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRun runs the example against the embedded fake server and checks
// that it got to the end.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	ctx := context.Background()
	require.NoError(t, run(ctx, &out), "run; output:\n%s", out.String())
	require.Contains(t, out.String(), "sent 1 time(s)", "output")
}
