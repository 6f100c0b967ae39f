-- order-api gives up on a request whose publish was not confirmed in time.
-- Succeeds only while the request is still PUBLISHING: if the worker has already claimed it, the message
-- did reach the broker and the request must be answered 202 after all.
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] request hash
-- ARGV[1] userId   ARGV[2] uuid
-- Returns 'ABANDONED', or the state that prevented it.
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'PUBLISHING' then
  return state or ''
end
redis.call('HSET', KEYS[3], 'state', 'ABANDONED')
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCR', KEYS[1])
  end
end
return 'ABANDONED'
