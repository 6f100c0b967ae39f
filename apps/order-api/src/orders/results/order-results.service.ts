import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode, RequestStatus, type OrderResult, type OrderView } from '@seckill/contracts';
import { OrderRequestEntity } from '@seckill/persistence';
import { ORDER_ROW_SELECT, toOrderView, type OrderRow } from '@seckill/order-lifecycle';
import { StockService } from '@seckill/stock';

@Injectable()
export class OrderResultsService {
  constructor(
    @InjectRepository(OrderRequestEntity) private readonly outcomes: Repository<OrderRequestEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockService,
  ) {}

  /**
   * The durable outcome if the worker has decided, else QUEUED while Redis knows the request. Another user's
   * uuid is answered exactly like an unknown one, so uuids cannot be probed.
   */
  async result(userId: number, uuid: string): Promise<OrderResult> {
    const decided = await this.outcomes.findOne({ where: { uuid } });
    if (decided) {
      if (Number(decided.userId) !== userId) throw notFound();
      return {
        uuid,
        seckillGoodId: decided.seckillGoodId,
        status: decided.status,
        ...(decided.orderNo ? { orderNo: decided.orderNo } : {}),
        ...(decided.reason ? { reason: decided.reason } : {}),
      };
    }
    const pending = await this.stock.request(uuid);
    if (!pending || pending.userId !== userId || pending.state === 'ABANDONED') throw notFound();
    return { uuid, seckillGoodId: pending.seckillGoodId, status: RequestStatus.QUEUED };
  }

  async myOrders(userId: number): Promise<OrderView[]> {
    const rows: OrderRow[] = await this.db.query(`${ORDER_ROW_SELECT} WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 200`, [userId]);
    return rows.map(toOrderView);
  }
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.REQUEST_NOT_FOUND, 'no such order request');
}
