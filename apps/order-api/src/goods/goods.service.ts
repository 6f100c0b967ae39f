import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource, Repository } from 'typeorm';
import { DomainError, ErrorCode, LIVE_ORDER_STATUSES, MESSAGE_VERSION, type SaleItem, type StockBackMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange } from '@seckill/messaging';
import { SeckillGoodEntity } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import type { AddStockDto, CreateGoodDto } from './dto/create-good.dto';
import { SaleCache } from './sale-cache';
import { toSaleItem } from './sale-item.mapper';

@Injectable()
export class GoodsService {
  private readonly loading = new Map<number, Promise<void>>();

  constructor(
    @InjectRepository(SeckillGoodEntity) private readonly goods: Repository<SeckillGoodEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockService,
    private readonly saleCache: SaleCache,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('GoodsService');
  }

  async list(): Promise<SaleItem[]> {
    const goods = await this.goods.find({ order: { startTime: 'DESC', id: 'DESC' }, take: 200 });
    const left = await this.stock.stockLeft(goods.map((g) => g.id));
    return goods.map((g, i) => toSaleItem(g, left[i] ?? null));
  }

  async detail(id: number): Promise<SaleItem> {
    const good = await this.find(id);
    const [left] = await this.stock.stockLeft([id]);
    return toSaleItem(good, left ?? null);
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
    await this.stock.load(good.id, good.stockLeft, []);
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
    if ((await this.stock.add(id, dto.delta)) === null) await this.ensureLoaded(id);
    this.saleCache.invalidate(id);
    await this.broadcastStockBack(id, 'restock');
    this.logger.info({ seckillGoodId: id, delta: dto.delta }, 'stock added');
    return this.detail(id);
  }

  /**
   * Loads an item's counter and live buyers from PostgreSQL when Redis has none (first use, or Redis restarted
   * empty). In-flight reservations are unknown at that moment, so Redis may briefly promise more than
   * PostgreSQL holds; the worker's conditional decrement still refuses any oversell.
   */
  ensureLoaded(id: number): Promise<void> {
    // Every request of the first wave finds the counter missing at once: they share one load.
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async load(id: number): Promise<void> {
    const good = await this.find(id);
    const buyers: { user_id: string; uuid: string }[] = await this.db.query(
      `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status = ANY($2)`,
      [id, LIVE_ORDER_STATUSES],
    );
    const loaded = await this.stock.load(id, good.stockLeft, buyers.map((b) => ({ userId: Number(b.user_id), uuid: b.uuid })));
    if (loaded) this.logger.warn({ seckillGoodId: id, stockLeft: good.stockLeft, buyers: buyers.length }, 'stock loaded into Redis from PostgreSQL');
  }

  async broadcastStockBack(id: number, reason: StockBackMessage['reason']): Promise<void> {
    const message: StockBackMessage = { version: MESSAGE_VERSION, seckillGoodId: id, reason };
    await this.publisher.publish(Exchange.STOCK, '', message);
  }

  private async find(id: number): Promise<SeckillGoodEntity> {
    const good = await this.goods.findOne({ where: { id } });
    if (!good) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${id}`);
    return good;
  }
}

