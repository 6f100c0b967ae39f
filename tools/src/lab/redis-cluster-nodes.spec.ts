import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterProblem, masterOfSlot, parseClusterNodes, parseInfo, replicasOf } from './redis-cluster-nodes';

// Captured from the lab (redis-server 7.0) right after `redis-cli --cluster create … --cluster-replicas 1`.
const HEALTHY = `
e1f3a0d6c2b3a9e1b0f2c3d4e5f6a7b8c9d0e1f2 10.77.0.24:6379@16379 slave 7c0e9f6c4f7d3b2a1e0f9d8c7b6a5f4e3d2c1b0a 0 1733300000000 3 connected
7c0e9f6c4f7d3b2a1e0f9d8c7b6a5f4e3d2c1b0a 10.77.0.23:6379@16379 master - 0 1733300000500 3 connected 10923-16383
1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b 10.77.0.21:6379@16379 myself,master - 0 1733300000000 1 connected 0-5460
2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c 10.77.0.22:6379@16379 master - 0 1733300000300 2 connected 5461-10922
3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d 10.77.0.25:6379@16379 slave 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b 0 1733300000100 1 connected
4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e 10.77.0.26:6379@16379 slave 2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c 0 1733300000200 2 connected
`;

// The same cluster after 10.77.0.23 was killed and 10.77.0.24 promoted (one slot still being imported elsewhere).
const FAILED_OVER = `
e1f3a0d6c2b3a9e1b0f2c3d4e5f6a7b8c9d0e1f2 10.77.0.24:6379@16379 master - 0 1733300009000 7 connected 10923-16383
7c0e9f6c4f7d3b2a1e0f9d8c7b6a5f4e3d2c1b0a 10.77.0.23:6379@16379 master,fail - 1733300004000 1733300003000 3 disconnected
1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b 10.77.0.21:6379@16379 myself,master - 0 0 1 connected 0-5460 [5461-<-2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c]
2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c 10.77.0.22:6379@16379,lab-host master - 0 1733300009300 2 connected 5461-10922
3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d 10.77.0.25:6379@16379 slave 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b 0 1733300009100 1 connected
4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e 10.77.0.26:6379@16379 slave 2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c 0 1733300009200 2 connected
`;

const INFO_OK = 'cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:6\r\ncluster_size:3\r\n';

describe('CLUSTER NODES', () => {
  it('reads address, flags, master and slot ranges', () => {
    const nodes = parseClusterNodes(HEALTHY);
    assert.equal(nodes.length, 6);
    const me = nodes.find((n) => n.flags.includes('myself'))!;
    assert.deepEqual([me.address, me.port, me.flags, me.masterId, me.linkState, me.slots], ['10.77.0.21', 6379, ['myself', 'master'], undefined, 'connected', [[0, 5460]]]);
    const replica = nodes.find((n) => n.address === '10.77.0.24')!;
    assert.equal(replica.masterId, '7c0e9f6c4f7d3b2a1e0f9d8c7b6a5f4e3d2c1b0a');
    assert.deepEqual(replica.slots, []);
  });

  it('finds the master of a slot, at the edges of its range too', () => {
    const nodes = parseClusterNodes(HEALTHY);
    assert.equal(masterOfSlot(nodes, 0)?.address, '10.77.0.21');
    assert.equal(masterOfSlot(nodes, 5460)?.address, '10.77.0.21');
    assert.equal(masterOfSlot(nodes, 5461)?.address, '10.77.0.22');
    assert.equal(masterOfSlot(nodes, 11719)?.address, '10.77.0.23');
    assert.deepEqual(replicasOf(nodes, masterOfSlot(nodes, 11719)!.id).map((n) => n.address), ['10.77.0.24']);
  });

  it('after a failover: the failed master serves nothing, the promoted replica does; importing slots are not served', () => {
    const nodes = parseClusterNodes(FAILED_OVER);
    assert.equal(masterOfSlot(nodes, 11719)?.address, '10.77.0.24');
    assert.deepEqual(nodes.find((n) => n.address === '10.77.0.21')!.slots, [[0, 5460]]);
    assert.equal(nodes.find((n) => n.address === '10.77.0.22')!.port, 6379, 'an announced host name after the bus port is not part of the address');
  });

  it('refuses what is not CLUSTER NODES output', () => {
    assert.throws(() => parseClusterNodes('ERR This instance has cluster support disabled'), /not a CLUSTER NODES line/);
  });
});

describe('cluster health', () => {
  it('is healthy when every slot is served, every node known and connected, every master replicated', () => {
    assert.equal(clusterProblem(parseInfo(INFO_OK), parseClusterNodes(HEALTHY), 6), undefined);
  });

  it('names what is wrong', () => {
    assert.match(clusterProblem(parseInfo('cluster_state:fail\r\n'), parseClusterNodes(HEALTHY), 6)!, /cluster_state fail/);
    assert.match(clusterProblem(parseInfo(INFO_OK), parseClusterNodes(FAILED_OVER), 6)!, /failing: 10.77.0.23:6379/);
    assert.match(clusterProblem(parseInfo(INFO_OK), parseClusterNodes(HEALTHY).slice(0, 5), 6)!, /5 of 6 nodes known/);
    const alone = parseClusterNodes(HEALTHY).filter((n) => n.address !== '10.77.0.24');
    assert.match(clusterProblem(parseInfo(INFO_OK), alone, 5)!, /masters without a replica: 10.77.0.23/);
    assert.match(clusterProblem(parseInfo('cluster_state:ok\r\ncluster_slots_ok:16000\r\n'), parseClusterNodes(HEALTHY), 6)!, /16000 of 16384/);
  });

  it('reads INFO sections, skipping their headings', () => {
    assert.deepEqual(parseInfo('# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n\r\n'), { role: 'slave', master_link_status: 'up' });
  });
});
