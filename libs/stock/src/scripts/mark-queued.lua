-- The publish of this request was confirmed by the broker: PUBLISHING -> QUEUED.
-- KEYS[1] request hash. Returns the state after the call (the worker may already have claimed it).
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'PUBLISHING' then
  redis.call('HSET', KEYS[1], 'state', 'QUEUED')
  return 'QUEUED'
end
return state or ''
