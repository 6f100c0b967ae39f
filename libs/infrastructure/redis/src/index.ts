export { RedisModule, REDIS, REDIS_KEY_PREFIX } from './redis.module';
export {
  clusterNodesOf,
  createRedisClient,
  createRedisSubscriber,
  isCluster,
  onChannelMessage,
  publishMessage,
  redisTargetOf,
  scanKeys,
  subscribeChannel,
  unlinkMatching,
  watchConnection,
  type RedisClient,
  type RedisLogger,
  type RedisTarget,
} from './redis-client';
export { redisCheck } from './redis.check';
