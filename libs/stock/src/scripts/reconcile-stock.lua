-- Rebuild one item's counter and buyers from a PostgreSQL snapshot, atomically with respect to every other
-- script (no reservation can slip in between the read and the write).
-- KEYS[1] stock counter   KEYS[2] buyers hash
-- ARGV[1] units left in PostgreSQL
-- ARGV[2] n = number of live orders, then n pairs userId, uuid
-- then every uuid of this item that PostgreSQL has decided (SUCCESS or FAIL)
-- A buyer whose uuid is neither live nor decided is a reservation still in flight: it is kept, and its unit
-- stays taken. Everything else in Redis is replaced.
-- Returns {counter before ('' if missing), counter after, reservations in flight}.
local before = redis.call('GET', KEYS[1]) or ''
local pgLeft = tonumber(ARGV[1])
local nLive = tonumber(ARGV[2])
local live = {}
local liveUuid = {}
local i = 3
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
return {before, tostring(after), tostring(nInflight)}
