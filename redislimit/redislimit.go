// Package redislimit shares one CloudConnexa API key's rate budget between
// processes through Redis: a [client.RateLimiter] for fleets of replicas,
// jobs and tools that all use the same client id.
//
// It owns the shared bucket (one atomic Lua script per operation against
// three keys with one hash tag, so it works on a single Redis, Redis
// Sentinel and Redis Cluster through go-redis's universal client), its key
// layout and its fault handling. Only programs that import it link
// github.com/redis/go-redis/v9.
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	lim, err := redislimit.New(rdb, "acme", clientID)
//	if err != nil { … }
//	c, err := client.New("acme", clientID, secret, client.WithRateLimiter(lim))
//
// Every Redis operation has its own timeout (50 ms by default). When Redis
// is unreachable, slow or restarted, the limiter reports the failure and
// the Client paces with its local limiter instead; the limiter tries Redis
// again at most once per probe interval and rejoins the shared budget as
// soon as it answers. See docs/retries-and-rate-limits.md, "Sharing one key
// across processes".
package redislimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// Defaults of the options.
const (
	DefaultPrefix        = "cloudconnexa:rl:"
	DefaultTimeout       = 50 * time.Millisecond
	DefaultTTL           = 10 * time.Minute
	DefaultProbeInterval = time.Second
	DefaultPollInterval  = 100 * time.Millisecond
	DefaultSendLease     = 2 * time.Minute
)

// learnedRateShare is the share of the server's advertised rate the shared
// bucket paces at: the pacing core's.
const learnedRateShare = pacing.RateShare

// ErrUnavailable is returned (wrapped) by Acquire while Redis is known to
// be failing and the next probe is not due: the Client then paces locally.
var ErrUnavailable = errors.New("redislimit: Redis unavailable")

// Limiter is a [client.RateLimiter] whose budget lives in Redis and is
// shared by every Limiter, in any process, created for the same tenant and
// client id (and prefix). It is safe for concurrent use.
type Limiter struct {
	rdb       redis.UniversalClient
	prefix    string
	keys      []string
	timeout   time.Duration
	ttl       time.Duration
	probe     time.Duration
	poll      time.Duration
	sendLease time.Duration
	waitLease time.Duration
	rate      float64 // initial (or explicit) tokens per second
	capacity  float64
	explicit  bool

	mu        sync.Mutex
	down      bool
	probing   bool      // one caller is trying Redis while down
	nextProbe time.Time // while down, when Redis may be tried again
	changed   chan struct{}
}

// Option configures a Limiter.
type Option func(*Limiter) error

// WithPrefix sets the prefix of every key (default "cloudconnexa:rl:"),
// for sharing a Redis between applications or environments.
func WithPrefix(p string) Option {
	return func(l *Limiter) error {
		if strings.ContainsAny(p, "{}") {
			return errors.New("redislimit: WithPrefix: the prefix must not contain { or }, which would change the hash tag")
		}
		l.prefix = p
		return nil
	}
}

// WithTimeout bounds every Redis operation (default 50 ms). An operation
// that takes longer counts as a failure: the Client paces locally.
func WithTimeout(d time.Duration) Option {
	return positive("WithTimeout", d, func(l *Limiter) { l.timeout = d })
}

// WithTTL sets how long the shared state outlives its last use (default
// 10 minutes); every operation renews it on every key.
func WithTTL(d time.Duration) Option {
	return positive("WithTTL", d, func(l *Limiter) { l.ttl = d })
}

// WithProbeInterval sets how often, while Redis is failing, one call tries
// it again (default 1 s); the others pace locally without trying.
func WithProbeInterval(d time.Duration) Option {
	return positive("WithProbeInterval", d, func(l *Limiter) { l.probe = d })
}

// WithPollInterval sets the longest a waiting caller sleeps before it
// re-checks its turn (default 100 ms), which is how it learns about
// responses other processes saw. Its lease in the queue is 50 times this:
// a caller that vanishes (its process killed) holds its place no longer.
func WithPollInterval(d time.Duration) Option {
	return positive("WithPollInterval", d, func(l *Limiter) { l.poll = d })
}

// WithSendLease sets the longest a granted request counts as on its way
// (default 2 minutes, more than the Client's default per-attempt timeout):
// the shared bucket does not refill beyond its capacity minus the requests
// on their way, and a process killed mid-request stops counting after this.
func WithSendLease(d time.Duration) Option {
	return positive("WithSendLease", d, func(l *Limiter) { l.sendLease = d })
}

