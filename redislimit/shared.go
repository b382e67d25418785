package redislimit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// shared is the state every process of a fleet reads and writes: the pacing
// core's state (whose rules are the local limiter's, unchanged), and what
// each process has in flight and waiting, so that a process that dies stops
// counting once its lease runs out.
type shared struct {
	State pacing.State `json:"state"`
	// Window is State.Window as µs after State.WindowStart: a learned
	// window can hold thousands of instants.
	Window []int64 `json:"window,omitempty"`
	// Procs are the limiters that use the state, by their random id.
	Procs map[string]proc `json:"procs,omitempty"`
}

// proc is one limiter's share of the state.
type proc struct {
	Inflight int   `json:"inflight"` // permits granted and not released
	Waiting  int   `json:"waiting"`  // callers queued for a permit
	Seen     int64 `json:"seen"`     // the store's clock (µs) of its last write
}

// newShared is the state of a fleet that has none yet (the first use, the
// keys expired, Redis restarted). Permit numbers start at the store's clock
// in µs, so the permits of an earlier state are all smaller than the new
// ones and cannot be mistaken for them.
func (l *Limiter) newShared(now time.Time) *shared {
	st := pacing.New(now, l.burst, l.every, l.guessBurst, l.guessEvery)
	st.Seq = uint64(max(0, now.UnixMicro()))
	st.Solo = st.Seq
	st.DecreasedAt = st.Seq
	return &shared{State: st, Procs: map[string]proc{}}
}

func decodeShared(s string) (*shared, error) {
	sh := &shared{}
	if err := json.Unmarshal([]byte(s), sh); err != nil {
		return nil, fmt.Errorf("redislimit: the shared state does not decode: %w", err)
	}
	if len(sh.Window) > 0 {
		sh.State.Window = make([]time.Time, len(sh.Window))
		for i, us := range sh.Window {
			sh.State.Window[i] = sh.State.WindowStart.Add(time.Duration(us) * time.Microsecond)
		}
	}
	sh.Window = nil
	if sh.Procs == nil {
		sh.Procs = map[string]proc{}
	}
	return sh, nil
}

func (sh *shared) encode() string {
	out := *sh
	out.State.Window = nil
	if w := sh.State.Window; len(w) > 0 {
		out.Window = make([]int64, len(w))
		for i, t := range w {
			out.Window[i] = t.Sub(sh.State.WindowStart).Microseconds()
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		// A struct of numbers, times and a map of them always encodes.
		panic(fmt.Sprintf("redislimit: encoding the shared state: %v", err))
	}
	return string(b)
}

// others returns what the limiters other than id have in flight and
// waiting, after dropping the shares whose lease ran out: in flight for at
// most sendLease, waiting for at most waitLease since their last write.
func (sh *shared) others(id string, now time.Time, sendLease, waitLease time.Duration) (inflight, waiting int) {
	us := now.UnixMicro()
	for k, p := range sh.Procs {
		if k == id {
			continue
		}
		age := time.Duration(us-p.Seen) * time.Microsecond
		if age > sendLease && age > waitLease {
			delete(sh.Procs, k)
			continue
		}
		if age <= sendLease {
			inflight += max(0, p.Inflight)
		}
		if age <= waitLease {
			waiting += max(0, p.Waiting)
		}
	}
	return inflight, waiting
}
