package redislimit

import "github.com/redis/go-redis/v9"

// The shared bucket lives in three keys with one hash tag, so Redis
// Cluster keeps them in one slot and a script may touch all three:
//
//	KEYS[1]  <prefix>{<hash>}:state  hash: the bucket
//	KEYS[2]  <prefix>{<hash>}:queue  sorted set: waiting tickets, by ticket number
//	KEYS[3]  <prefix>{<hash>}:lease  sorted set: every live ticket (waiting or
//	                                 sending), by lease expiry in µs
//
// The state hash holds
//
//	rate     tokens per second the bucket refills at
//	cap      capacity (the burst)
//	tokens   level; may be negative after a Retry-After
//	last     Redis time (µs) tokens was last advanced to
//	started  1 once any response arrived: the bucket earns nothing before,
//	         as the server's bucket starts refilling only when our first
//	         request reaches it
//	free     1 while the server has answered without rate-limit headers:
//	         nothing is paced (pace only on evidence)
//	learned  1 once any rate-limit header was seen
//	seq      the last ticket number handed out; the first is Redis's clock
//	         in µs when the state was created
//	oseq     the ticket number of the newest observation applied
//	rau      Redis time (µs) until which a Retry-After holds the budget
//	solo     the last ticket granted, when nothing else was on its way then;
//	         0 once another ticket is granted. Only its response may raise
//	         the level to the server's Remaining: any other response may
//	         have overtaken, or been overtaken by, another request on the
//	         way to the server, so its Remaining may count one request
//	         less than the server has really served
//
// Every script starts with the same prelude: Redis's clock (one clock for
// every process), the state with defaults from ARGV when the keys expired
// or Redis restarted, tickets whose lease ran out dropped (a process that
// died gives its place back), and the refill since the last call. Every
// script ends by saving the state and renewing the TTL of all three keys.
//
// Common arguments:
//
//	ARGV[1] key TTL in ms
//	ARGV[2] initial or explicit rate (tokens/s)
//	ARGV[3] initial or explicit capacity
//	ARGV[4] 1 when ARGV[2..3] are the user's explicit budget, which always
//	        holds: headers may lower it, never raise it, and header-less
//	        answers never switch pacing off
const prelude = `
local st, q, ls = KEYS[1], KEYS[2], KEYS[3]
local ttl = tonumber(ARGV[1])
local brate, bcap, explicit = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local f = redis.call('HMGET', st, 'rate', 'cap', 'tokens', 'last', 'started', 'free', 'learned', 'seq', 'oseq', 'rau', 'solo')
local rate, cap, tokens, last, started, free, learned, seq, oseq, rau, solo
if f[1] then
  rate, cap, tokens, last = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]), tonumber(f[4])
  started, free, learned = tonumber(f[5]), tonumber(f[6]), tonumber(f[7])
  seq, oseq, rau, solo = tonumber(f[8]), tonumber(f[9]), tonumber(f[10]), tonumber(f[11] or 0)
else
  -- Tickets count from Redis's clock in µs, so those of an earlier life of
  -- the state (before Redis restarted or the keys expired) are all smaller
  -- and cannot be mistaken for new ones.
  rate, cap, tokens, last, started, free, learned, seq, oseq, rau = brate, bcap, bcap, now, 0, 0, 0, now, now, 0
  solo = 0
end
if explicit then
  rate, cap, free = math.min(rate, brate), math.min(cap, bcap), 0
end
local gone = redis.call('ZRANGEBYSCORE', ls, '-inf', now, 'LIMIT', 0, 100)
for _, m in ipairs(gone) do
  redis.call('ZREM', q, m)
  redis.call('ZREM', ls, m)
end
local function sending()
  return redis.call('ZCARD', ls) - redis.call('ZCARD', q)
end
local function advance()
  if started == 1 and now > last then
    tokens = math.min(tokens + (now - last) / 1e6 * rate, math.max(tokens, cap - sending()))
  end
  last = now
end
local function start()
  if started == 0 then
    started = 1
    last = now
  end
end
local function save()
  redis.call('HSET', st, 'rate', rate, 'cap', cap, 'tokens', tokens, 'last', last, 'started', started,
    'free', free, 'learned', learned, 'seq', seq, 'oseq', oseq, 'rau', rau, 'solo', solo)
  redis.call('PEXPIRE', st, ttl)
  redis.call('PEXPIRE', q, ttl)
  redis.call('PEXPIRE', ls, ttl)
end
local function reason()
  if rau > now then return 2 end
  if learned == 1 then return 1 end
  if explicit then return 3 end
  return 0
end
`

