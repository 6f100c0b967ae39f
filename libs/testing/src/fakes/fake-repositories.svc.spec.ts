import { randomUUID } from 'node:crypto';
import { fakeRepositories } from './fake-repositories';
import { repositoryContract } from './repository-contract';

// The fakes the svc tests trust, held to the behaviour of the real repositories (run against PostgreSQL in
// repository-contract.int.spec.ts).
repositoryContract('in-memory fakes', async () => {
  const fakes = fakeRepositories();
  return {
    saleItems: fakes.saleItems,
    orders: fakes.orders,
    requests: fakes.requests,
    users: fakes.users,
    async sell({ userId, itemId, payDeadline }) {
      const order = fakes.sell({ userId, seckillGoodId: itemId, uuid: randomUUID(), ...(payDeadline ? { payDeadline } : {}) });
      return { orderNo: order.orderNo, uuid: order.uuid };
    },
    async fail({ userId, itemId, reason }) {
      const uuid = randomUUID();
      fakes.requests.recorded.set(uuid, { uuid, userId, seckillGoodId: itemId, status: 'FAIL', reason });
      return uuid;
    },
    async cleanup() {},
  };
});
