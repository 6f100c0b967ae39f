-- The publish of this request was confirmed by the broker: PUBLISHING -> QUEUED.
-- KEYS[1] request hash   KEYS[2] publishing index of the item
-- ARGV[1] uuid   ARGV[2] userId   ARGV[3] seckillGoodId   ARGV[4] request TTL in seconds
-- Returns the state after the call:
--   'QUEUED'     marked (or recreated: Redis lost the record, but the message is in the queue and will be decided)
--   'CLAIMED'    the worker was even faster
--   'ABANDONED'  the stranded-reservation sweeper gave up on it first: the worker will drop the message
--   other        a later state (RELEASED: already decided and failed)
-- KEYS[3], given on one node only: the uuid's pointer, put back if Redis lost it (on a cluster StockService does it).
if KEYS[3] then
  redis.call('SET', KEYS[3], ARGV[2] .. ':' .. ARGV[3], 'EX', tonumber(ARGV[4]), 'NX')
end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'PUBLISHING' then
  redis.call('HSET', KEYS[1], 'state', 'QUEUED')
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'QUEUED'
end
if not state then
  redis.call('HSET', KEYS[1], 'state', 'QUEUED', 'userId', ARGV[2], 'goodId', ARGV[3])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
  return 'QUEUED'
end
return state
