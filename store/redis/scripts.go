package redis

import goredis "github.com/redis/go-redis/v9"

// The Lua scripts of the store. Each names its keys in KEYS, as Redis
// Cluster requires; those of one script share a hash slot.

// storeScript stores ARGV[1] under KEYS[1] unless the key exists (SET NX,
// expiring at ARGV[3] unix milliseconds unless that is empty), counts it in
// the hash KEYS[2] under ARGV[4] when KEYS[2] is given, adds member ARGV[6]
// with score ARGV[5] to the sorted set KEYS[3] (the open index) when KEYS[3]
// is given, and returns {1};
// otherwise it returns {0, stored value}, first writing the stored value
// again, unchanged, when ARGV[2] is "1" (so that this connection's WAIT
// covers the write that stored it: see replicas.go).
var storeScript = goredis.NewScript(`
local ok
if ARGV[3] ~= '' then
  ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[3])
else
  ok = redis.call('SET', KEYS[1], ARGV[1], 'NX')
end
if ok then
  if #KEYS > 1 then redis.call('HINCRBY', KEYS[2], ARGV[4], 1) end
  if #KEYS > 2 then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6]) end
  return {1}
end
local cur = redis.call('GET', KEYS[1])
if ARGV[2] == '1' then redis.call('SET', KEYS[1], cur, 'KEEPTTL') end
return {0, cur}
`)

// indexScript adds member ARGV[2] with score ARGV[1] to the sorted set
// KEYS[1], removing it first: a write even when the member is there
// already, so that this connection's WAIT covers whoever added it.
var indexScript = goredis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[2])
return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
`)