// WithInitialBudget sets the budget assumed before any response has told
// the real one (default client.DefaultRateLimitBurst requests, then one per
// client.DefaultRateLimitEvery): it covers the first burst of a fleet
// starting at once.
func WithInitialBudget(burst int, every time.Duration) Option {
	return budget("WithInitialBudget", burst, every, false)
}

// WithBudget sets an explicit budget that always holds, whatever the
// server's headers say (they may only lower it), like client.WithRateLimit.
func WithBudget(burst int, every time.Duration) Option {
	return budget("WithBudget", burst, every, true)
}

func budget(name string, burst int, every time.Duration, explicit bool) Option {
	return func(l *Limiter) error {
		if burst < 1 || every <= 0 {
			return fmt.Errorf("redislimit: %s: burst must be at least 1 and every positive", name)
		}
		l.capacity, l.rate, l.explicit = float64(burst), 1/every.Seconds(), explicit
		return nil
	}
}

func positive(name string, d time.Duration, set func(*Limiter)) Option {
	return func(l *Limiter) error {
		if d <= 0 {
			return fmt.Errorf("redislimit: %s: duration must be positive", name)
		}
		set(l)
		return nil
	}
}

// New returns a Limiter for the API key of clientID on tenant (the tenant
// name or base URL the Client is created with). Both are hashed into the
// keys, never stored in clear; the client secret is never given to it.
// New does not contact Redis.
func New(rdb redis.UniversalClient, tenant, clientID string, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redislimit: New: nil Redis client")
	}
	if strings.TrimSpace(clientID) == "" {
		return nil, errors.New("redislimit: New: empty client id")
	}
	l := &Limiter{
		rdb:       rdb,
		prefix:    DefaultPrefix,
		timeout:   DefaultTimeout,
		ttl:       DefaultTTL,
		probe:     DefaultProbeInterval,
		poll:      DefaultPollInterval,
		sendLease: DefaultSendLease,
		rate:      1 / client.DefaultRateLimitEvery.Seconds(),
		capacity:  client.DefaultRateLimitBurst,
		changed:   make(chan struct{}),
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("redislimit: New: nil option")
		}
		if err := o(l); err != nil {
			return nil, err
		}
	}
	l.waitLease = 50 * l.poll
	l.keys = Keys(l.prefix, tenant, clientID)
	return l, nil
}

// Keys returns the three keys of the bucket of tenant and clientID:
// prefix + "{" + hash + "}" + ":state", ":queue" and ":lease", the hash
// being the first 128 bits of SHA-256 over the normalized tenant, a zero
// byte and the client id, in hex. The braces are a Redis Cluster hash tag:
// the three keys are always in one slot.
func Keys(prefix, tenant, clientID string) []string {
	sum := sha256.Sum256([]byte(normalizeTenant(tenant) + "\x00" + clientID))
	base := prefix + "{" + hex.EncodeToString(sum[:16]) + "}:"
	return []string{base + "state", base + "queue", base + "lease"}
}

// normalizeTenant makes "acme", "ACME", "https://acme.api.openvpn.com" and
// "https://acme.api.openvpn.com/" the same tenant.
func normalizeTenant(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	t = strings.TrimPrefix(t, "https://")
	t = strings.TrimPrefix(t, "http://")
	t = strings.TrimRight(t, "/")
	return strings.TrimSuffix(t, ".api.openvpn.com")
}

// Healthy reports whether the last Redis operation succeeded, so the
// limiter is sharing the budget rather than leaving the Client to pace
// locally.
func (l *Limiter) Healthy() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.down
}

// Script results of acquireScript.
const (
	statusGranted = 0
	statusWait    = 1
	statusRefused = 2
	statusLost    = 3
)

// reasons maps the scripts' reason codes to the Client's.
var reasons = [...]client.WaitReason{client.WaitInitialBudget, client.WaitRateHeaders, client.WaitRetryAfter, client.WaitExplicitBudget}

