// Package pacing is the one set of pacing rules of the CloudConnexa client:
// a small, pure state machine that turns evidence (rate-limit headers,
// Retry-After, header-less 429s, successes, 5xx, the user's explicit budget)
// into when the next request may go. It does no I/O and has no clock: every
// method takes the current time, so the local limiter (package client) and
// shared limiters apply exactly the same rules, and tests drive it in
// virtual time.
//
// The invariants it keeps, whatever the sequence of answers (see
// docs/retries-and-rate-limits.md, "Invariants"):
//
//   - a learned rate never goes below [MinLearnedRate]; a header rate below
//     [MinHeaderRate] is no budget; a pause from any Retry-After lasts at most
//     [MaxPause]; no computation uses an unset instant (I1);
//   - evidence expires: [EvidenceTTL] after the last 429 or rate-limit
//     header, a server that answers without headers is not paced; a 5xx
//     never creates or tightens a budget (I2).
package pacing

import (
	"math"
	"time"
)

// Fixed bounds of the rules; documented in docs/retries-and-rate-limits.md.
const (
	// MaxPause caps the pause any Retry-After imposes on other requests: of
	// an API response, of the token endpoint and in a shared limiter alike.
	MaxPause = time.Minute
	// EvidenceTTL is how long a 429 or rate-limit headers are believed
	// without being seen again: after it, a server that answers without
	// headers is served without client-side waiting.
	EvidenceTTL = time.Minute
	// MinLearnedRate is the slowest pace, in requests per second, learned
	// from header-less 429s.
	MinLearnedRate = 1.0
	// MinHeaderRate is the slowest refill rate, in requests per second, that
	// rate-limit headers are believed to mean: one request per hour.
	MinHeaderRate = 1.0 / 3600
	// RateShare is the share of a server's rate the client paces at: 2 % of
	// throughput buys immunity to requests delayed on their way.
	RateShare = 0.98
	// MaxWait bounds any computed delay, in seconds.
	MaxWait = 1e9
	// maxCount bounds believable header counts and rates.
	maxCount = 1e9
)

// Learning the budget of a server that answers 429 without rate-limit
// headers: additive increase, multiplicative decrease around the rate the
// server was seen to accept.
const (
	// slowStartGrowth is the relative growth of the learned rate per second
	// of pacing until the first decrease.
	slowStartGrowth = 3
	// additiveGrowth is, after a decrease, the growth per second as a share
	// of the rate set by the decrease.
	additiveGrowth = 0.01
	// maxWindow bounds the successes remembered to estimate a rate.
	maxWindow = 4096
)

// Mode is what the state knows about the server's budget.
type Mode uint8

const (
	// Guess: nothing is known yet; a conservative initial budget covers the
	// first burst until the first response.
	Guess Mode = iota
	// Open: the server answered without rate-limit headers and without
	// recent 429s; it is not paced.
	Open
	// Headers: the server's rate-limit headers give the budget.
	Headers
	// Learned: the server answers 429 without headers; the budget is learned.
	Learned
)

// Reason names what holds a request back; the strings are the client's
// WaitReason values.
type Reason string

// Reasons.
const (
	ReasonNone     Reason = ""
	ReasonHeaders  Reason = "rate-limit headers"
	ReasonPause    Reason = "Retry-After"
	ReasonLearned  Reason = "learned 429 rate"
	ReasonExplicit Reason = "WithRateLimit budget"
	ReasonGuess    Reason = "initial budget"
)

func (m Mode) reason() Reason {
	switch m {
	case Guess:
		return ReasonGuess
	case Headers:
		return ReasonHeaders
	case Learned:
		return ReasonLearned
	}
	return ReasonNone
}

// Bucket is a token bucket: Level tokens now (negative after a 429),
// refilled at Rate per second up to Capacity.
type Bucket struct {
	Rate     float64
	Capacity float64
	Level    float64
}

func (b *Bucket) advance(dt, ceiling float64) {
	if dt > 0 && b.Level < ceiling {
		b.Level = math.Min(b.Level+dt*b.Rate, ceiling)
	}
}

