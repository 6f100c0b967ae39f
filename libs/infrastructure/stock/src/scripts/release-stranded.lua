-- order-worker's sweeper found a reservation PUBLISHING for longer than any order-api waits for a confirm: its
-- order-api died (or could not abandon it). Abandoned exactly like abandon-reservation.lua, so the claim race
-- is the same: if the worker claimed the request first, nothing happens here.
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] request hash   KEYS[4] publishing index of the item
-- ARGV[1] uuid
-- Returns 1 when a stranded unit went back, 0 when the entry only had to leave the index.
local state = redis.call('HGET', KEYS[3], 'state')
redis.call('ZREM', KEYS[4], ARGV[1])
if state ~= 'PUBLISHING' then
  return 0
end
redis.call('HSET', KEYS[3], 'state', 'ABANDONED')
local user = redis.call('HGET', KEYS[3], 'userId')
if user and redis.call('HGET', KEYS[2], user) == ARGV[1] then
  redis.call('HDEL', KEYS[2], user)
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCR', KEYS[1])
    return 1
  end
end
return 0
