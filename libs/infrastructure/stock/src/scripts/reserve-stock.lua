-- Reserve one unit for one shopper, atomically.
-- KEYS[1] stock counter   KEYS[2] buyers hash (userId -> uuid)   KEYS[3] request hash (by uuid)
-- KEYS[4] publishing index (zset uuid -> reserved at, ms)   KEYS[5] fence (set while the item is held after a Redis loss)
-- ARGV[1] userId   ARGV[2] uuid   ARGV[3] seckillGoodId   ARGV[4] request TTL in seconds   ARGV[5] now (ms)
-- Returns {code, detail}:
--   {'OK', stockLeftAfter}     reserved; request state PUBLISHING until order-api confirms the publish
--   {'DUPLICATE', state}       this uuid (same user + requestId) was seen before (its record, or the unit it holds);
--                              nothing reserved again
--   {'FOREIGN', ''}            this uuid belongs to another shopper's request
--   {'RECOVERING', ''}         Redis lost this item's state: held until the orders queued before are decided
--   {'ALREADY_ORDERED', ''}    the shopper holds a reservation or a live order for this item
--   {'SOLD_OUT', '0'}
--   {'NOT_LOADED', ''}         the stock counter is missing (Redis restarted empty): load or hold it, then retry
-- KEYS[6], given on one node only: the uuid's pointer (`userId:itemId`, see StockKeys.requestItem), checked and set
-- here in the same atomic step. On a Redis Cluster it lives in another slot, so StockService sets it (SET NX GET)
-- before calling this script with five keys.
if KEYS[6] then
  local mine = ARGV[1] .. ':' .. ARGV[3]
  local pointer = redis.call('GET', KEYS[6])
  if pointer and pointer ~= mine then
    return {'FOREIGN', ''}
  end
  if not pointer then
    redis.call('SET', KEYS[6], mine, 'EX', tonumber(ARGV[4]))
  end
end
local owner = redis.call('HGET', KEYS[3], 'userId')
if owner and owner ~= ARGV[1] then
  return {'FOREIGN', ''}
end
local state = redis.call('HGET', KEYS[3], 'state')
-- An abandoned request (its publish was never confirmed) may be retried under the same uuid.
if state and state ~= 'ABANDONED' then
  return {'DUPLICATE', state}
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  return {'RECOVERING', ''}
end
local holder = redis.call('HGET', KEYS[2], ARGV[1])
if holder == ARGV[2] then
  -- This very request holds the shopper's unit, but its record is gone (Redis lost it, and the buyers were
  -- rebuilt from PostgreSQL's live orders): it is the same request asked again, not a second order.
  return {'DUPLICATE', 'QUEUED'}
end
if holder then
  return {'ALREADY_ORDERED', ''}
end
local left = redis.call('GET', KEYS[1])
if not left then
  return {'NOT_LOADED', ''}
end
left = tonumber(left)
if left <= 0 then
  return {'SOLD_OUT', '0'}
end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], 'state', 'PUBLISHING', 'userId', ARGV[1], 'goodId', ARGV[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))
-- Indexed while PUBLISHING, so a reservation whose order-api died is found and released (release-stranded.lua).
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2])
return {'OK', tostring(left - 1)}
