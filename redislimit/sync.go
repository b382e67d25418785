package redislimit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// maxPending bounds the observations waiting for the next write.
const maxPending = 1024

// retryDelay is the pause between two tries of a failing Redis, at most.
const retryDelay = 50 * time.Millisecond

// snapshot is the shared state as the store last showed it.
type snapshot struct {
	version int64
	sh      *shared   // nil when the store holds none
	at      time.Time // the store's clock then
	local   time.Time // the local clock then
}

// now is the store's clock now, estimated from the local clock.
func (s *snapshot) now() time.Time { return s.at.Add(time.Since(s.local)) }

func newSnapshot(cur stored) *snapshot {
	s := &snapshot{version: cur.version, at: cur.now, local: time.Now()}
	if cur.state != "" {
		// A state that does not decode (written by an incompatible
		// version) is replaced by the next write.
		s.sh, _ = decodeShared(cur.state)
	}
	return s
}

// loop is the sync goroutine: it runs while callers wait or something is
// to be written, and ends when Redis is down.
func (l *Limiter) loop() {
	ctx := context.Background()
	var failingSince time.Time
	for {
		l.mu.Lock()
		if l.idleLocked() {
			l.running = false
			l.mu.Unlock()
			return
		}
		known := l.known
		l.mu.Unlock()

		var err error
		if known == nil {
			var cur stored
			if cur, err = l.st.read(ctx); err == nil {
				known = newSnapshot(cur)
				l.mu.Lock()
				l.known = known
				l.mu.Unlock()
			}
		}
		var sleep time.Duration
		var refresh bool
		if err == nil {
			sleep, refresh, err = l.step(ctx, known)
		}
		if err != nil {
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			if l.failed(err, time.Since(failingSince)) {
				return
			}
			time.Sleep(min(l.poll, retryDelay, l.timeout))
			continue
		}
		failingSince = time.Time{}
		l.mu.Lock()
		l.down, l.probing = false, false
		l.mu.Unlock()
		if sleep <= 0 {
			continue
		}
		t := time.NewTimer(sleep)
		select {
		case <-l.kick:
			t.Stop()
		case <-t.C:
			if refresh {
				l.mu.Lock()
				l.known = nil
				l.mu.Unlock()
			}
		}
	}
}

// idleLocked reports whether the sync goroutine has nothing to do: nobody
// waits, everything seen is written, and the shared state no longer counts
// waiters of this limiter.
func (l *Limiter) idleLocked() bool {
	if len(l.queue) > 0 || len(l.obs) > 0 || l.releases > 0 || l.giveBacks > 0 || l.owed > 0 && !l.down {
		return false
	}
	return l.down || l.known == nil || l.known.sh == nil || l.known.sh.Procs[l.id].Waiting == 0
}

// failed handles a failed Redis operation that has lasted for: it reports
// whether the limiter gave Redis up, after failover of failures without a
// success, or at once when a probe of a Redis known to be down failed.
// Every waiter is then told ErrUnavailable, and paces locally. A waiter
// whose deadline has passed meanwhile is told so before.
func (l *Limiter) failed(err error, lasted time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.known = nil
	unavailable := fmt.Errorf("%w: %w", ErrUnavailable, err)
	if l.down || lasted >= l.failover {
		for _, w := range l.queue {
			l.decideLocked(w, client.Permit{}, unavailable)
			l.owed++ // the Client sends it on its local budget
		}
		clear(l.queue)
		l.queue = l.queue[:0]
		l.obs, l.releases, l.giveBacks, l.inflight = nil, 0, 0, 0
		l.down, l.probing, l.running = true, false, false
		l.nextProbe = time.Now().Add(l.probe)
		return true
	}
	now := time.Now()
	kept := l.queue[:0]
	for _, w := range l.queue {
		if now.Before(w.deadline) {
			kept = append(kept, w)
			continue
		}
		l.decideLocked(w, client.Permit{}, unavailable)
		l.owed++
	}
	clear(l.queue[len(kept):])
	l.queue = kept
	return false
}

// batch is what one write takes from the limiter's pending work.
type batch struct {
	obs       []pacing.Evidence
	releases  int
	giveBacks int
	owed      int
	waiting   int
	inflight  int
}

func (b batch) empty() bool {
	return len(b.obs) == 0 && b.releases == 0 && b.giveBacks == 0 && b.owed == 0
}

