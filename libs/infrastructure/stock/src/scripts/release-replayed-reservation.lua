-- A request whose outcome PostgreSQL already holds arrived with a fresh reservation: Redis had lost or
-- expired its record, so order-api reserved a unit for it again. The recorded outcome stands (it is replayed),
-- and the fresh unit goes back. A request the worker has claimed before (CLAIMED, RELEASED) is a plain
-- redelivery and is left alone.
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] request hash
-- ARGV[1] userId   ARGV[2] uuid
-- Returns 1 when a unit was returned, 0 otherwise.
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'PUBLISHING' and state ~= 'QUEUED' then
  return 0
end
redis.call('HSET', KEYS[3], 'state', 'RELEASED')
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
  return 1
end
return 0
