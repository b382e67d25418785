// Package redislimit shares one CloudConnexa API key's rate budget between
// processes through Redis: a [client.RateLimiter] for fleets of replicas,
// jobs and tools that all use the same client id.
//
// It owns the storage of the shared pacing state in Redis, the per-process
// queue of callers and the handling of Redis faults. The pacing rules are
// not here: they are the local limiter's (internal/pacing), applied to a
// state every process reads from Redis and writes back with a
// compare-and-set, so a fleet paces exactly as one process would. It works
// on a single Redis, Redis Sentinel and Redis Cluster through go-redis's
// universal client. Only programs that import it link
// github.com/redis/go-redis/v9.
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	lim, err := redislimit.New(rdb, "acme", clientID)
//	if err != nil { … }
//	c, err := client.New("acme", clientID, secret, client.WithRateLimiter(lim))
//
// Every Redis operation has its own timeout (250 ms by default), and a
// failed one is tried again. Only when Redis has failed for a whole
// failover period (1 s by default) does the limiter report it, and the
// Client paces with its local limiter; the limiter tries Redis again at
// most once per probe interval, and when Redis answers, the requests sent
// meanwhile are charged to the shared budget. See
// docs/retries-and-rate-limits.md, "Sharing one key across processes".
package redislimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/internal/pacing"
)

// Defaults of the options.
const (
	DefaultPrefix        = "cloudconnexa:rl:"
	DefaultTimeout       = 250 * time.Millisecond
	DefaultTTL           = 10 * time.Minute
	DefaultProbeInterval = time.Second
	DefaultPollInterval  = 100 * time.Millisecond
	DefaultSendLease     = 2 * time.Minute
	DefaultFailover      = time.Second
)

// ErrUnavailable is returned (wrapped) by Acquire while Redis is known to
// be down and the next probe is not due: the Client then paces locally.
var ErrUnavailable = errors.New("redislimit: Redis unavailable")

// Limiter is a [client.RateLimiter] whose budget lives in Redis and is
// shared by every Limiter, in any process, created for the same tenant and
// client id (and prefix). It is safe for concurrent use.
//
// Callers of one Limiter queue first come, first served, in the process;
// one goroutine per Limiter, running only while there is something to do,
// reads the shared state, applies what the process has seen (responses,
// releases, requests it sent while Redis was down), grants the heads of the
// queue the permits the state allows, and writes it back in one
// compare-and-set. Processes take turns by that compare-and-set.
type Limiter struct {
	st        store
	prefix    string
	keys      []string
	id        string // this limiter's share in the shared state
	ttl       time.Duration
	timeout   time.Duration
	probe     time.Duration
	poll      time.Duration
	sendLease time.Duration
	waitLease time.Duration
	failover  time.Duration

	burst      int // explicit budget (WithBudget), 0 if none
	every      time.Duration
	guessBurst int // initial budget (WithInitialBudget)
	guessEvery time.Duration

	mu        sync.Mutex
	queue     []*waiter
	obs       []pacing.Evidence // seen, not yet written; Received is the local clock
	releases  int               // released, not yet written
	giveBacks int               // granted to callers that had given up
	owed      int               // sent while Redis was down, not yet charged
	inflight  int               // permits this limiter holds in the shared state
	known     *snapshot         // the last state read or written
	running   bool              // the sync goroutine runs
	kick      chan struct{}
	down      bool
	probing   bool // one caller is trying Redis while down
	nextProbe time.Time
}