// until is how long until the bucket holds n tokens, ignoring its ceiling.
func (b *Bucket) until(n float64) time.Duration {
	deficit := n - b.Level
	if deficit <= 1e-9 || b.Rate <= 0 {
		return 0
	}
	return Seconds(deficit / b.Rate)
}

// Evidence is what one response says; the client builds it from a
// RateObservation.
type Evidence struct {
	Permit        uint64    // the permit the request went under, 0 if unknown
	Received      time.Time // when the headers arrived; zero means now
	Status        int
	RetryAfter    time.Duration
	HasRetryAfter bool
	Remaining     float64
	HasRemaining  bool
	Burst         float64 // 0 when absent
	Rate          float64 // requests per second, 0 when absent or below MinHeaderRate
}

// State is the whole pacing state. It is a plain value: copying it copies
// the state (Window excepted, which is shared until the next 429 resets it).
type State struct {
	HasExplicit bool
	Explicit    Bucket // WithRateLimit, when HasExplicit
	Server      Bucket
	Mode        Mode
	Started     bool      // a response has been seen: the server bucket refills
	Last        time.Time // when the buckets were last advanced
	Paused      time.Time // no request goes before; from Retry-After
	Inflight    int       // permits not yet released
	Seq         uint64    // permits granted so far
	Solo        uint64    // the last permit granted while no other was in flight
	Waiting     int       // requests queued for a permit (set by the limiter)
	// Evidence is when the last 429 or rate-limit header was seen.
	Evidence time.Time

	// Learning from 429s.
	Opened       time.Time // when the server was last found open; zero if never
	OpenSucc     float64   // successes since
	SlowStart    bool
	BaseRate     float64   // the rate the last decrease set
	DecreasedAt  uint64    // Seq when the rate was last decreased
	WindowStart  time.Time // since the last pause ended
	Window       []time.Time
	WindowBurst  float64
	LastIncrease time.Time
}

// New returns the state at now. With an explicit budget (burst > 0) the
// budget of burst requests, then one per every, always applies; otherwise
// the guess of guessBurst, then one per guessEvery, covers the first burst.
func New(now time.Time, burst int, every time.Duration, guessBurst int, guessEvery time.Duration) State {
	s := State{Last: now, SlowStart: true}
	if burst > 0 && every > 0 {
		s.HasExplicit = true
		s.Explicit = Bucket{Rate: 1 / every.Seconds(), Capacity: float64(burst), Level: float64(burst)}
		s.Mode, s.Opened = Open, now
		return s
	}
	s.Server = Bucket{Rate: 1 / guessEvery.Seconds(), Capacity: float64(guessBurst), Level: float64(guessBurst)}
	return s
}

// paces reports whether the server bucket limits requests.
func (s *State) paces() bool { return s.Mode != Open }

// Advance brings the buckets up to now. Nothing is earned before the first
// response: the server's bucket starts when our first request reaches it.
// The server bucket never holds more than its capacity minus the requests
// in flight.
func (s *State) Advance(now time.Time) {
	dt := now.Sub(s.Last).Seconds()
	if dt <= 0 {
		return
	}
	s.Last = now
	if !s.Started {
		return
	}
	if s.HasExplicit {
		s.Explicit.advance(dt, s.Explicit.Capacity)
	}
	if s.paces() {
		s.Server.advance(dt, s.Server.Capacity-float64(s.Inflight))
	}
}

// Turn is how long from now until the k-th request from now (k from 1) may
// go, and what holds it, ignoring the server bucket's ceiling (which only a
// release lifts; see HeldByEvents). Call Advance(now) first.
func (s *State) Turn(now time.Time, k float64) (d time.Duration, reason Reason) {
	if p := s.Paused.Sub(now); p > 0 {
		d, reason = p, ReasonPause
	}
	if s.HasExplicit {
		if e := s.Explicit.until(k); e > d {
			d, reason = e, ReasonExplicit
		}
	}
	if s.paces() {
		w := s.Server.until(k)
		if reason == ReasonPause && w <= d+time.Millisecond {
			// A turn within a millisecond of the pause's end is the pause's.
			w = 0
		}
		if w > d {
			d, reason = w, s.Mode.reason()
		}
	}
	return d, reason
}

