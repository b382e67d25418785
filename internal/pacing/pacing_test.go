package pacing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSeconds(t *testing.T) {
	for in, want := range map[float64]time.Duration{0: 0, -1: 0, 0.5: 500 * time.Millisecond, 1e-12: 1, 1e30: time.Duration(MaxWait) * time.Second} {
		assert.Equal(t, want, Seconds(in), "Seconds(%v)", in)
	}
}
