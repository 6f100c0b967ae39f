-- One shopper's place in an item's waiting room: read it, or join (ARGV[2] = 'join'), in one atomic step, so
-- joining twice, from two tabs at once, keeps one place. The clock is Redis's own: every instance and the admitter
-- agree on it.
-- KEYS: 1 room hash, 2 queue, 3 tickets, 4 unused admissions
-- ARGV: 1 userId, 2 'join' | 'read', 3 place for a pre-queue join (a random number in [0, 1), drawn by the caller)
-- Returns {'UNCONFIGURED'} (no settings in Redis: the caller loads them and asks again), {'OPEN'} (no room),
-- {'NOT_OPEN', opensMs}, {'CLOSED', reason}, {'ADMITTED', token, expiresMs}, {'WAITING', rank, nowMs, rate, startMs}
-- (what the estimate needs, current: a rate changed mid-sale shows in the next answer), {'NONE'}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cfg = redis.call('HMGET', KEYS[1], 'enabled', 'opensMs', 'startMs', 'closed', 'rate')
if not cfg[1] then return {'UNCONFIGURED'} end
if cfg[1] ~= '1' then return {'OPEN'} end
if cfg[4] and cfg[4] ~= '' then return {'CLOSED', cfg[4]} end
local uid = ARGV[1]

local ticket = redis.call('HGET', KEYS[3], uid)
if ticket then
  local token, expires, used = string.match(ticket, '^([^|]*)|([^|]*)|(.*)$')
  -- Reading: an admission spent on an order stays ADMITTED (the shopper had their turn); one that lapsed unused is gone.
  if ARGV[2] ~= 'join' then
    if used ~= '' or tonumber(expires) > now then return {'ADMITTED', token, expires} end
    return {'NONE'}
  end
  -- Joining: a valid, unspent admission is kept. A spent one (its order may have been cancelled or timed out: the
  -- shopper may buy again) or a lapsed one queues the shopper again, at the back.
  if used == '' and tonumber(expires) > now then return {'ADMITTED', token, expires} end
  redis.call('HDEL', KEYS[3], uid)
  redis.call('ZREM', KEYS[4], uid)
end

local rank = redis.call('ZRANK', KEYS[2], uid)
if rank then return {'WAITING', rank, now, cfg[5], cfg[3]} end
if ARGV[2] ~= 'join' then return {'NONE'} end
if now < tonumber(cfg[2]) then return {'NOT_OPEN', cfg[2]} end
-- Within the pre-queue window the place is drawn at random, so arriving earlier in it gives no advantage; after
-- the start, places follow arrival, behind everyone drawn (random places are below 1).
local place
if now < tonumber(cfg[3]) then place = ARGV[3] else place = 1 + redis.call('HINCRBY', KEYS[1], 'seq', 1) end
redis.call('ZADD', KEYS[2], place, uid)
return {'WAITING', redis.call('ZRANK', KEYS[2], uid), now, cfg[5], cfg[3]}
