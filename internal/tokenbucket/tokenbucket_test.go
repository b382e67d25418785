package tokenbucket

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBurstThenRefill(t *testing.T) {
	b := New(3, 10) // 3 at once, then one per 100 ms
	t0 := time.Unix(1000, 0)
	for want := 2; want >= 0; want-- {
		ok, remaining, wait := b.Take(t0)
		assert.True(t, ok)
		assert.Equal(t, want, remaining)
		assert.Zero(t, wait)
	}
	ok, remaining, wait := b.Take(t0)
	assert.False(t, ok, "the burst is spent")
	assert.Zero(t, remaining)
	assert.Equal(t, 100*time.Millisecond, wait)

	ok, _, _ = b.Take(t0.Add(50 * time.Millisecond))
	assert.False(t, ok, "half a token is not a token")
	ok, remaining, _ = b.Take(t0.Add(100 * time.Millisecond))
	assert.True(t, ok)
	assert.Zero(t, remaining)

	ok, remaining, _ = b.Take(t0.Add(time.Hour))
	assert.True(t, ok, "refill stops at the burst")
	assert.Equal(t, 2, remaining)
}
