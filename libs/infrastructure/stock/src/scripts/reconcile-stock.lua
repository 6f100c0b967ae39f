-- Rebuild one item's counter and buyers from a PostgreSQL snapshot, atomically with respect to every other
-- script (no reservation can slip in between the read and the write).
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] fence (the set of held items is StockService's to update:
-- it lives in another slot)
-- ARGV[1] mode: 'reconcile' (a loaded, unheld item) or 'lift' (release a held item)
-- ARGV[2] seckillGoodId   ARGV[3] units left in PostgreSQL
-- ARGV[4] n = number of live orders, then n pairs userId, uuid
-- then every uuid of this item that PostgreSQL has decided (SUCCESS or FAIL)
-- A buyer whose uuid is neither live nor decided is a reservation still in flight: it is kept, and its unit
-- stays taken. Everything else in Redis is replaced.
-- Returns {status, counter before ('' if missing), counter after, reservations in flight}, status one of
--   'OK', 'HELD' (reconcile of a held item: left to the lift), 'MISSING' (reconcile without a counter: the
--   caller decides between a first load and a hold), 'NOT_HELD' (lift of an item no longer held).
local mode = ARGV[1]
local held = redis.call('EXISTS', KEYS[3]) == 1
local before = redis.call('GET', KEYS[1]) or ''
if mode == 'reconcile' then
  if held then
    return {'HELD', before, '', '0'}
  end
  if before == '' then
    return {'MISSING', '', '', '0'}
  end
elseif not held then
  return {'NOT_HELD', before, '', '0'}
end
local pgLeft = tonumber(ARGV[3])
local nLive = tonumber(ARGV[4])
local live = {}
local liveUuid = {}
local i = 5
for _ = 1, nLive do
  live[ARGV[i]] = ARGV[i + 1]
  liveUuid[ARGV[i + 1]] = true
  i = i + 2
end
local decided = {}
for j = i, #ARGV do
  decided[ARGV[j]] = true
end
local inflight = {}
local nInflight = 0
local current = redis.call('HGETALL', KEYS[2])
for k = 1, #current, 2 do
  local user, uuid = current[k], current[k + 1]
  if not decided[uuid] and not liveUuid[uuid] and not live[user] then
    inflight[user] = uuid
    nInflight = nInflight + 1
  end
end
redis.call('DEL', KEYS[2])
for user, uuid in pairs(live) do
  redis.call('HSET', KEYS[2], user, uuid)
end
for user, uuid in pairs(inflight) do
  redis.call('HSET', KEYS[2], user, uuid)
end
local after = pgLeft - nInflight
if after < 0 then
  after = 0
end
redis.call('SET', KEYS[1], after)
if mode == 'lift' then
  redis.call('DEL', KEYS[3])
end
return {'OK', before, tostring(after), tostring(nInflight)}
