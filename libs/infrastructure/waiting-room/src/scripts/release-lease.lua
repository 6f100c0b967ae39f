-- Gives a room's lease up at shutdown, only if this process still holds it, so another takes over at its next step.
-- KEYS: 1 lease; ARGV: 1 owner
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