// IsEvidence reports whether a wait for reason rests on evidence, so that a
// caller who cannot wait that long may be told at once. The initial guess is
// no evidence.
func IsEvidence(reason Reason) bool { return reason != ReasonGuess }

// Take charges one request and returns its permit number.
func (s *State) Take() uint64 {
	if s.HasExplicit {
		s.Explicit.Level--
	}
	if s.paces() {
		s.Server.Level--
	}
	s.Inflight++
	s.Seq++
	if s.Inflight == 1 {
		s.Solo = s.Seq
	}
	return s.Seq
}

// GiveBack returns the token of a permit that was never used.
func (s *State) GiveBack(now time.Time) {
	s.Advance(now)
	if s.HasExplicit {
		s.Explicit.Level++
	}
	if s.paces() {
		s.Server.Level++
	}
	s.Inflight = max(0, s.Inflight-1)
}

// Release ends a permit: a request has ended, so one has reached the server
// (or never will), and its bucket runs.
func (s *State) Release(now time.Time) {
	// Earn up to now under the old ceiling; the one this raises counts
	// from now on.
	s.Advance(now)
	s.Inflight = max(0, s.Inflight-1)
	s.Started = true
}

// HeldByEvents reports whether the next request waits for a response or a
// release rather than for time: nothing is earned before the first
// response, and the server bucket earns nothing beyond its ceiling.
func (s *State) HeldByEvents() bool {
	if !s.Started {
		return s.HasExplicit && s.Explicit.Level < 1 || s.paces() && s.Server.Level < 1
	}
	return s.paces() && s.Server.Level < 1 && s.Server.Level >= s.Server.Capacity-float64(s.Inflight)-1e-9
}

// PauseFor is the pause a Retry-After of ra imposes on other requests:
// ra, at most MaxPause.
func PauseFor(ra time.Duration) time.Duration { return min(max(0, ra), MaxPause) }

// Observe learns from a response received at now.
func (s *State) Observe(now time.Time, e Evidence) {
	s.Advance(now)
	s.Started = true
	if e.Received.IsZero() || e.Received.After(now) {
		e.Received = now
	}
	if e.Rate > maxCount || math.IsNaN(e.Rate) || e.Rate < MinHeaderRate {
		e.Rate = 0
	}
	pauseStatus := e.Status == 429 || e.Status == 503
	pause := e.HasRetryAfter && pauseStatus
	ra := PauseFor(e.RetryAfter)

	switch {
	case e.Rate > 0:
		s.observeHeaders(e)
		s.Evidence = now
	case s.Mode == Headers && e.Status == 429:
		// A 429 without headers from a server that sends them: the budget
		// is spent.
		s.Evidence = now
		if !pause {
			s.Server.Level = math.Min(s.Server.Level, 0)
		}
	case e.Status == 429:
		s.observeLearned429(now, e, pause, ra)
		s.Evidence = now
	case e.Status >= 500:
		// A 5xx says nothing about a budget: it drops the guess (the server
		// answered without a 429), and creates or tightens nothing.
		if s.Mode == Guess {
			s.open(now, 0)
		}
	default:
		s.observeSuccess(now)
	}
	if pause {
		if until := e.Received.Add(ra); until.After(s.Paused) {
			s.Paused = until
		}
		if s.paces() && e.Status == 429 {
			// The next request may go when the server said, the rest at the
			// pace; a learned bucket also refills during the pause.
			sec := ra.Seconds()
			end := 1.0
			if s.Mode == Learned {
				end = s.refilled(sec)
			}
			s.Server.Level = end - sec*s.Server.Rate
		}
	}
}

// setRate changes the server bucket's rate. A debt (a negative level, from
// a pause) keeps its length in time: it was owed at the old rate, and a
// slower rate must not stretch it.
func (s *State) setRate(rate float64) {
	if s.Server.Level < 0 && s.Server.Rate > 0 {
		s.Server.Level *= rate / s.Server.Rate
	}
	s.Server.Rate = rate
}

