import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode, type RoomTicket, type WaitingRoom } from '@seckill/contracts';
import { StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { SaleItemRepository, type SaleItemRecord, type SaleWindowRecord } from '@seckill/persistence';
import { RoomStore, toTicket, type RoomState } from '@seckill/waiting-room';
import { RequestLimits } from '../limits/request-limits';
import { SaleCache } from '../sale-items/sale-cache';
import { REJECT } from '../orders/place-order/order-refusals';
import type { WaitingRoomSettingsDto } from './room-settings.dto';

/**
 * The shopper's side of a waiting room (join, ticket) and the admin's (settings). The item's settings come from
 * PostgreSQL through the sale cache; the room's state from Redis (RoomStore). Should Redis have lost a room's
 * settings, they are written back from PostgreSQL on first use, so a room never silently turns into "no room".
 */
@Injectable()
export class RoomService {
  constructor(
    private readonly store: RoomStore,
    private readonly saleCache: SaleCache,
    private readonly items: SaleItemRepository,
    private readonly limits: RequestLimits,
    private readonly broadcast: StockBroadcast,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('WaitingRoom');
  }

  async join(userId: number, itemId: number, clientIp: string): Promise<RoomTicket> {
    const sale = await this.sale(itemId);
    if (Date.now() >= sale.endMs) throw REJECT.ended;
    if (!sale.room.enabled) return this.counted({ seckillGoodId: itemId, status: 'OPEN' });
    await this.limits.order(userId, clientIp);
    const state = await this.redis(itemId, userId, () => this.store.join(itemId, userId), sale);
    if (state.kind === 'NOT_OPEN') {
      throw new DomainError(ErrorCode.SALE_NOT_STARTED, `the waiting room opens at ${new Date(state.opensMs).toISOString()}`);
    }
    return this.counted(this.ticketOf(itemId, state));
  }

  async ticket(userId: number, itemId: number): Promise<RoomTicket> {
    const sale = await this.sale(itemId);
    if (!sale.room.enabled) return { seckillGoodId: itemId, status: 'OPEN' };
    const state = await this.redis(itemId, userId, () => this.store.read(itemId, userId), sale);
    return this.ticketOf(itemId, state);
  }

  /** Spends an admission token on an order request; throws 403 NOT_ADMITTED when it is not valid. */
  async admit(itemId: number, userId: number, token: string | undefined, uuid: string): Promise<void> {
    if (!token) throw REJECT.notAdmitted;
    let ok: boolean;
    try {
      ok = await this.store.useAdmission(itemId, userId, token, uuid);
    } catch (err) {
      this.logger.warn({ err, uuid, seckillGoodId: itemId }, 'could not check the admission token');
      throw REJECT.unavailable;
    }
    if (!ok) {
      metrics.roomAdmissionRefused.inc();
      throw REJECT.notAdmitted;
    }
  }

  async settings(itemId: number): Promise<WaitingRoom> {
    const item = await this.items.find(itemId);
    if (!item) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
    return this.view(item);
  }

  /**
   * PostgreSQL first (the truth), then Redis (what the admitter reads at its next step, so a new rate applies
   * within one step), then every instance re-reads the item (its orders need a token from now on, or no more).
   */
  async configure(itemId: number, dto: WaitingRoomSettingsDto): Promise<WaitingRoom> {
    const item = await this.items.setRoom(itemId, { enabled: dto.enabled, admitPerSecond: dto.admitPerSecond, preQueueSeconds: dto.preQueueSeconds });
    if (!item) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
    try {
      await this.store.configure(itemId, { ...item.room, startMs: item.startTime.getTime(), endMs: item.endTime.getTime() });
    } catch (err) {
      // PostgreSQL has it: order-api's room sync writes it into Redis as soon as Redis answers.
      this.logger.warn({ err, seckillGoodId: itemId }, 'waiting room saved, but Redis could not be told yet');
      throw REJECT.unavailable;
    }
    this.saleCache.invalidate(itemId);
    await this.broadcast.unitsBack(itemId, 'room').catch((err: unknown) => {
      this.logger.warn({ err, seckillGoodId: itemId }, 'could not tell the other instances; their caches expire within SALE_CACHE_TTL_MS');
    });
    this.logger.info({ seckillGoodId: itemId, ...item.room }, 'waiting room set');
    return this.view(item);
  }

  private async view(item: SaleItemRecord): Promise<WaitingRoom> {
    const counts = await this.store.counts(item.id).catch(() => ({ waiting: 0, admitted: 0 }));
    return { seckillGoodId: item.id, ...item.room, waiting: counts.waiting, admitted: counts.admitted };
  }

  private async sale(itemId: number): Promise<SaleWindowRecord> {
    const cached = this.saleCache.get(itemId);
    const sale = cached instanceof Promise ? await cached : cached;
    if (!sale) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
    return sale;
  }

  /** Runs a room read or join; settings missing from Redis are restored from the item and the call made again. */
  private async redis(itemId: number, userId: number, call: () => Promise<RoomState>, sale: SaleWindowRecord): Promise<RoomState> {
    try {
      let state = await call();
      if (state.kind === 'UNCONFIGURED') {
        await this.store.configure(itemId, { ...sale.room, startMs: sale.startMs, endMs: sale.endMs });
        state = await call();
      }
      return state;
    } catch (err) {
      this.logger.warn({ err, userId, seckillGoodId: itemId }, 'waiting room: Redis did not answer');
      throw REJECT.unavailable;
    }
  }

  private ticketOf(itemId: number, state: RoomState): RoomTicket {
    const ticket = toTicket(itemId, state);
    if (ticket) return ticket;
    if (state.kind === 'NONE') throw new DomainError(ErrorCode.NOT_IN_ROOM, 'you are not in this waiting room; join it first');
    // UNCONFIGURED twice in a row (Redis emptied between two calls): the shopper retries.
    throw REJECT.unavailable;
  }

  private counted(ticket: RoomTicket): RoomTicket {
    metrics.roomJoins.inc({ status: ticket.status });
    return ticket;
  }
}
