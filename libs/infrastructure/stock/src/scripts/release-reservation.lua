-- A decided request failed: its reservation ends. Idempotent: only the reservation that still belongs to this
-- uuid is released, so releasing twice (redelivery, replay) returns one unit at most, and a newer reservation
-- of the same shopper is never touched.
-- KEYS[1] stock counter   KEYS[2] buyers hash   KEYS[3] request hash
-- ARGV[1] userId   ARGV[2] uuid   ARGV[3] 1 to give the unit back, 0 when the failure never held a real unit
--   (SOLD_OUT: PostgreSQL had none, so the unit Redis handed out was a phantom; giving it back would promise it
--   again to the next shopper, and again, for as long as the flood lasts)
-- Returns 1 when a unit was returned, 0 otherwise.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], 'state', 'RELEASED')
end
if ARGV[3] ~= '1' then
  return 0
end
-- A missing counter means Redis was emptied: it is rebuilt from PostgreSQL, never guessed at here.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
  return 1
end
return 0