// open stops pacing by the server bucket: no evidence of a budget.
func (s *State) open(now time.Time, succ float64) {
	s.Mode, s.Opened, s.OpenSucc = Open, now, succ
	s.Window = s.Window[:0]
	s.Server.Level = 0 // unused while open; no stale debt carries over
}

// expired reports whether the last 429 or header is older than EvidenceTTL.
func (s *State) expired(now time.Time) bool {
	return !s.Evidence.IsZero() && now.Sub(s.Evidence) > EvidenceTTL
}

func (s *State) observeHeaders(e Evidence) {
	from := s.Mode
	s.Mode = Headers
	s.setRate(e.Rate * RateShare)
	switch {
	case e.Burst >= 1 && e.Burst <= maxCount:
		s.Server.Capacity = e.Burst
	case e.HasRemaining && from == Headers:
		s.Server.Capacity = math.Max(s.Server.Capacity, e.Remaining+1)
	case e.HasRemaining:
		s.Server.Capacity = e.Remaining + 1
	}
	s.Server.Capacity = math.Max(1, math.Min(s.Server.Capacity, maxCount))
	if !e.HasRemaining {
		if from != Headers {
			s.Server.Level = math.Min(s.Server.Level, s.Server.Capacity)
		}
		return
	}
	rem := math.Min(math.Max(0, e.Remaining), maxCount)
	others := float64(max(0, s.Inflight-1))
	switch {
	case s.Inflight == 1 && e.Permit == s.Seq && e.Permit == s.Solo:
		// Alone on the wire from its grant to now: the server's count is
		// exact, and may let the estimate rise again.
		s.Server.Level = rem
	case from == Headers:
		s.Server.Level = math.Min(s.Server.Level, rem)
	default:
		s.Server.Level = rem - others
	}
}

// observeSuccess learns from a response without headers that was not a 429
// or a 5xx: the guess is dropped, expired evidence is forgotten, and a
// learned rate grows.
func (s *State) observeSuccess(now time.Time) {
	if (s.Mode == Learned || s.Mode == Headers) && s.expired(now) {
		s.open(now, 1)
		return
	}
	switch s.Mode {
	case Guess:
		s.open(now, 1)
	case Open:
		s.OpenSucc++
	case Learned:
		if len(s.Window) < maxWindow {
			s.Window = append(s.Window, now)
		}
		dt := now.Sub(s.LastIncrease).Seconds()
		s.LastIncrease = now
		if dt <= 0 || s.Waiting == 0 && s.Server.Level >= 1 {
			// Not using the budget: no reason to believe in more.
			return
		}
		dt = math.Min(dt, 1)
		if s.SlowStart {
			s.Server.Rate *= 1 + slowStartGrowth*dt
		} else {
			s.Server.Rate += additiveGrowth * s.BaseRate * dt
		}
		s.Server.Rate = math.Min(s.Server.Rate, maxCount)
	}
}

