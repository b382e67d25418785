//go:build unix

package redislimit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/redislimit/internal/redisserver"
)

// A Redis that accepts connections but answers nothing costs a call the
// per-call timeout, not more.
func TestSlowRedisCostsOnlyTheTimeout(t *testing.T) {
	srv := redisserver.Start(t)
	l := newTestLimiter(t, newRedisClient(t, srv), WithTimeout(50*time.Millisecond))
	ctx := context.Background()
	take(t, l, headers(10, 10, 1))

	srv.Pause()
	defer srv.Resume()
	start := time.Now()
	_, err := l.Acquire(ctx, time.Minute)
	took := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, took, 500*time.Millisecond)
	assert.False(t, l.Healthy())
}
