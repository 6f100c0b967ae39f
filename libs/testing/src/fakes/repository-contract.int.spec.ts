import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  OrderBatchRepository,
  OrderRepository,
  OrderRequestRepository,
  SaleItemRepository,
  UserRepository,
  type BatchPlanner,
} from '@seckill/persistence';
import { createTestEnv } from '../test-env';
import { repositoryContract } from './repository-contract';

// The contract the fakes are held to (fake-repositories.svc.spec.ts), run against the real repositories. It
// lives in libs/testing, not beside the repositories: libs/infrastructure/persistence importing @seckill/testing would make the
// build graph circular (testing depends on persistence).
repositoryContract('PostgreSQL', async () => {
  const env = await createTestEnv('repocontract');
  const db = new DataSource(dataSourceOptions(env.databaseUrl, 4));
  await db.initialize();
  const batches = new OrderBatchRepository(db, 900);
  /** The worker's own write path: one batch transaction deciding one candidate as told. */
  const decide = async (decision: 'SUCCESS' | { reason: 'SOLD_OUT' | 'ALREADY_ORDERED' | 'SALE_ENDED' | 'INTERNAL' }, userId: number, itemId: number) => {
    const uuid = randomUUID();
    const plan: BatchPlanner<{ uuid: string; userId: number; seckillGoodId: number }> = (cands, items) => ({
      decisions: cands.map((c) =>
        decision === 'SUCCESS' ? { ...c, status: 'SUCCESS', amount: items.get(itemId)!.seckillPrice } : { ...c, status: 'FAIL', reason: decision.reason },
      ),
      decrements: new Map(decision === 'SUCCESS' ? [[itemId, 1]] : []),
    });
    const { decided } = await batches.decideAndRecord([{ uuid, userId, seckillGoodId: itemId }], plan);
    return decided[0]!;
  };
  return {
    saleItems: new SaleItemRepository(db),
    orders: new OrderRepository(db),
    requests: new OrderRequestRepository(db),
    users: new UserRepository(db),
    async sell({ userId, itemId, payDeadline }) {
      const sold = await decide('SUCCESS', userId, itemId);
      if (sold.status !== 'SUCCESS') throw new Error(`not sold: ${JSON.stringify(sold)}`);
      // The payment window is the repository's setting; a test that needs another deadline sets it afterwards.
      if (payDeadline) await db.query(`UPDATE orders SET pay_deadline = $2 WHERE uuid = $1`, [sold.uuid, payDeadline]);
      return { orderNo: sold.orderNo, uuid: sold.uuid };
    },
    async fail({ userId, itemId, reason }) {
      return (await decide({ reason }, userId, itemId)).uuid;
    },
    async cleanup() {
      await db.destroy();
      await env.cleanup();
    },
  };
});