// acquireScript takes a ticket (ARGV[5] = 0) or re-checks a waiting one
// (ARGV[5] = its number).
//
//	ARGV[6] longest wait the caller accepts, µs: a new ticket that would
//	        wait longer is not taken
//	ARGV[7] lease of a waiting ticket, µs: the caller re-checks before it
//	        runs out
//	ARGV[8] lease of a sending ticket, µs: the longest a request may be on
//	        its way before Release
//	ARGV[9] the poll interval, µs: the wait of a ticket beyond the initial
//	        burst before any response has told the real budget
//
// It returns {status, ticket, wait µs, reason}: status 0 granted, 1 wait
// (re-check after wait), 2 refused (the wait exceeds ARGV[6]), 3 lost (the
// ticket's lease ran out or Redis lost its state: take a new one).
//
// A ticket may go when the tokens cover it and every ticket ahead of it in
// the queue: rank+1 <= tokens. Tokens are taken when a ticket goes, so a
// cancelled ticket leaves the queue and those behind it move up by exactly
// one place, and nobody ahead of it moves at all.
var acquireScript = redis.NewScript(prelude + `
advance()
local busy = sending()
local ticket, maxWait = tonumber(ARGV[5]), tonumber(ARGV[6])
local waitLease, sendLease = tonumber(ARGV[7]), tonumber(ARGV[8])
local function delay(rank)
  if free == 1 then return 0 end
  local need = rank + 1 - tokens
  if need <= 1e-9 then return 0 end
  if started == 0 and not explicit then
    -- Beyond the initial burst before any response: the guessed rate is
    -- no evidence, the first response will be. Re-check soon.
    return tonumber(ARGV[9])
  end
  return math.min(math.ceil(need / rate * 1e6), 1e15)
end
local function grant(id)
  if free == 0 then tokens = tokens - 1 end
  redis.call('ZADD', ls, now + sendLease, id)
  if busy == 0 then solo = tonumber(id) else solo = 0 end
end
local res
if ticket == 0 then
  local d = delay(redis.call('ZCARD', q))
  if d > maxWait then
    save()
    return {2, 0, d, reason()}
  end
  seq = seq + 1
  if d == 0 then
    grant(seq)
    res = {0, seq, 0, 0}
  else
    redis.call('ZADD', q, seq, seq)
    redis.call('ZADD', ls, now + waitLease, seq)
    res = {1, seq, d, reason()}
  end
else
  local rank = redis.call('ZRANK', q, ARGV[5])
  if not rank then
    save()
    return {3, ticket, 0, 0}
  end
  local d = delay(rank)
  if d == 0 then
    redis.call('ZREM', q, ARGV[5])
    grant(ARGV[5])
    res = {0, ticket, 0, 0}
  else
    redis.call('ZADD', ls, 'XX', now + waitLease, ARGV[5])
    res = {1, ticket, d, reason()}
  end
end
save()
return res
`)

// cancelScript gives a ticket (ARGV[5]) up that will not be sent: a waiting
// one leaves the queue, so those behind it move up one place; a granted one
// (its grant reached a caller that had already given up) returns its token,
// which the server still has. It returns 1 for a waiting ticket, 2 for a
// granted one, 0 for one it does not know (already gone, or from before a
// restart).
var cancelScript = redis.NewScript(prelude + `
advance()
local res = 0
if redis.call('ZREM', q, ARGV[5]) == 1 then
  res = 1
  redis.call('ZREM', ls, ARGV[5])
elseif redis.call('ZREM', ls, ARGV[5]) == 1 then
  res = 2
  if free == 0 then tokens = math.min(tokens + 1, cap - sending()) end
end
save()
return res
`)

// releaseScript ends a sent ticket's flight (ARGV[5]). The refill up to now
// is earned under the old ceiling (cap minus requests on their way). It
// returns 2 when the ceiling held the level, so waiters may now go sooner.
var releaseScript = redis.NewScript(prelude + `
start()
advance()
local capped = tokens >= cap - sending()
redis.call('ZREM', ls, ARGV[5])
save()
if capped then
  return 2
end
return 1
`)

// observeScript learns from one response:
//
//	ARGV[5]  the ticket that sent it; an observation older than the newest
//	         applied (a smaller ticket) is ignored: newest wins
//	ARGV[6]  1 when X-RateLimit-Remaining was valid, ARGV[7] its value
//	ARGV[8]  X-RateLimit-Burst-Capacity, 0 when absent
//	ARGV[9]  the refill rate to pace at (tokens/s), 0 when absent
//	ARGV[10] HTTP status
//	ARGV[11] Retry-After in µs, -1 when absent
//
// The rules are the local limiter's: the rate and capacity come from the
// headers; Remaining sets the level when this request was the only one on
// its way from its grant to its response (see solo), and otherwise only
// lowers it; a 429 with Retry-After holds every
// process until then; a 429 without it or Remaining empties the bucket; a
// header-less success before any header was seen switches pacing off. It
// returns 0 for an observation it ignored, 2 when turns may have moved
// earlier, 1 otherwise.
var observeScript = redis.NewScript(prelude + `
start()
advance()
local id = tonumber(ARGV[5])
if id < oseq then
  save()
  return 0
end
oseq = id
local rate0, tokens0, free0 = rate, tokens, free
local hasRem, rem = ARGV[6] == '1', tonumber(ARGV[7])
local burst, r, status, ra = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
if hasRem or burst > 0 or r > 0 then
  learned, free = 1, 0
end
if r > 0 then
  rate = r
  if explicit then rate = math.min(rate, brate) end
end
if burst > 0 then
  cap = burst
elseif hasRem then
  cap = math.max(cap, rem + 1)
end
if explicit then cap = math.min(cap, bcap) end
if hasRem then
  if id == solo and sending() <= 1 then
    tokens = rem
  else
    tokens = math.min(tokens, rem)
  end
end
if status == 429 or status == 503 then
  if ra >= 0 then
    free = 0
    tokens = math.min(tokens, 1 - ra / 1e6 * rate)
    rau = math.max(rau, now + ra)
  elseif status == 429 and not hasRem then
    free = 0
    tokens = math.min(tokens, 0)
  end
elseif status >= 200 and status < 300 and learned == 0 and not explicit then
  free = 1
end
tokens = math.min(tokens, cap - sending())
save()
if rate > rate0 or tokens > tokens0 + 1e-9 or free > free0 then
  return 2
end
return 1
`)