// Acquire implements [client.RateLimiter]. It takes a ticket in the shared
// queue and waits for its turn, re-checking at the time its turn is due,
// when this process saw a response that may move turns earlier, and at
// least every poll interval. A ticket that ctx abandons leaves the queue;
// the tickets behind it move up one place, none ahead of it moves.
func (l *Limiter) Acquire(ctx context.Context, maxWait time.Duration) (client.Permit, error) {
	if !l.tryRedis() {
		return client.Permit{}, ErrUnavailable
	}
	began := time.Now()
	changed := l.changedCh()
	res, err := l.acquire(ctx, 0, maxWait)
	var reason client.WaitReason // set once the ticket has had to wait
	for lost := 0; err == nil; {
		if res.reason != "" {
			reason = res.reason
		}
		left := max(0, maxWait-time.Since(began))
		switch res.status {
		case statusGranted:
			p := client.Permit{ID: res.ticket}
			if reason != "" {
				p.Waited, p.Reason = time.Since(began), reason
			}
			return p, nil
		case statusRefused:
			return client.Permit{}, &client.RateLimitError{Wait: res.wait, MaxWait: left, Reason: res.reason}
		case statusLost:
			// The lease ran out (this process was stalled) or Redis lost
			// its state: queue again, at the back.
			if lost++; lost > 3 {
				return client.Permit{}, fmt.Errorf("redislimit: acquire: ticket lost %d times", lost)
			}
			res, err = l.acquire(ctx, 0, left)
			continue
		}
		if res.wait > left {
			l.cancel(ctx, res.ticket)
			return client.Permit{}, &client.RateLimitError{Wait: res.wait, MaxWait: left, Reason: reason}
		}
		t := time.NewTimer(min(res.wait, l.poll))
		select {
		case <-ctx.Done():
			t.Stop()
			l.cancel(ctx, res.ticket)
			return client.Permit{}, fmt.Errorf("redislimit: waiting for the shared budget: %w", ctx.Err())
		case <-changed:
			t.Stop()
			changed = l.changedCh()
		case <-t.C:
		}
		ticket := res.ticket
		if res, err = l.acquire(ctx, ticket, 0); err != nil {
			// Our place is lost with Redis, or we gave up: give it back if
			// Redis can still hear it, without making the caller wait.
			go l.cancel(context.WithoutCancel(ctx), ticket)
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return client.Permit{}, fmt.Errorf("redislimit: waiting for the shared budget: %w", ctxErr)
	}
	return client.Permit{}, err
}

// acquireResult is one run of acquireScript.
type acquireResult struct {
	status int64
	ticket uint64
	wait   time.Duration
	reason client.WaitReason // why it waits or was refused
}

func (l *Limiter) acquire(ctx context.Context, ticket uint64, maxWait time.Duration) (acquireResult, error) {
	v, err := l.run(ctx, "acquire", acquireScript, func(v any) {
		// A grant or a place in the queue that arrived after we gave up:
		// give it back.
		if r, err := parseAcquire(v); err == nil && (r.status == statusGranted || r.status == statusWait) {
			bg, cancel := context.WithTimeout(context.Background(), l.timeout)
			defer cancel()
			_, _ = l.eval(bg, cancelScript, r.ticket)
		}
	}, ticket, micros(maxWait), micros(l.waitLease), micros(l.sendLease), micros(l.poll))
	if err != nil {
		return acquireResult{}, err
	}
	r, err := parseAcquire(v)
	if err != nil {
		l.failed()
		return acquireResult{}, fmt.Errorf("redislimit: acquire: %w", err)
	}
	return r, nil
}

func parseAcquire(v any) (acquireResult, error) {
	a, ok := v.([]any)
	if !ok || len(a) != 4 {
		return acquireResult{}, fmt.Errorf("unexpected script reply %T", v)
	}
	var n [4]int64
	for i := range n {
		x, ok := a[i].(int64)
		if !ok || x < 0 {
			return acquireResult{}, fmt.Errorf("unexpected script reply element %d", i)
		}
		n[i] = x
	}
	r := acquireResult{status: n[0], ticket: uint64(n[1]), wait: time.Duration(min(n[2], int64(1<<62)/1000)) * time.Microsecond}
	if n[3] < int64(len(reasons)) && r.status != statusGranted {
		r.reason = reasons[n[3]]
	}
	return r, nil
}

// cancel gives a ticket up that will not be sent, even when ctx has ended.
func (l *Limiter) cancel(ctx context.Context, ticket uint64) {
	_, _ = l.run(context.WithoutCancel(ctx), "cancel", cancelScript, nil, ticket)
}

// Observe implements [client.RateLimiter]: what the response says updates
// the shared bucket, unless a response to a later ticket was already
// applied (newest wins, by the ticket order Redis hands out).
func (l *Limiter) Observe(ctx context.Context, p client.Permit, o client.RateObservation) error {
	if p.ID == 0 {
		return nil
	}
	hasRem, ra := 0, int64(-1)
	if o.HasRemaining {
		hasRem = 1
	}
	if o.HasRetryAfter {
		// One process's Retry-After holds the fleet back no longer than
		// the cap of every pause (the local limiter's and the token
		// endpoint's alike).
		ra = micros(pacing.PauseFor(o.RetryAfter))
	}
	v, err := l.run(context.WithoutCancel(ctx), "observe", observeScript, nil,
		p.ID, hasRem, o.Remaining, o.Burst, o.Rate*learnedRateShare, o.StatusCode, ra)
	if err != nil {
		return err
	}
	if n, _ := v.(int64); n == 2 {
		l.broadcast()
	}
	return nil
}

// Release implements [client.RateLimiter].
func (l *Limiter) Release(ctx context.Context, p client.Permit) error {
	if p.ID == 0 {
		return nil
	}
	v, err := l.run(context.WithoutCancel(ctx), "release", releaseScript, nil, p.ID)
	if err != nil {
		return err
	}
	if n, _ := v.(int64); n == 2 {
		l.broadcast()
	}
	return nil
}

// run evaluates script with the common arguments and args under the
// per-operation timeout, and records whether Redis answered. It does not
// trust the Redis client to honour the deadline (go-redis only does with
// ContextTimeoutEnabled): the call runs in its own goroutine and is
// abandoned at the deadline; late is called with a reply that arrives after
// that.
func (l *Limiter) run(parent context.Context, op string, s *redis.Script, late func(any), args ...any) (any, error) {
	ctx, cancel := context.WithTimeout(parent, l.timeout)
	type reply struct {
		v   any
		err error
	}
	const (
		pending = iota
		delivered
		abandoned
	)
	var state atomic.Int32
	ch := make(chan reply, 1)
	go func() {
		defer cancel()
		v, err := l.eval(ctx, s, args...)
		if state.CompareAndSwap(pending, delivered) {
			ch <- reply{v, err}
		} else if err == nil && late != nil {
			late(v)
		}
	}()
	var r reply
	select {
	case r = <-ch:
	case <-ctx.Done():
		if state.CompareAndSwap(pending, abandoned) {
			r.err = ctx.Err()
		} else {
			r = <-ch // it made it after all
		}
	}
	if r.err != nil {
		if parent.Err() != nil {
			// The caller gave up: that says nothing about Redis.
			l.settled()
			return nil, fmt.Errorf("redislimit: %s: %w", op, parent.Err())
		}
		l.failed()
		return nil, fmt.Errorf("redislimit: %s: %w", op, r.err)
	}
	l.ok()
	return r.v, nil
}

func (l *Limiter) eval(ctx context.Context, s *redis.Script, args ...any) (any, error) {
	all := make([]any, 0, 4+len(args))
	explicit := 0
	if l.explicit {
		explicit = 1
	}
	all = append(all, l.ttl.Milliseconds(), l.rate, l.capacity, explicit)
	all = append(all, args...)
	return s.Run(ctx, l.rdb, l.keys, all...).Result()
}

// tryRedis reports whether this call should use Redis: always while it is
// healthy; while it is failing, one caller per probe interval.
func (l *Limiter) tryRedis() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		return true
	}
	if l.probing || time.Now().Before(l.nextProbe) {
		return false
	}
	l.probing = true
	return true
}

func (l *Limiter) ok() {
	l.mu.Lock()
	l.down, l.probing = false, false
	l.mu.Unlock()
}

func (l *Limiter) failed() {
	l.mu.Lock()
	l.down, l.probing = true, false
	l.nextProbe = time.Now().Add(l.probe)
	l.mu.Unlock()
}

// settled ends a probe that the caller's context cut short: it proved
// nothing about Redis.
func (l *Limiter) settled() {
	l.mu.Lock()
	l.probing = false
	l.mu.Unlock()
}

func (l *Limiter) changedCh() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// broadcast wakes this process's waiters to re-check their turns.
func (l *Limiter) broadcast() {
	l.mu.Lock()
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// micros converts to whole microseconds, rounding up.
func micros(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Microsecond - 1) / time.Microsecond)
}
