package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/redisserver"
)

// TestMain lets the test binary be a worker process, as the example's
// binary is when run re-executes it.
func TestMain(m *testing.M) {
	if url := os.Getenv(envWorker); url != "" {
		if err := worker(context.Background(), os.Stdout, url); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRun runs three processes sharing one budget through a real Redis:
// the server refuses none of their requests.
func TestRun(t *testing.T) {
	rs := redisserver.Start(t)
	// The test machine may be busy enough to starve a process for more than
	// the default timeout; failures beyond WithFailover would (rightly) make it pace locally.
	t.Setenv(envTimeout, "2s")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, 3, 20, rs.Addr, false), "output:\n%s", out.String())
	assert.Equal(t, 3, strings.Count(out.String(), "20 calls, 0 failed, 0 answered 429 by the server"), out.String())
}
