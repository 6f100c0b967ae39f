import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode, type SaleItem } from '@seckill/contracts';
import { StockBroadcast } from '@seckill/messaging';
import { faultOrigin } from '@seckill/observability';
import { StockSync, type LoadOutcome } from '@seckill/order-lifecycle';
import { SaleItemRepository, type SaleItemRecord } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import type { AddStockDto, CreateSaleItemDto } from './dto/create-sale-item.dto';
import { SaleCache } from './sale-cache';
import { toSaleItem } from './sale-item.mapper';

/**
 * How long one answer of the catalogue (with its stock) serves every request of this instance. The shop page
 * polls every 2 s, so a second of lag is below what a shopper could notice; the sold-out and result pushes are
 * what must be immediate, and they do not go through here.
 */
export const CATALOGUE_TTL_MS = 1000;

@Injectable()
export class SaleItemsService {
  private readonly loading = new Map<number, Promise<LoadOutcome>>();
  /**
   * The last answer of list(), and when its query started: every request within CATALOGUE_TTL_MS of that gets
   * the same promise, so however many pages poll, one instance sends PostgreSQL (and Redis) at most one query a
   * second, and the requests arriving during a refresh share it (single flight).
   */
  private shown?: { since: number; answer: Promise<SaleItem[]>; settled: boolean };
  /**
   * The catalogue as PostgreSQL last gave it. While PostgreSQL is away the shop still shows the sale (with live
   * stock from Redis when Redis answers) instead of an error page; it changes rarely and only through this API.
   */
  private lastCatalogue?: SaleItemRecord[];

  constructor(
    private readonly items: SaleItemRepository,
    private readonly stock: StockService,
    private readonly sync: StockSync,
    private readonly saleCache: SaleCache,
    private readonly broadcast: StockBroadcast,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('SaleItemsService');
  }

  /**
   * The catalogue with its stock, at most CATALOGUE_TTL_MS old. The stock from Redis is part of the cached
   * answer rather than read per request: it is one MGET, but on the Redis that runs every reservation of the
   * sale, and thousands of polling pages would each send one a second.
   */
  list(): Promise<SaleItem[]> {
    const now = Date.now();
    // A query slower than the TTL is still shared: a slow PostgreSQL must not get a second one on top.
    if (this.shown && (!this.shown.settled || now - this.shown.since < CATALOGUE_TTL_MS)) return this.shown.answer;
    const answer = this.catalogue().then((items) => this.withStock(items));
    const shown = { since: now, answer, settled: false };
    this.shown = shown;
    // A failure is shared for the rest of the second too (nothing to serve from memory yet): a flood of polls
    // while PostgreSQL is away must not turn into a flood of connection attempts.
    const settle = () => (shown.settled = true);
    answer.then(settle, settle);
    return answer;
  }

  /** An item of the catalogue comes from the cached answer; others (beyond the first 200, unknown) are read. */
  async detail(id: number): Promise<SaleItem> {
    const listed = await this.list().then(
      (all) => all.find((g) => g.id === id),
      () => undefined,
    );
    if (listed) return listed;
    let item: SaleItemRecord | null | undefined;
    try {
      item = await this.items.find(id);
    } catch (err) {
      item = this.fromMemory(err)?.find((g) => g.id === id);
      if (!item) throw err;
    }
    if (!item) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${id}`);
    const [shown] = await this.withStock([item]);
    if (!shown) throw new Error(`withStock lost sale item ${id}`);
    return shown;
  }

  async create(dto: CreateSaleItemDto): Promise<SaleItem> {
    const startTime = new Date(dto.startTime);
    const endTime = new Date(dto.endTime);
    if (endTime.getTime() <= startTime.getTime()) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'endTime must be after startTime');
    }
    const item = await this.items.create({ name: dto.name, price: dto.price, seckillPrice: dto.seckillPrice, stock: dto.stock, startTime, endTime, room: dto.waitingRoom });
    await this.ensureLoaded(item.id);
    this.forgetCatalogue();
    this.logger.info({ seckillGoodId: item.id, stock: dto.stock }, 'sale item created and stock loaded into Redis');
    return toSaleItem(item, item.stockLeft);
  }

  /** Adds units mid-sale: PostgreSQL first (the truth), then Redis, then every instance clears its flag. */
  async addStock(id: number, dto: AddStockDto): Promise<SaleItem> {
    if (!(await this.items.addStock(id, dto.delta))) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${id}`);
    // A missing counter is loaded (or the item held) from PostgreSQL, which already holds the new units.
    if ((await this.stock.add(id, dto.delta)) === null) await this.ensureLoaded(id);
    this.saleCache.invalidate(id);
    this.forgetCatalogue();
    await this.broadcast.unitsBack(id, 'restock');
    this.logger.info({ seckillGoodId: id, delta: dto.delta }, 'stock added');
    return this.detail(id);
  }

  /**
   * Loads an item's counter when Redis has none: the first load of an item, or a hold after Redis lost it
   * (StockSync.ensureLoaded). Every request of the first wave finds the counter missing at once: they share one
   * load per process.
   */
  ensureLoaded(id: number): Promise<LoadOutcome> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.sync.ensureLoaded(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** After a change made through this instance; the others show it within CATALOGUE_TTL_MS. */
  private forgetCatalogue(): void {
    this.lastCatalogue = undefined;
    this.shown = undefined;
  }

  private async catalogue(): Promise<SaleItemRecord[]> {
    try {
      this.lastCatalogue = await this.items.list(200);
      return this.lastCatalogue;
    } catch (err) {
      const cached = this.fromMemory(err);
      if (!cached) throw err;
      return cached;
    }
  }

  /** The last catalogue, when the error is PostgreSQL being away (anything else is rethrown by the caller). */
  private fromMemory(err: unknown): SaleItemRecord[] | undefined {
    if (!faultOrigin(err) || !this.lastCatalogue) return undefined;
    this.logger.warn({ err }, 'PostgreSQL unavailable: serving the sale items from memory');
    return this.lastCatalogue;
  }

  /** Stock left from Redis (what shoppers can still reserve); from PostgreSQL's copy when Redis is away too. */
  private async withStock(items: readonly SaleItemRecord[]): Promise<SaleItem[]> {
    const left = await this.stock.stockLeft(items.map((g) => g.id)).catch((err: unknown) => {
      if (!faultOrigin(err)) throw err;
      return items.map(() => null);
    });
    return items.map((g, i) => toSaleItem(g, left[i] ?? null));
  }
}
