import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { TokenService, VerifiedTokens } from '@seckill/auth';
import { loadConfig } from '@seckill/config';
import type { SaleItemRepository } from '@seckill/persistence';
import { asReal, FakeSaleItems } from '@seckill/testing';
import { SaleCache } from '../../sale-items/sale-cache';
import { ORDER_ROUTE, OrderFastLane } from './order-fast-lane';
import { SoldOutFlags } from './sold-out-flags';

/**
 * The fast lane installed on a real Fastify, with a stand-in for Nest's handler on the order route that counts
 * what reached it: what the lane answers never gets there, what it lets through gets there untouched.
 */
async function world() {
  const config = loadConfig({});
  const items = new FakeSaleItems();
  const tokens = new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS);
  const flags = new SoldOutFlags(60_000);
  const saleCache = new SaleCache(asReal<SaleItemRepository>(items), config);
  const fastify: FastifyInstance = Fastify();
  new OrderFastLane(saleCache, flags, new VerifiedTokens(tokens, 100)).install(fastify);
  const reached: unknown[] = [];
  fastify.post(ORDER_ROUTE.url, async (req, reply) => {
    reached.push(req.body);
    return reply.status(299).send({ handler: true });
  });
  fastify.post('/api/other', async (_req, reply) => reply.status(299).send({ handler: true }));
  await fastify.ready();
  const shopper = `Bearer ${tokens.issue({ id: 7, username: 'alice', role: 'shopper' }).accessToken}`;
  /** null: no Authorization header at all. */
  const order = (body: unknown, authorization: string | null = shopper, url: string = ORDER_ROUTE.url) =>
    fastify.inject({ method: 'POST', url, payload: body as object, headers: authorization === null ? {} : { authorization } });
  /** Puts the item's window in memory, as any earlier request for it would have. */
  const warm = async (id: number) => {
    await saleCache.get(id);
  };
  return { fastify, items, flags, order, warm, reached, saleCache };
}

describe('OrderFastLane', () => {
  const worlds: FastifyInstance[] = [];
  after(() => Promise.all(worlds.map((f) => f.close())));

  it('answers sold out, not started, ended and unknown from memory with the contract\'s bodies, before the handler', async () => {
    const w = await world();
    worlds.push(w.fastify);
    const soldOut = w.items.add({ stock: 0 });
    const upcoming = w.items.add({ startTime: new Date(Date.now() + 60_000) });
    const over = w.items.add({ startTime: new Date(Date.now() - 120_000), endTime: new Date(Date.now() - 60_000) });
    for (const id of [soldOut.id, upcoming.id, over.id, 999]) await w.warm(id);
    w.flags.markSoldOut(soldOut.id, w.flags.generation(soldOut.id));
    const answers = await Promise.all([soldOut.id, upcoming.id, over.id, 999].map((id) => w.order({ seckillGoodId: id })));
    assert.deepEqual(
      answers.map((a) => [a.statusCode, a.json()]),
      [
        [409, { statusCode: 409, code: 'SOLD_OUT', message: 'sold out' }],
        [403, { statusCode: 403, code: 'SALE_NOT_STARTED', message: 'the sale has not started yet' }],
        [403, { statusCode: 403, code: 'SALE_ENDED', message: 'the sale has ended' }],
        [404, { statusCode: 404, code: 'GOOD_NOT_FOUND', message: 'no sale item 999' }],
      ],
    );
    assert.equal(answers[0]?.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(w.reached, []);
  });

  it('keeps the route\'s precedence: no token and bad bodies go on to the guard and the pipe; a bad token is 401 here', async () => {
    const w = await world();
    worlds.push(w.fastify);
    const soldOut = w.items.add({ stock: 0 });
    await w.warm(soldOut.id);
    w.flags.markSoldOut(soldOut.id, w.flags.generation(soldOut.id));
    const noToken = await w.order({ seckillGoodId: soldOut.id }, null);
    const otherScheme = await w.order({ seckillGoodId: soldOut.id }, 'Basic YWxpY2U6eA==');
    const badBody = await w.order({ seckillGoodId: soldOut.id, price: 0 });
    const badToken = await w.order({ seckillGoodId: soldOut.id }, 'Bearer not.a.jwt');
    assert.deepEqual([noToken.statusCode, otherScheme.statusCode, badBody.statusCode], [299, 299, 299]);
    assert.deepEqual([badToken.statusCode, badToken.json()], [401, { statusCode: 401, code: 'UNAUTHORIZED', message: 'invalid or expired token' }]);
    assert.deepEqual(w.reached, [{ seckillGoodId: soldOut.id }, { seckillGoodId: soldOut.id }, { seckillGoodId: soldOut.id, price: 0 }]);
  });

  it('lets through what only Redis can answer, an item not in memory yet (starting its load), and other routes', async () => {
    const w = await world();
    worlds.push(w.fastify);
    const live = w.items.add({ stock: 5 });
    const cold = w.items.add({ stock: 0 });
    await w.warm(live.id);
    const answers = await Promise.all([w.order({ seckillGoodId: live.id }), w.order({ seckillGoodId: cold.id }), w.order({ seckillGoodId: 1 }, 'Bearer x', '/api/other')]);
    assert.deepEqual(answers.map((a) => a.statusCode), [299, 299, 299]);
    assert.equal(await w.saleCache.get(cold.id) !== null, true, 'the cold item\'s window was loaded meanwhile');
    w.flags.markSoldOut(cold.id, w.flags.generation(cold.id));
    assert.equal((await w.order({ seckillGoodId: cold.id })).statusCode, 409, 'and is answered from memory from then on');
  });
});
