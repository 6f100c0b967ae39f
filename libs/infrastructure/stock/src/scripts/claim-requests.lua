-- order-worker claims a batch of requests before deciding them, so order-api can no longer abandon them.
-- KEYS: request hashes. Returns one state per key:
--   'CLAIMED'   decide it (also for a request claimed by an earlier delivery)
--   'ABANDONED' order-api answered 503 and released the unit: record FAIL, create no order
--   'MISSING'   Redis lost the record (restart): decide it; PostgreSQL's guards still hold
--   'RELEASED'  already failed and released earlier: decide (the durable outcome will be replayed)
local out = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('HGET', key, 'state')
  if not state then
    out[i] = 'MISSING'
  elseif state == 'PUBLISHING' or state == 'QUEUED' then
    redis.call('HSET', key, 'state', 'CLAIMED')
    out[i] = 'CLAIMED'
  else
    out[i] = state
  end
end
return out
