-- Hold an item whose counter Redis lost (restarted empty) while it had been loaded before: orders queued before
-- the loss are still in flight, invisible here, and a reload from PostgreSQL alone would promise their units a
-- second time. Held items answer RECOVERING until order-worker has seen every queued order decided and rebuilds
-- the counter (reconcile-stock.lua, mode 'lift').
-- KEYS[1] stock counter   KEYS[2] fence   KEYS[3] the set of held items
-- ARGV[1] seckillGoodId   ARGV[2] now (ms)
-- Returns 1 when the item is (now or already) held, 0 when the counter exists (nothing was lost after all).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'NX')
redis.call('SADD', KEYS[3], ARGV[1])
return 1
