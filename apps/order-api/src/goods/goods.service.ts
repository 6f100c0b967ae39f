import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode, MESSAGE_VERSION, type SaleItem, type StockBackMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange } from '@seckill/messaging';
import { faultOrigin } from '@seckill/observability';
import { StockReconciler, type LoadOutcome } from '@seckill/order-lifecycle';
import { SeckillGoodEntity } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import type { AddStockDto, CreateGoodDto } from './dto/create-good.dto';
import { SaleCache } from './sale-cache';
import { toSaleItem } from './sale-item.mapper';

@Injectable()
export class GoodsService {
  private readonly loading = new Map<number, Promise<LoadOutcome>>();
  /**
   * The catalogue as PostgreSQL last gave it. While PostgreSQL is away the shop still shows the sale (with live
   * stock from Redis when Redis answers) instead of an error page; it changes rarely and only through this API.
   */
  private lastCatalogue?: SeckillGoodEntity[];

  constructor(
    @InjectRepository(SeckillGoodEntity) private readonly goods: Repository<SeckillGoodEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockService,
    private readonly reconciler: StockReconciler,
    private readonly saleCache: SaleCache,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('GoodsService');
  }

  async list(): Promise<SaleItem[]> {
    return this.withStock(await this.catalogue());
  }

  async detail(id: number): Promise<SaleItem> {
    let good: SeckillGoodEntity | undefined;
    try {
      good = (await this.goods.findOne({ where: { id } })) ?? undefined;
    } catch (err) {
      good = this.fromMemory(err)?.find((g) => g.id === id);
      if (!good) throw err;
    }
    if (!good) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${id}`);
    return (await this.withStock([good]))[0]!;
  }

  async create(dto: CreateGoodDto): Promise<SaleItem> {
    const startTime = new Date(dto.startTime);
    const endTime = new Date(dto.endTime);
    if (endTime.getTime() <= startTime.getTime()) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'endTime must be after startTime');
    }
    const good = await this.goods.save(
      this.goods.create({ name: dto.name, price: dto.price, seckillPrice: dto.seckillPrice, stockTotal: dto.stock, stockLeft: dto.stock, startTime, endTime }),
    );
    await this.ensureLoaded(good.id);
    this.lastCatalogue = undefined;
    this.logger.info({ seckillGoodId: good.id, stock: dto.stock }, 'sale item created and stock loaded into Redis');
    return toSaleItem(good, good.stockLeft);
  }

  /** Adds units mid-sale: PostgreSQL first (the truth), then Redis, then every instance clears its flag. */
  async addStock(id: number, dto: AddStockDto): Promise<SaleItem> {
    const rows: { id: number }[] = await this.db.query(
      `WITH added AS (
         UPDATE seckill_goods SET stock_total = stock_total + $2, stock_left = stock_left + $2 WHERE id = $1 RETURNING id
       )
       SELECT id FROM added`,
      [id, dto.delta],
    );
    if (rows.length === 0) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${id}`);
    // A missing counter is loaded (or the item held) from PostgreSQL, which already holds the new units.
    if ((await this.stock.add(id, dto.delta)) === null) await this.ensureLoaded(id);
    this.saleCache.invalidate(id);
    this.lastCatalogue = undefined;
    await this.broadcastStockBack(id, 'restock');
    this.logger.info({ seckillGoodId: id, delta: dto.delta }, 'stock added');
    return this.detail(id);
  }

  /**
   * Loads an item's counter when Redis has none: the first load of an item, or a hold after Redis lost it
   * (StockReconciler.ensureLoaded). Every request of the first wave finds the counter missing at once: they
   * share one load per process.
   */
  ensureLoaded(id: number): Promise<LoadOutcome> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.reconciler.ensureLoaded(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  async broadcastStockBack(id: number, reason: StockBackMessage['reason']): Promise<void> {
    const message: StockBackMessage = { version: MESSAGE_VERSION, seckillGoodId: id, reason };
    await this.publisher.publish(Exchange.STOCK, '', message);
  }

  private async catalogue(): Promise<SeckillGoodEntity[]> {
    try {
      this.lastCatalogue = await this.goods.find({ order: { startTime: 'DESC', id: 'DESC' }, take: 200 });
      return this.lastCatalogue;
    } catch (err) {
      const cached = this.fromMemory(err);
      if (!cached) throw err;
      return cached;
    }
  }

  /** The last catalogue, when the error is PostgreSQL being away (anything else is rethrown by the caller). */
  private fromMemory(err: unknown): SeckillGoodEntity[] | undefined {
    if (!faultOrigin(err) || !this.lastCatalogue) return undefined;
    this.logger.warn({ err }, 'PostgreSQL unavailable: serving the sale items from memory');
    return this.lastCatalogue;
  }

  /** Stock left from Redis (what shoppers can still reserve); from PostgreSQL's copy when Redis is away too. */
  private async withStock(goods: readonly SeckillGoodEntity[]): Promise<SaleItem[]> {
    const left = await this.stock.stockLeft(goods.map((g) => g.id)).catch((err: unknown) => {
      if (!faultOrigin(err)) throw err;
      return goods.map(() => null);
    });
    return goods.map((g, i) => toSaleItem(g, left[i] ?? null));
  }
}
