package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRun runs the example against the embedded fake server and checks
// that it got to the end.
func TestRun(t *testing.T) {
	if os.Getenv("CLOUDCONNEXA_BASE_URL") != "" {
		t.Skip("CLOUDCONNEXA_BASE_URL is set: not running the example against a real tenant from go test")
	}
	var out bytes.Buffer
	ctx := context.Background()
	require.NoError(t, run(ctx, &out, false), "run; output:\n%s", out.String())
	require.Contains(t, out.String(), "not found = true", "output")
}
