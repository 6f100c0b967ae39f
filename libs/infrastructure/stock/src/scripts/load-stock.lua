-- Load a sale item's counter and buyers if (and only if) the counter is missing.
-- KEYS[1] stock counter   KEYS[2] buyers hash
-- ARGV[1] units left   ARGV[2..] pairs of userId, reference of the shopper's live order
-- Returns 1 when loaded, 0 when the counter already existed (another instance won the race).
if redis.call('SETNX', KEYS[1], ARGV[1]) == 0 then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return 1
