-- Spends a shopper's admission token on one order request. Single use: the first request's uuid is written into
-- the ticket; the same request again (a retry with the same requestId) still passes, any other is refused.
-- KEYS: 1 tickets, 2 unused admissions
-- ARGV: 1 userId, 2 token, 3 request uuid
-- Returns 1 (admitted) or 0.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ticket = redis.call('HGET', KEYS[1], ARGV[1])
if not ticket then return 0 end
local token, expires, used = string.match(ticket, '^([^|]*)|([^|]*)|(.*)$')
if token ~= ARGV[2] then return 0 end
if used == ARGV[3] then return 1 end
if used ~= '' or tonumber(expires) <= now then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], token .. '|' .. expires .. '|' .. ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