// step applies the pending work to known with the pacing core's rules,
// grants the heads of the queue what the state allows, and writes the
// state back if anything changed. It returns how long to sleep before the
// next step (0: at once) and whether to read the state again then.
func (l *Limiter) step(ctx context.Context, known *snapshot) (time.Duration, bool, error) {
	l.mu.Lock()
	b := batch{obs: slices.Clone(l.obs), releases: l.releases, giveBacks: l.giveBacks,
		owed: l.owed, waiting: len(l.queue), inflight: l.inflight}
	l.mu.Unlock()

	now := known.now()
	var sh *shared
	if known.sh == nil {
		sh = l.newShared(now)
	} else {
		sh = known.sh.clone()
	}
	othersIn, othersWaiting := sh.others(l.id, now, l.sendLease, l.waitLease)
	st := &sh.State
	st.Inflight = othersIn + b.inflight
	for _, ev := range b.obs {
		ev.Received = now.Add(-time.Since(ev.Received)) // the store's clock
		st.Observe(now, ev)
	}
	for range b.releases {
		st.Release(now)
	}
	for range b.giveBacks {
		st.GiveBack(now)
	}
	st.Charge(now, b.owed)
	st.Advance(now)
	st.Waiting = othersWaiting + b.waiting
	var granted []uint64
	for len(granted) < b.waiting {
		if d, _ := st.Turn(now, 1); d > 0 {
			break
		}
		granted = append(granted, st.Take())
	}
	st.Waiting -= len(granted)
	mine := proc{Inflight: max(0, st.Inflight-othersIn), Waiting: b.waiting - len(granted), Seen: now.UnixMicro()}
	prev, had := sh.Procs[l.id]
	sh.Procs[l.id] = mine

	dirty := known.sh == nil || !b.empty() || len(granted) > 0 || !had ||
		prev.Inflight != mine.Inflight || prev.Waiting != mine.Waiting ||
		mine.Waiting > 0 && now.Sub(time.UnixMicro(prev.Seen)) > l.waitLease/2
	next := known
	if dirty {
		cur, ok, err := l.st.cas(ctx, known.version, sh.encode())
		if err != nil {
			return 0, false, err
		}
		if !ok {
			// Another process wrote first: do it again on what it wrote.
			l.mu.Lock()
			l.known = newSnapshot(cur)
			l.mu.Unlock()
			return 0, false, nil
		}
		next = &snapshot{version: cur.version, sh: sh, at: cur.now, local: time.Now()}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.known = next
	if dirty {
		l.obs = l.obs[len(b.obs):]
		if len(l.obs) == 0 {
			l.obs = nil
		}
		l.releases -= b.releases
		l.giveBacks -= b.giveBacks
		l.owed -= b.owed
		l.inflight = mine.Inflight
	}
	for _, id := range granted {
		if len(l.queue) == 0 {
			l.giveBacks++ // its caller left while the state was written
			continue
		}
		w := l.queue[0]
		l.queue = l.queue[1:]
		p := client.Permit{ID: id}
		if w.reason != "" {
			p.Waited, p.Reason = time.Since(w.began), w.reason
		}
		l.decideLocked(w, p, nil)
	}
	if l.giveBacks > 0 || len(l.obs) > 0 || l.releases > 0 {
		return 0, false, nil
	}
	return l.decideWaitersLocked(st, now)
}

// decideWaitersLocked refuses the waiters whose turn the state puts past
// their deadline, notes why the others wait, and returns when the head's
// turn comes (at most the poll interval, after which the state is read
// again to see what other processes did).
func (l *Limiter) decideWaitersLocked(st *pacing.State, now time.Time) (time.Duration, bool, error) {
	local := time.Now()
	kept := l.queue[:0]
	for _, w := range l.queue {
		d, r := st.Turn(now, float64(len(kept)+1))
		deadline := now.Add(w.deadline.Sub(local)) // on the store's clock
		if pacing.Refused(now, d, r, deadline) {
			l.decideLocked(w, client.Permit{}, &client.RateLimitError{Wait: d, MaxWait: max(0, deadline.Sub(now)), Reason: client.WaitReason(r)})
			continue
		}
		if d > 0 {
			w.reason = client.WaitReason(r)
		}
		kept = append(kept, w)
	}
	clear(l.queue[len(kept):])
	l.queue = kept
	if len(l.queue) == 0 {
		return 0, false, nil
	}
	d, _ := st.Turn(now, 1)
	if st.HeldByEvents() {
		d = l.poll
	}
	refresh := d >= l.poll // otherwise the turn is due: write at once
	d = min(d, l.poll)
	for _, w := range l.queue {
		d = min(d, w.deadline.Sub(local))
	}
	return max(d, time.Millisecond), refresh, nil
}

// clone copies the state deeply enough to apply rules to the copy.
func (sh *shared) clone() *shared {
	c := *sh
	c.State.Window = slices.Clone(sh.State.Window)
	c.Procs = make(map[string]proc, len(sh.Procs))
	for k, v := range sh.Procs {
		c.Procs[k] = v
	}
	return &c
}
