import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE, etcHosts, HOSTS, isLabLink, isLabNamespace, namespaceOf, rabbitNodeOf, vethOf } from './layout';
import { describeLeftovers, isEmpty, parseLinkNames, parseNetnsList } from './netns';

describe('lab layout', () => {
  it('gives every host its own address on the subnet, and names that fit Linux', () => {
    assert.equal(new Set(HOSTS.map((h) => h.address)).size, HOSTS.length);
    assert.ok(HOSTS.every((h) => /^10\.77\.0\.(\d+)$/.test(h.address)));
    for (const h of HOSTS) assert.ok(vethOf(h).length <= 15, vethOf(h));
    assert.equal(HOSTS.filter((h) => h.kind === 'redis').length, 6);
    assert.equal(HOSTS.filter((h) => h.kind === 'rabbitmq').length, 3);
    for (const kind of ['order-api', 'order-worker', 'websocket-notifier'] as const) assert.equal(HOSTS.filter((h) => h.kind === kind).length, 2);
  });

  it('every namespace resolves every other host by its namespace name (Erlang node names)', () => {
    const hosts = etcHosts();
    for (const h of HOSTS) assert.match(hosts, new RegExp(`^${h.address.replace(/\./g, '\\.')} ${namespaceOf(h)}$`, 'm'));
    assert.equal(rabbitNodeOf({ name: 'rmq2' }), 'rabbit@sklab-rmq2');
  });

  it('recognises only its own names as leftovers', () => {
    assert.ok(isLabNamespace('sklab-rmq1'));
    assert.ok(!isLabNamespace('other-ns'));
    assert.ok(isLabLink(BRIDGE) && isLabLink('skl-api1'));
    assert.ok(!isLabLink('eth0') && !isLabLink('docker0'));
  });
});

describe('ip output', () => {
  it('reads namespace names with and without ids', () => {
    assert.deepEqual(parseNetnsList('sklab-api1 (id: 12)\nsklab-pg\n\nother (id: 1)\n'), ['sklab-api1', 'sklab-pg', 'other']);
  });

  it('reads link names from `ip -o link show`, without the peer suffix', () => {
    const text = [
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00',
      '5: sklab0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000',
      '7: skl-rmq1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master sklab0 state UP',
    ].join('\n');
    assert.deepEqual(parseLinkNames(text), ['lo', 'sklab0', 'skl-rmq1']);
  });

  it('describes leftovers, and nothing as empty', () => {
    const none = { namespaces: [], links: [], etc: [], tempDirs: [] };
    assert.ok(isEmpty(none));
    assert.equal(describeLeftovers({ ...none, namespaces: ['sklab-pg'], links: ['sklab0'] }), '1 namespaces (sklab-pg); links sklab0');
  });
});
