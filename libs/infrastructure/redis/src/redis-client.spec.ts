import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterNodesOf, createRedisClient, isCluster, redisTargetOf } from './redis-client';

describe('the Redis target', () => {
  it('reads the seed nodes of a cluster, spaces and all', () => {
    assert.deepEqual(clusterNodesOf('10.0.0.1:7000, redis-b:7001 ,redis-c.example:7002'), [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: 'redis-c.example', port: 7002 },
    ]);
  });

  it('is one node without REDIS_CLUSTER_NODES and a cluster client with it (nothing connects until used)', () => {
    const one = createRedisClient(redisTargetOf({ REDIS_URL: 'redis://127.0.0.1:1' }), 'unit-one');
    const many = createRedisClient(redisTargetOf({ REDIS_URL: 'redis://:secret@127.0.0.1:1', REDIS_CLUSTER_NODES: '127.0.0.1:2,127.0.0.1:3' }), 'unit-many');
    try {
      assert.equal(isCluster(one), false);
      assert.equal(isCluster(many), true);
      // The cluster's nodes take REDIS_URL's credentials.
      assert.equal((many as unknown as { options: { redisOptions: { password?: string } } }).options.redisOptions.password, 'secret');
    } finally {
      one.disconnect();
      many.disconnect();
    }
  });
});
