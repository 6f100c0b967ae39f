-- Hold an item whose counter Redis lost (restarted empty) while it had been loaded before: orders queued before
-- the loss are still in flight, invisible here, and a reload from PostgreSQL alone would promise their units a
-- second time. Held items answer RECOVERING until order-worker has seen every queued order decided and rebuilds
-- the counter (reconcile-stock.lua, mode 'lift').
-- KEYS[1] stock counter   KEYS[2] fence
-- ARGV[1] now (ms)
-- The set of held items lives in another slot (a cluster runs a script on one slot only): StockService adds the
-- item to it before and after this call.
-- Returns 1 when the item is (now or already) held, 0 when the counter exists (nothing was lost after all).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[1], 'NX')
return 1
