import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryOf, locationOf, summariseProfile, type CpuProfile } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0 });

/** Five samples 1 ms apart: idle, GC, fastify twice, the app's service; the window cuts off the last. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 6, 5] },
    { id: 6, callFrame: frame('runPreParsing', 'file:///repo/node_modules/fastify/lib/route.js', 600), children: [7] },
    { id: 7, callFrame: frame('bind', 'node:async_hooks', 230), children: [4] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('routeHandler', 'file:///repo/node_modules/fastify/lib/route.js', 9) },
    { id: 5, callFrame: frame('place', 'file:///repo/dist/apps/order-api/src/orders/place-order/place-order.service.js', 41) },
  ],
  startTime: 1_000_000,
  endTime: 1_005_000,
  samples: [2, 3, 4, 4, 5],
  timeDeltas: [1000, 1000, 1000, 1000, 1000],
};

describe('summariseProfile', () => {
  it('adds self time per function, idle excluded from the busy share', () => {
    const s = summariseProfile(profile);
    assert.equal(s.samples, 5);
    assert.equal(s.windowMs, 5);
    assert.equal(s.busyMs, 4);
    assert.deepEqual(
      s.functions.map((f) => [f.name, f.location, f.ms, f.busyPct]),
      [
        ['routeHandler', 'fastify/lib/route.js:10', 2, 50],
        ['(garbage collector)', '', 1, 25],
        ['place', 'apps/order-api/src/orders/place-order/place-order.service.js:42', 1, 25],
      ],
    );
    assert.deepEqual(
      s.categories.map((c) => [c.name, c.busyPct]),
      [
        ['fastify', 50],
        ['(garbage collector)', 25],
        ['app order-api', 25],
      ],
    );
  });

  it('adds inclusive time per package: every busy sample with that package anywhere on its stack', () => {
    const s = summariseProfile(profile);
    const incl = new Map(s.inclusive.map((c) => [c.name, c.busyPct]));
    assert.equal(incl.get('fastify'), 50); // routeHandler under runPreParsing: counted once per sample
    assert.equal(incl.get('node core'), 50);
    assert.equal(incl.get('app order-api'), 25);
    assert.equal(incl.has('(idle)'), false);
  });

  it('names the heaviest caller chain of a function, skipping Node internals', () => {
    const s = summariseProfile(profile);
    assert.equal(s.functions[0]!.via, 'runPreParsing (fastify)');
    assert.equal(s.functions[1]!.via, undefined);
  });

  it('keeps only the samples inside the window (profile and process.hrtime share the monotonic clock)', () => {
    const s = summariseProfile(profile, { fromUs: 1_002_000, toUs: 1_004_000 });
    assert.equal(s.samples, 3);
    assert.deepEqual(s.functions.map((f) => f.name), ['routeHandler', '(garbage collector)']);
  });
});

describe('categories and locations', () => {
  it('names packages (scoped too), the repository parts, node core and V8', () => {
    assert.equal(categoryOf(frame('x', 'file:///r/node_modules/@nestjs/core/router/router-proxy.js')), '@nestjs/core');
    assert.equal(categoryOf(frame('x', 'file:///r/node_modules/a/node_modules/pino/lib/proto.js')), 'pino');
    assert.equal(categoryOf(frame('x', 'file:///r/dist/libs/infrastructure/stock/src/stock.service.js')), 'lib stock');
    assert.equal(categoryOf(frame('writev', 'node:internal/stream_base_commons')), 'node core');
    assert.equal(categoryOf(frame('stringify')), 'V8 builtins / native');
    assert.equal(categoryOf(frame('(program)')), '(program)');
    assert.equal(locationOf(frame('x', 'file:///r/node_modules/@nestjs/core/router/router-proxy.js', 4)), '@nestjs/core/router/router-proxy.js:5');
  });
});
