package redislimit

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The shared state is one Redis hash, so it works on a single Redis, Redis
// Sentinel and Redis Cluster alike:
//
//	<prefix>{<hash>}:pacing  hash  v  version: changes on every write
//	                               b  the pacing state (JSON, see shared.go)
//
// Redis only stores it: the rules that read and change it are the pacing
// core's (internal/pacing), applied in the process, and written back with
// a compare-and-set on the version. The two scripts below are the whole of
// what runs in Redis; both also return Redis's clock, the one clock of the
// fleet.

// readScript returns {version, state, seconds, microseconds}: version 0 and
// an empty state when the key does not exist.
var readScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'v', 'b')
local t = redis.call('TIME')
return {tonumber(v[1] or '0'), v[2] or '', tonumber(t[1]), tonumber(t[2])}
`)

// casScript writes ARGV[2] as the state if the version is still ARGV[1],
// and renews the key's TTL (ARGV[3] ms). It returns {1, new version, ”,
// seconds, µs} when written, {0, version, state, seconds, µs} with what is
// there instead when another process wrote first. A new state's version is
// Redis's clock in µs, so a process holding the version of a state that
// expired or was lost with a restart can never overwrite its successor.
var casScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local t = redis.call('TIME')
if cur ~= tonumber(ARGV[1]) then
  return {0, cur, redis.call('HGET', KEYS[1], 'b') or '', tonumber(t[1]), tonumber(t[2])}
end
local nv = cur + 1
if cur == 0 then nv = tonumber(t[1]) * 1000000 + tonumber(t[2]) end
redis.call('HSET', KEYS[1], 'v', nv, 'b', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, nv, '', tonumber(t[1]), tonumber(t[2])}
`)

// stored is what the store holds, as of the store's clock.
type stored struct {
	version int64
	state   string    // empty when there is none
	now     time.Time // the store's clock when it answered
}

// store keeps the versioned shared state. The Redis one is the product;
// tests substitute an in-memory one with injected faults.
type store interface {
	read(ctx context.Context) (stored, error)
	// cas writes state if the version is still version; when it is not,
	// ok is false and cur is what is there.
	cas(ctx context.Context, version int64, state string) (cur stored, ok bool, err error)
}

// redisStore is the shared state in one Redis hash.
type redisStore struct {
	rdb     redis.UniversalClient
	key     []string
	ttl     time.Duration
	timeout time.Duration
}

func (s *redisStore) read(ctx context.Context) (stored, error) {
	v, err := s.run(ctx, readScript)
	if err != nil {
		return stored{}, err
	}
	a, err := parseReply(v, 4)
	if err != nil {
		return stored{}, err
	}
	return stored{version: a.ints[0], state: a.str(1), now: a.clock(2)}, nil
}

func (s *redisStore) cas(ctx context.Context, version int64, state string) (stored, bool, error) {
	v, err := s.run(ctx, casScript, version, state, max(1, s.ttl.Milliseconds()))
	if err != nil {
		return stored{}, false, err
	}
	a, err := parseReply(v, 5)
	if err != nil {
		return stored{}, false, err
	}
	cur := stored{version: a.ints[1], now: a.clock(3)}
	if a.ints[0] == 1 {
		cur.state = state
		return cur, true, nil
	}
	cur.state = a.str(2)
	return cur, false, nil
}

// run evaluates script under the per-operation timeout. It does not trust
// the Redis client to honour the deadline (go-redis only does with
// ContextTimeoutEnabled): the call runs in its own goroutine and is
// abandoned at the deadline. A write that lands after that is harmless: its
// version is not the one this process knows, so its next write fails the
// compare-and-set and reads the state again.
func (s *redisStore) run(parent context.Context, script *redis.Script, args ...any) (any, error) {
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	type reply struct {
		v   any
		err error
	}
	var abandoned atomic.Bool
	ch := make(chan reply, 1)
	go func() {
		defer cancel()
		v, err := script.Run(ctx, s.rdb, s.key, args...).Result()
		if !abandoned.Load() {
			ch <- reply{v, err}
		}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		abandoned.Store(true)
		select {
		case r := <-ch: // it made it after all
			return r.v, r.err
		default:
			return nil, ctx.Err()
		}
	}
}

// reply is a parsed script reply: integers, with the strings kept apart.
type reply struct {
	ints []int64
	strs map[int]string
}

func (r reply) str(i int) string { return r.strs[i] }

// clock is the Redis TIME at elements i and i+1.
func (r reply) clock(i int) time.Time { return time.Unix(r.ints[i], r.ints[i+1]*1000) }

var errReply = errors.New("redislimit: unexpected script reply")

func parseReply(v any, n int) (reply, error) {
	a, ok := v.([]any)
	if !ok || len(a) != n {
		return reply{}, fmt.Errorf("%w: %T", errReply, v)
	}
	r := reply{ints: make([]int64, n), strs: map[int]string{}}
	for i, x := range a {
		switch x := x.(type) {
		case int64:
			r.ints[i] = x
		case string:
			r.strs[i] = x
		default:
			return reply{}, fmt.Errorf("%w: element %d is %T", errReply, i, x)
		}
	}
	return r, nil
}
