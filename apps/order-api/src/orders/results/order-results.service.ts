import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, RequestStatus, type FailReason, type OrderFrame, type OrderResult, type OrderView } from '@seckill/contracts';
import { faultOrigin } from '@seckill/observability';
import { toOrderView } from '@seckill/order-lifecycle';
import { OrderRepository, OrderRequestRepository, type OutcomeRecord } from '@seckill/persistence';
import { StockService } from '@seckill/stock';

@Injectable()
export class OrderResultsService {
  constructor(
    private readonly outcomes: OrderRequestRepository,
    private readonly orders: OrderRepository,
    private readonly stock: StockService,
  ) {}

  /**
   * The durable outcome if the worker has decided, else QUEUED while Redis knows the request. Another user's
   * uuid is answered exactly like an unknown one, so uuids cannot be probed.
   *
   * While PostgreSQL is away the answer comes from Redis: the outcome the notifier stored for the shopper's
   * socket, else the request's record (QUEUED). While Redis is recovering from a lost state, an unknown uuid may
   * be an order still in the queue: that is 503 (ask again), not 404.
   */
  async result(userId: number, uuid: string): Promise<OrderResult> {
    let decided: OutcomeRecord | null;
    try {
      decided = await this.outcomes.outcome(uuid);
    } catch (err) {
      if (!faultOrigin(err)) throw err;
      return this.fromRedis(userId, uuid, err);
    }
    if (decided) {
      if (decided.userId !== userId) throw notFound();
      return {
        uuid,
        seckillGoodId: decided.seckillGoodId,
        status: decided.status,
        ...(decided.status === 'SUCCESS' ? { orderNo: decided.orderNo } : { reason: decided.reason }),
      };
    }
    const pending = await this.stock.request(uuid);
    if (!pending || pending.userId !== userId || pending.state === 'ABANDONED') {
      if (!pending && (await this.stock.recovering())) throw recovering();
      throw notFound();
    }
    return { uuid, seckillGoodId: pending.seckillGoodId, status: RequestStatus.QUEUED };
  }

  async myOrders(userId: number): Promise<OrderView[]> {
    return (await this.orders.listMine(userId, 200)).map(toOrderView);
  }

  private async fromRedis(userId: number, uuid: string, cause: unknown): Promise<OrderResult> {
    const [stored, pending] = await Promise.all([this.stock.storedResult(uuid), this.stock.request(uuid)]);
    if (stored && stored.userId === userId && pending) {
      const frame = JSON.parse(stored.result) as OrderFrame;
      if (frame.type === 'order.result') {
        return {
          uuid,
          seckillGoodId: pending.seckillGoodId,
          status: frame.status,
          ...(frame.status === 'SUCCESS' ? { orderNo: frame.orderNo } : { reason: frame.reason as FailReason }),
        };
      }
    }
    if (pending && pending.userId === userId && pending.state !== 'ABANDONED' && pending.state !== 'RELEASED') {
      return { uuid, seckillGoodId: pending.seckillGoodId, status: RequestStatus.QUEUED };
    }
    // Decided (or unknown) and PostgreSQL, which holds the answer, is away: ask again shortly.
    throw cause;
  }
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.REQUEST_NOT_FOUND, 'no such order request');
}

function recovering(): DomainError {
  return new DomainError(ErrorCode.TRY_AGAIN, 'order requests are being recovered after an outage; retry in a moment');
}
