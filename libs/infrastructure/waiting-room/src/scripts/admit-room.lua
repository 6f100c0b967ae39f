-- One admission step of an item's room, run by whichever process holds the room's lease (taken or renewed here,
-- so a process that lost it admits nothing: the check and the admission are one atomic step).
-- The rate is a token bucket whose state (lastMs, carry) lives in the room hash, on Redis's clock: whoever runs the
-- step, however late, admits at most `rate` per second plus a small burst, across all instances and handovers.
-- KEYS: 1 room hash, 2 queue, 3 tickets, 4 unused admissions, 5 stock counter, 6 lease
-- ARGV: 1 owner, 2 lease ms, 3 token ttl ms, 4 admissions outstanding allowed per unit left, 5 burst ms,
--       6 token seed (random hex), 7 most admitted per step
-- Returns {'LEASED', holder}, {'IDLE'}, {'CLOSED', reason}, or {'ADMITTED', expiresMs, uid1, token1, uid2, ...}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local holder = redis.call('GET', KEYS[6])
if holder and holder ~= ARGV[1] then return {'LEASED', holder} end
redis.call('SET', KEYS[6], ARGV[1], 'PX', ARGV[2])

local cfg = redis.call('HMGET', KEYS[1], 'enabled', 'rate', 'startMs', 'endMs', 'lastMs', 'carry', 'closed')
if cfg[1] ~= '1' then return {'IDLE'} end
local rate, startMs, endMs = tonumber(cfg[2]), tonumber(cfg[3]), tonumber(cfg[4])
local closed = cfg[7] or ''

local function close(reason)
  if closed == reason then return {'IDLE'} end
  redis.call('HSET', KEYS[1], 'closed', reason)
  -- Everyone still waiting is told by the announcement that follows; nobody is left in line for nothing.
  redis.call('DEL', KEYS[2])
  return {'CLOSED', reason}
end

if now >= endMs then return close('ENDED') end
local stock = redis.call('GET', KEYS[5])
if stock then stock = tonumber(stock) end
if stock and stock <= 0 then return close('SOLD_OUT') end
-- Units came back (a failed or timed-out order, a restock): the room takes shoppers again.
if closed ~= '' then redis.call('HSET', KEYS[1], 'closed', '') end
if now < startMs then
  redis.call('HSET', KEYS[1], 'lastMs', startMs, 'carry', 0)
  return {'IDLE'}
end

local last = tonumber(cfg[5]) or startMs
if last < startMs then last = startMs end
if last > now then last = now end
local cap = math.max(1, rate * tonumber(ARGV[5]) / 1000)
local allowance = (tonumber(cfg[6]) or 0) + (now - last) * rate / 1000
if allowance > cap then allowance = cap end
local n = math.floor(allowance)

-- Adapt to the stock: no more admissions outstanding than the units left can serve (times the headroom for those
-- who never buy). Lapsed admissions stop counting.
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
if stock then
  local room = math.ceil(stock * tonumber(ARGV[4])) - redis.call('ZCARD', KEYS[4])
  if room < n then n = math.max(0, room) end
end
if n > tonumber(ARGV[7]) then n = tonumber(ARGV[7]) end

local out = {'ADMITTED', 0}
if n > 0 then
  local members = redis.call('ZRANGE', KEYS[2], 0, n - 1)
  local expires = now + tonumber(ARGV[3])
  out[2] = expires
  for i, uid in ipairs(members) do
    local token = ARGV[6] .. string.format('%04x', i)
    redis.call('HSET', KEYS[3], uid, token .. '|' .. expires .. '|')
    redis.call('ZADD', KEYS[4], expires, uid)
    out[#out + 1] = uid
    out[#out + 1] = token
  end
  if #members > 0 then
    -- In chunks: Lua's unpack takes a few thousand values at most.
    for from = 1, #members, 1000 do
      redis.call('ZREM', KEYS[2], unpack(members, from, math.min(from + 999, #members)))
    end
    redis.call('HINCRBY', KEYS[1], 'admitted', #members)
  end
  allowance = allowance - #members
end
redis.call('HSET', KEYS[1], 'lastMs', now, 'carry', tostring(allowance))
return out
