package pacing

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The properties run rapid's default number of cases in `make test`
// (-rapid.checks=100) and more in `make fuzz` (-rapid.checks=N).

// evidenceGen draws any answer a server (or a broken proxy) may give,
// absurd values included.
func evidenceGen(t *rapid.T, now time.Time, permit uint64) Evidence {
	e := Evidence{
		Permit: permit,
		Status: rapid.SampledFrom([]int{200, 201, 204, 400, 404, 429, 429, 500, 502, 503, 504}).Draw(t, "status"),
	}
	if rapid.Bool().Draw(t, "received") {
		e.Received = now.Add(-time.Duration(rapid.Int64Range(0, int64(time.Minute)).Draw(t, "age")))
	}
	if rapid.Bool().Draw(t, "hasRetryAfter") {
		e.HasRetryAfter = true
		e.RetryAfter = time.Duration(rapid.Int64Range(0, int64(24*time.Hour)).Draw(t, "retryAfter"))
	}
	if rapid.IntRange(0, 3).Draw(t, "headers") == 0 {
		e.Rate = rapid.SampledFrom([]float64{0, 1e-9, MinHeaderRate, 0.5, 5, 100, 1e9, 2e9}).Draw(t, "rate")
		if rapid.Bool().Draw(t, "hasRemaining") {
			e.HasRemaining = true
			e.Remaining = rapid.SampledFrom([]float64{0, 1, 5, 20, 1e9}).Draw(t, "remaining")
		}
		e.Burst = rapid.SampledFrom([]float64{0, 1, 20, 1e9}).Draw(t, "burst")
	}
	return e
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// floorOf is the slowest the server bucket may refill in mode m.
func floorOf(m Mode) float64 {
	switch m {
	case Learned:
		return MinLearnedRate
	case Headers:
		return MinHeaderRate * RateShare
	}
	return 1 / 15.0 // the guess
}

// TestPropertyBounds: I1 and I2 of docs/retries-and-rate-limits.md, after
// any sequence of answers, grants, releases and clock jumps.
func TestPropertyBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := start
		s := New(now, 0, 0, 20, 15*time.Second)
		var inflight []uint64
		peak := 0 // the most requests ever in flight at once
		steps := rapid.IntRange(1, 200).Draw(t, "steps")
		for range steps {
			switch rapid.IntRange(0, 4).Draw(t, "action") {
			case 0: // time passes
				now = now.Add(time.Duration(rapid.Int64Range(0, int64(10*time.Minute)).Draw(t, "dt")))
				s.Advance(now)
			case 1: // a request goes when its turn has come
				s.Advance(now)
				if d, _ := s.Turn(now, 1); d == 0 {
					inflight = append(inflight, s.Take())
					peak = max(peak, len(inflight))
				}
			case 2: // a response
				var p uint64
				if len(inflight) > 0 {
					p = inflight[rapid.IntRange(0, len(inflight)-1).Draw(t, "which")]
				}
				before := s
				beforeTurn := [3]time.Duration{}
				for k := range beforeTurn {
					before.Advance(now)
					beforeTurn[k], _ = before.Turn(now, float64(k+1))
				}
				e := evidenceGen(t, now, p)
				s.Observe(now, e)
				if e.Status >= 500 && !e.HasRetryAfter && e.Rate == 0 {
					// I2: a 5xx never creates or tightens a budget.
					for k := range beforeTurn {
						if d, _ := s.Turn(now, float64(k+1)); d > beforeTurn[k] {
							t.Fatalf("a %d tightened the budget: turn %d from %v to %v", e.Status, k+1, beforeTurn[k], d)
						}
					}
					if s.Mode == Learned && before.Mode != Learned || s.Mode == Headers && before.Mode != Headers {
						t.Fatalf("a %d created a budget: mode %d", e.Status, s.Mode)
					}
				}
			case 3: // a release
				if len(inflight) > 0 {
					i := rapid.IntRange(0, len(inflight)-1).Draw(t, "release")
					inflight = append(inflight[:i], inflight[i+1:]...)
					s.Release(now)
				}
			case 4: // a cancelled grant
				if len(inflight) > 0 {
					inflight = inflight[:len(inflight)-1]
					s.GiveBack(now)
				}
			}
			// I1: fixed bounds.
			for _, f := range []float64{s.Server.Rate, s.Server.Level, s.Server.Capacity} {
				if !finite(f) {
					t.Fatalf("not finite: %+v", s.Server)
				}
			}
			if s.Mode != Open && s.Server.Rate < floorOf(s.Mode)*(1-1e-9) {
				t.Fatalf("rate %v below the floor of mode %d", s.Server.Rate, s.Mode)
			}
			if p := s.Paused.Sub(now); p > MaxPause {
				t.Fatalf("paused for %v, more than %v", p, MaxPause)
			}
			if !s.Paused.IsZero() && s.Paused.Before(start.Add(-time.Minute)) {
				t.Fatalf("pause computed from an unset instant: %v", s.Paused)
			}
			s.Advance(now)
			d, _ := s.Turn(now, 1)
			if s.Mode != Open {
				// The level is at least minus what was ever in flight (the
				// others an answer's Remaining did not count yet).
				bound := MaxPause + Seconds((2+float64(peak))/floorOf(s.Mode))
				if d > bound {
					t.Fatalf("one request waits %v, more than %v (mode %d, %+v)", d, bound, s.Mode, s.Server)
				}
			}
		}
		// I2: evidence expires. Quiet for EvidenceTTL, then a success
		// without headers: no client-side waiting.
		now = now.Add(EvidenceTTL + MaxPause + time.Second)
		s.Observe(now, Evidence{Status: 200})
		s.Advance(now)
		if s.Mode != Open {
			t.Fatalf("mode %d after %v without evidence and a success", s.Mode, EvidenceTTL)
		}
		if d, r := s.Turn(now, 1); d != 0 {
			t.Fatalf("waits %v (%s) after the evidence expired", d, r)
		}
	})
}
