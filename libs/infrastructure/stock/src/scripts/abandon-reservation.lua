-- order-api gives up on a request whose publish was not confirmed in time.
-- Succeeds only while the request is still PUBLISHING: if the worker has already claimed it, the message
-- did reach the broker and the request must be answered 202 after all.
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] request hash   KEYS[4] publishing index of the item
-- ARGV[1] userId   ARGV[2] uuid   ARGV[3] seckillGoodId   ARGV[4] request TTL in seconds
-- Returns 'ABANDONED', or the state that prevented it.
local state = redis.call('HGET', KEYS[3], 'state')
if not state then
  -- Redis lost the record (restarted empty) while the publish was pending: whatever held the unit is gone with
  -- it. Recording ABANDONED makes the worker drop the message should it arrive after all, so the 503 stays true.
  redis.call('HSET', KEYS[3], 'state', 'ABANDONED', 'userId', ARGV[1], 'goodId', ARGV[3])
  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))
  return 'ABANDONED'
end
if state ~= 'PUBLISHING' then
  return state
end
redis.call('HSET', KEYS[3], 'state', 'ABANDONED')
redis.call('ZREM', KEYS[4], ARGV[2])
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCR', KEYS[1])
  end
end
return 'ABANDONED'