// waiter is one caller in the queue.
type waiter struct {
	began    time.Time
	deadline time.Time
	ready    chan struct{} // closed when decided
	decided  bool
	permit   client.Permit
	err      error
	reason   client.WaitReason
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

// WithTimeout bounds every Redis operation (default 250 ms). An operation
// that takes longer counts as a failure, and is tried again; only failures
// that last WithFailover make the Client pace locally.
func WithTimeout(d time.Duration) Option {
	return positive("WithTimeout", d, func(l *Limiter) { l.timeout = d })
}

// WithTTL sets how long the shared state outlives its last use (default
// 10 minutes); every operation renews it on every key.
func WithTTL(d time.Duration) Option {
	return positive("WithTTL", d, func(l *Limiter) { l.ttl = d })
}

// WithProbeInterval sets how often, while Redis is down, one call tries it
// again (default 1 s); the others pace locally without trying.
func WithProbeInterval(d time.Duration) Option {
	return positive("WithProbeInterval", d, func(l *Limiter) { l.probe = d })
}

// WithPollInterval sets the longest a process with waiting callers goes
// without reading the shared state (default 100 ms), which is how it learns
// about responses other processes saw. Its waiting callers count in the
// shared state for 50 times this after its last write: a process that
// vanishes (killed) holds its share no longer.
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
		if explicit {
			l.burst, l.every = burst, every
		} else {
			l.guessBurst, l.guessEvery = burst, every
		}
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

// WithFailover sets how long Redis must fail, without a single success in
// between, before the limiter gives up on it and the Client paces locally
// (default 1 s). A single slow or failed operation is tried again, within
// what the caller may wait: a fleet that falls back on every hiccup spends
// the budget twice.
func WithFailover(d time.Duration) Option {
	return positive("WithFailover", d, func(l *Limiter) { l.failover = d })
}

// New returns a Limiter for the API key of clientID on tenant (the tenant
// name or base URL the Client is created with). Both are hashed into the
// key, never stored in clear; the client secret is never given to it.
// New does not contact Redis. Every process of a fleet must use the same
// budget options.
func New(rdb redis.UniversalClient, tenant, clientID string, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redislimit: New: nil Redis client")
	}
	if strings.TrimSpace(clientID) == "" {
		return nil, errors.New("redislimit: New: empty client id")
	}
	l := &Limiter{
		prefix:     DefaultPrefix,
		ttl:        DefaultTTL,
		timeout:    DefaultTimeout,
		probe:      DefaultProbeInterval,
		poll:       DefaultPollInterval,
		sendLease:  DefaultSendLease,
		failover:   DefaultFailover,
		guessBurst: client.DefaultRateLimitBurst,
		guessEvery: client.DefaultRateLimitEvery,
		kick:       make(chan struct{}, 1),
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
	l.id = newID()
	l.st = &redisStore{rdb: rdb, key: l.keys, ttl: l.ttl, timeout: l.timeout}
	return l, nil
}

// newID returns a random id for a limiter's share of the state.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Keys returns the keys of the shared state of tenant and clientID: one,
// prefix + "{" + hash + "}:pacing", the hash being the first 128 bits of
// SHA-256 over the normalized tenant, a zero byte and the client id, in
// hex. The braces are a Redis Cluster hash tag.
func Keys(prefix, tenant, clientID string) []string {
	sum := sha256.Sum256([]byte(normalizeTenant(tenant) + "\x00" + clientID))
	return []string{prefix + "{" + hex.EncodeToString(sum[:16]) + "}:pacing"}
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

// Healthy reports whether the limiter is sharing the budget through Redis
// rather than leaving the Client to pace locally.
func (l *Limiter) Healthy() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.down
}

// Acquire implements [client.RateLimiter]. The caller queues in the
// process; the sync goroutine grants it when the shared state allows, and
// refuses it at once when the state's evidence puts its turn past maxWait.
// A caller that ctx abandons leaves the queue without taking anything;
// those behind it move up, none ahead of it moves.
func (l *Limiter) Acquire(ctx context.Context, maxWait time.Duration) (client.Permit, error) {
	if err := ctx.Err(); err != nil {
		return client.Permit{}, err
	}
	now := time.Now()
	l.mu.Lock()
	if l.down {
		if l.probing || now.Before(l.nextProbe) {
			// The Client sends this request on its local budget: it is
			// charged to the shared one when Redis is back.
			l.owed++
			l.mu.Unlock()
			return client.Permit{}, ErrUnavailable
		}
		l.probing = true
	}
	w := &waiter{began: now, deadline: now.Add(max(0, maxWait)), ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	l.wakeLocked()
	l.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		l.mu.Lock()
		if !w.decided {
			l.removeLocked(w)
			l.wakeLocked()
			l.mu.Unlock()
			return client.Permit{}, fmt.Errorf("redislimit: waiting for the shared budget: %w", ctx.Err())
		}
		l.mu.Unlock()
	}
	if w.err != nil {
		return client.Permit{}, w.err
	}
	if err := ctx.Err(); err != nil {
		// Granted as the caller gave up: the permit goes back, so nobody
		// goes earlier than the budget allows.
		l.giveBack()
		return client.Permit{}, fmt.Errorf("redislimit: waiting for the shared budget: %w", err)
	}
	return w.permit, nil
}

// Observe implements [client.RateLimiter]: what the response says is
// applied to the shared state by the next write, which follows at once.
func (l *Limiter) Observe(_ context.Context, p client.Permit, o client.RateObservation) error {
	if p.ID == 0 {
		return nil
	}
	if o.Received.IsZero() {
		o.Received = time.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return nil // the Client's local limiter sees it too
	}
	if len(l.obs) >= maxPending {
		return nil // bounded; what the sync goroutine has not caught up with is dropped
	}
	l.obs = append(l.obs, pacing.Evidence{
		Permit: p.ID, Received: o.Received, Status: o.StatusCode,
		RetryAfter: o.RetryAfter, HasRetryAfter: o.HasRetryAfter,
		Remaining: o.Remaining, HasRemaining: o.HasRemaining,
		Burst: o.Burst, Rate: o.Rate,
	})
	l.wakeLocked()
	return nil
}

// Release implements [client.RateLimiter].
func (l *Limiter) Release(_ context.Context, p client.Permit) error {
	if p.ID == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down && l.releases < l.inflight {
		l.releases++
		l.wakeLocked()
	}
	return nil
}

// giveBack returns a permit that was granted and will not be used.
func (l *Limiter) giveBack() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		l.giveBacks++
		l.wakeLocked()
	}
}

// removeLocked takes w out of the queue.
func (l *Limiter) removeLocked(w *waiter) {
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			return
		}
	}
}

// wakeLocked starts the sync goroutine, or wakes it.
func (l *Limiter) wakeLocked() {
	if !l.running {
		l.running = true
		go l.loop()
		return
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// decideLocked ends w's wait.
func (l *Limiter) decideLocked(w *waiter, p client.Permit, err error) {
	w.decided, w.permit, w.err = true, p, err
	close(w.ready)
}