// observeLearned429 learns from a 429 without rate-limit headers.
func (s *State) observeLearned429(now time.Time, e Evidence, pause bool, ra time.Duration) {
	pauseEnd, sec := now, 0.0
	if pause {
		pauseEnd, sec = e.Received.Add(ra), ra.Seconds()
	}
	switch {
	case s.Mode != Learned:
		// First 429: the server accepted OpenSucc requests since it was
		// found open; at most that many form its burst, and its rate is at
		// most what it accepted per second over the span (at least a
		// second, or the pause). An unset or stale instant gives no span.
		succ, span := 0.0, math.Max(1, sec)
		if s.Mode == Open && !s.Opened.IsZero() {
			succ, span = s.OpenSucc, math.Max(span, now.Sub(s.Opened).Seconds())
		}
		s.Mode = Learned
		s.SlowStart = true
		s.Server.Capacity = math.Max(1, succ)
		s.Server.Rate, s.Server.Level = math.Max(MinLearnedRate, math.Max(1, succ)/span), 0
		s.BaseRate = s.Server.Rate
	case e.Permit > s.DecreasedAt:
		// A 429 to a request sent at the learned pace: pace a little below
		// the slowest refill that could have accepted every success since
		// the last pause.
		rate := RateShare * s.slowestRefill()
		if rate <= 0 || rate >= s.Server.Rate {
			rate = s.Server.Rate / 2
		}
		if s.Server.Level >= 1 {
			// We believed the server held tokens it did not.
			s.Server.Capacity = math.Max(1, s.Server.Capacity-math.Floor(s.Server.Level))
		}
		s.setRate(math.Max(MinLearnedRate, rate))
		s.BaseRate = s.Server.Rate
		s.SlowStart = false
	default:
		// Part of the same overshoot as an earlier 429: already counted.
		s.Server.Level = math.Min(s.Server.Level, 0)
		return
	}
	s.DecreasedAt = s.Seq
	s.Server.Level = math.Min(s.Server.Level, 0)
	s.WindowStart = pauseEnd
	s.Window = s.Window[:0]
	s.WindowBurst = s.refilled(sec)
	s.LastIncrease = pauseEnd
}

// refilled is what the learned bucket holds after a pause of sec seconds
// from empty: the refill up to the capacity, and at least one request.
func (s *State) refilled(sec float64) float64 {
	return math.Max(1, math.Min(s.Server.Capacity, sec*s.Server.Rate))
}

// slowestRefill is the slowest refill rate of a bucket holding WindowBurst
// at WindowStart, with the learned capacity, that would have accepted every
// success in the window; 0 when the window is empty. Found by bisection.
func (s *State) slowestRefill() float64 {
	if len(s.Window) == 0 {
		return 0
	}
	accepts := func(rate float64) bool {
		level, last := s.WindowBurst, s.WindowStart
		for _, t := range s.Window {
			if dt := t.Sub(last).Seconds(); dt > 0 {
				level = math.Min(s.Server.Capacity, level+dt*rate)
				last = t
			}
			if level--; level < -1e-9 {
				return false
			}
		}
		return true
	}
	lo, hi := MinLearnedRate/2, float64(maxCount)
	if !accepts(hi) {
		return 0
	}
	for range 60 {
		mid := math.Sqrt(lo * hi)
		if accepts(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// Seconds converts to a duration, rounding up so a timer never fires before
// the token is there, and bounded by MaxWait so absurd inputs cannot
// overflow.
func Seconds(sec float64) time.Duration {
	if math.IsNaN(sec) || sec <= 0 {
		return 0
	}
	if sec > MaxWait {
		sec = MaxWait
	}
	return time.Duration(math.Ceil(sec * float64(time.Second)))
}

// Charge counts n requests that were sent without a permit of this state:
// granted by another limiter while the state could not be reached (a
// shared store's outage). They drew on the budget, so it is lowered by n,
// but never below empty: the server refilled meanwhile, and a budget it
// had spent it would have answered with 429s, which the limiter that
// granted them has seen.
func (s *State) Charge(now time.Time, n int) {
	if n <= 0 || !s.Started {
		// A state no response has started yet is a guess, or a budget
		// whose refill has not begun: nothing to charge, and a debt there
		// would hold requests for a response that none could bring.
		return
	}
	s.Advance(now)
	charge := func(b *Bucket) {
		if b.Level > 0 {
			b.Level = math.Max(0, b.Level-float64(n))
		}
	}
	if s.HasExplicit {
		charge(&s.Explicit)
	}
	if s.paces() {
		charge(&s.Server)
	}
}

// Refused reports whether a waiter whose turn is d from now, held by
// reason, must be told at once that it cannot wait until its deadline:
// when the turn lies past the deadline and rests on evidence (the initial
// guess is no evidence, and is waited out until the deadline itself).
func Refused(now time.Time, d time.Duration, reason Reason, deadline time.Time) bool {
	return now.Add(d).After(deadline) && (IsEvidence(reason) || !now.Before(deadline))
}
