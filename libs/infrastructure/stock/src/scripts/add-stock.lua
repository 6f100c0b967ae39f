-- Add units mid-sale. KEYS[1] stock counter. ARGV[1] delta. Returns the new counter, or false when missing.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
