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

// Charge takes requests granted elsewhere from a started budget, down to
// empty and no further, and leaves a guess alone (a debt there would wait
// for a response nobody can bring).
func TestCharge(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := New(now, 0, 0, 20, 15*time.Second)
	s.Charge(now, 5)
	assert.Equal(t, 20.0, s.Server.Level, "no response yet: nothing charged")

	s.Take()
	s.Observe(now, Evidence{Permit: 1, Status: 200, Remaining: 10, HasRemaining: true, Burst: 20, Rate: 1})
	s.Release(now)
	s.Charge(now, 4)
	assert.InDelta(t, 6, s.Server.Level, 1e-9)
	s.Charge(now, 100)
	assert.Zero(t, s.Server.Level, "never below empty")
	d, reason := s.Turn(now, 1)
	assert.Greater(t, d, time.Duration(0))
	assert.Equal(t, ReasonHeaders, reason)
}
