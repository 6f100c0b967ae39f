import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode, RequestStatus, type OrderResult, type OrderView } from '@seckill/contracts';
import { OrderRequestEntity } from '@seckill/persistence';
import { StockService } from '@seckill/stock';

interface OrderRow {
  order_no: string;
  seckill_good_id: number;
  name: string;
  amount: string;
  status: OrderView['status'];
  created_at: Date;
  pay_deadline: Date;
  paid_at: Date | null;
  closed_at: Date | null;
}

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
    const rows: OrderRow[] = await this.db.query(
      `SELECT o.order_no, o.seckill_good_id, g.name, o.amount, o.status, o.created_at, o.pay_deadline, o.paid_at, o.closed_at
         FROM orders o JOIN seckill_goods g ON g.id = o.seckill_good_id
        WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT 200`,
      [userId],
    );
    return rows.map(toOrderView);
  }
}

export function toOrderView(r: OrderRow): OrderView {
  return {
    orderNo: r.order_no,
    seckillGoodId: r.seckill_good_id,
    name: r.name,
    amount: Number(r.amount).toFixed(2),
    status: r.status,
    createdAt: r.created_at.toISOString(),
    payDeadline: r.pay_deadline.toISOString(),
    ...(r.paid_at ? { paidAt: r.paid_at.toISOString() } : {}),
    ...(r.closed_at ? { closedAt: r.closed_at.toISOString() } : {}),
  };
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.REQUEST_NOT_FOUND, 'no such order request');
}
