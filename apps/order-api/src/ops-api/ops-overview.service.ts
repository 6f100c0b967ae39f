import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, rabbitmqVhost, type AppConfig } from '@seckill/config';
import type { OpsOverview, RoomOps, SaleOps } from '@seckill/contracts';
import { ManagementClient, parkingLotName, QUEUES } from '@seckill/messaging';
import { SaleItemRepository, type SaleOpsRecord } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import { RoomStore } from '@seckill/waiting-room';
import { saleStatus } from '../sale-items/sale-item.mapper';

const PARKING_LOTS = new Map(QUEUES.filter((q) => q.parkingLot).map((q) => [parkingLotName(q.name), q.name]));

/** What the ops page shows: PostgreSQL and Redis side by side per sale, and RabbitMQ's queues. */
@Injectable()
export class OpsOverviewService {
  private readonly management: ManagementClient;
  private readonly vhost: string;

  constructor(
    private readonly items: SaleItemRepository,
    private readonly stock: StockService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rooms: RoomStore,
  ) {
    this.management = new ManagementClient(config.RABBITMQ_MANAGEMENT_URL);
    this.vhost = rabbitmqVhost(config.RABBITMQ_URL);
  }

  static sourceOf(parkingLot: string): string | undefined {
    return PARKING_LOTS.get(parkingLot);
  }

  async overview(): Promise<OpsOverview> {
    const rows = await this.items.opsSummary(50);
    const redis = await this.stock.stockLeft(rows.map((r) => r.id));
    const [rooms, rabbit] = await Promise.all([this.roomsOf(rows, redis), this.queues()]);
    return { at: new Date().toISOString(), sales: this.sales(rows, redis), rooms, ...rabbit };
  }

  /** Every item with its room on: who waits, who was let in, at what pace, and what was sold. */
  private async roomsOf(rows: SaleOpsRecord[], redis: (number | null)[]): Promise<RoomOps[]> {
    const now = Date.now();
    const withRoom = rows.map((r, i) => ({ r, left: redis[i] ?? null })).filter(({ r }) => r.room.enabled);
    return Promise.all(
      withRoom.map(async ({ r, left }) => {
        const counts = await this.rooms.counts(r.id);
        const ended = now >= r.endTime.getTime();
        const phase: RoomOps['phase'] = counts.closed || ended ? 'CLOSED' : now < r.startTime.getTime() ? 'PRE_QUEUE' : 'ADMITTING';
        return {
          seckillGoodId: r.id,
          name: r.name,
          ...r.room,
          waiting: counts.waiting,
          admitted: counts.admitted,
          outstanding: counts.outstanding,
          sold: r.stockTotal - r.stockLeft,
          stockLeft: left,
          phase,
        };
      }),
    );
  }

  private sales(rows: SaleOpsRecord[], redis: (number | null)[]): SaleOps[] {
    const now = Date.now();
    return rows.map((r, i) => {
      const left = redis[i] ?? null;
      return {
        id: r.id,
        name: r.name,
        status: saleStatus(now, r.startTime.getTime(), r.endTime.getTime(), left ?? r.stockLeft),
        stockTotal: r.stockTotal,
        db: { stockLeft: r.stockLeft, sold: r.stockTotal - r.stockLeft },
        redis: { stockLeft: left },
        drift: left === null ? null : left - r.stockLeft,
        orders: { UNPAID: 0, PAID: 0, CANCELLED: 0, TIMEOUT: 0, ...r.orders },
        requests: { SUCCESS: 0, FAIL: 0, ...r.requests },
      };
    });
  }

  private async queues(): Promise<Pick<OpsOverview, 'queues' | 'rabbitmq'>> {
    try {
      const queues = await this.management.queues(this.vhost);
      return {
        rabbitmq: { available: true },
        queues: queues
          .filter((q) => q.name.startsWith('seckill.'))
          .map((q) => ({
            name: q.name,
            messages: q.messages ?? 0,
            ready: q.messages_ready ?? 0,
            unacked: q.messages_unacknowledged ?? 0,
            consumers: q.consumers ?? 0,
            publishRate: q.message_stats?.publish_details?.rate ?? 0,
            deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
            ackRate: q.message_stats?.ack_details?.rate ?? 0,
            isParkingLot: PARKING_LOTS.has(q.name),
            source: PARKING_LOTS.get(q.name) ?? null,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    } catch (err) {
      return { queues: [], rabbitmq: { available: false, error: err instanceof Error ? err.message : String(err) } };
    }
  }
}
