import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterWhole, underReplicated } from './rabbitmq';

const NODES = ['rabbit@sklab-rmq1', 'rabbit@sklab-rmq2', 'rabbit@sklab-rmq3'];

describe('RabbitMQ cluster state', () => {
  it('is whole when every node runs and nobody sees a partition', () => {
    assert.equal(clusterWhole(NODES.map((name) => ({ name, running: true, partitions: [] })), NODES), undefined);
  });

  it('names nodes that are down or partitioned', () => {
    const views = NODES.map((name, i) => ({ name, running: i !== 0, partitions: i === 1 ? ['rabbit@sklab-rmq1'] : [] }));
    assert.equal(clusterWhole(views, NODES), 'not running: rabbit@sklab-rmq1');
    assert.equal(clusterWhole(views.map((v) => ({ ...v, running: true })), NODES), 'partitions seen by rabbit@sklab-rmq2 (rabbit@sklab-rmq1)');
    assert.equal(clusterWhole(views.slice(1), NODES), 'not running: rabbit@sklab-rmq1');
  });

  it('a node that is not running has no partitions field in the management API', () => {
    const views = NODES.map((name, i) => (i === 0 ? { name, running: false } : { name, running: true, partitions: [] }));
    assert.equal(clusterWhole(views, NODES), 'not running: rabbit@sklab-rmq1');
  });

  it('finds quorum queues with fewer members, or fewer online, than nodes; classic queues do not count', () => {
    const queues = [
      { name: 'a', type: 'quorum', members: NODES, online: NODES },
      { name: 'b', type: 'quorum', members: NODES, online: NODES.slice(1) },
      { name: 'c', type: 'quorum', members: NODES.slice(0, 1), online: NODES.slice(0, 1) },
      { name: 'd', type: 'classic' },
    ];
    assert.deepEqual(underReplicated(queues, 3), ['b (2/3 of 3)', 'c (1/1 of 3)']);
  });
});
