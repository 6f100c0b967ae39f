import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LIVE_ORDER_STATUSES } from '@seckill/contracts';
import type { LiveBuyerRecord, NewSaleItem, RoomItemRecord, RoomSettingsRecord, SaleItemRecord, SaleOpsRecord, SaleWindowRecord, StockSnapshot } from './records';
import { returnedRow, type Sql } from './sql';

interface SaleItemRow {
  id: number;
  name: string;
  price: string;
  seckill_price: string;
  stock_total: number;
  stock_left: number;
  start_time: Date;
  end_time: Date;
  room_enabled: boolean;
  room_admit_per_second: number;
  room_pre_queue_seconds: number;
}

const COLUMNS = `id, name, price, seckill_price, stock_total, stock_left, start_time, end_time, room_enabled, room_admit_per_second, room_pre_queue_seconds`;

function toRecord(r: SaleItemRow): SaleItemRecord {
  return {
    id: r.id,
    name: r.name,
    price: r.price,
    seckillPrice: r.seckill_price,
    stockTotal: r.stock_total,
    stockLeft: r.stock_left,
    startTime: r.start_time,
    endTime: r.end_time,
    room: { enabled: r.room_enabled, admitPerSecond: r.room_admit_per_second, preQueueSeconds: r.room_pre_queue_seconds },
  };
}

/** The item's row lock, held while a missing Redis counter is loaded or the item held (StockSync). */
export interface LoadLock {
  stockLeft: number;
  /** Its stock was loaded into Redis before: a counter missing now was lost, not never loaded. */
  loadedBefore: boolean;
  liveBuyers(): Promise<LiveBuyerRecord[]>;
  markLoaded(): Promise<void>;
}

/** Sale items (table seckill_goods): the catalogue, the sale windows, and the stock as PostgreSQL has it. */
@Injectable()
export class SaleItemRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(limit = 200): Promise<SaleItemRecord[]> {
    const rows: SaleItemRow[] = await this.db.query(`SELECT ${COLUMNS} FROM seckill_goods ORDER BY start_time DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toRecord);
  }

  async find(id: number): Promise<SaleItemRecord | null> {
    const [row]: SaleItemRow[] = await this.db.query(`SELECT ${COLUMNS} FROM seckill_goods WHERE id = $1`, [id]);
    return row ? toRecord(row) : null;
  }

  async window(id: number): Promise<SaleWindowRecord | null> {
    const [row]: SaleItemRow[] = await this.db.query(`SELECT ${COLUMNS} FROM seckill_goods WHERE id = $1`, [id]);
    return row ? { id: row.id, startMs: row.start_time.getTime(), endMs: row.end_time.getTime(), room: toRecord(row).room } : null;
  }

  async create(item: NewSaleItem): Promise<SaleItemRecord> {
    const rows: SaleItemRow[] = await this.db.query(
      `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time, room_enabled, room_admit_per_second, room_pre_queue_seconds)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, coalesce($8, 100), coalesce($9, 0)) RETURNING ${COLUMNS}`,
      [item.name, item.price, item.seckillPrice, item.stock, item.startTime, item.endTime, item.room !== undefined, item.room?.admitPerSecond ?? null, item.room?.preQueueSeconds ?? null],
    );
    return toRecord(returnedRow(rows, 'INSERT INTO seckill_goods'));
  }

  /** Adds units to the total and to what is left; false for an unknown item. */
  async addStock(id: number, delta: number): Promise<boolean> {
    const rows: { id: number }[] = await this.db.query(
      `WITH added AS (
         UPDATE seckill_goods SET stock_total = stock_total + $2, stock_left = stock_left + $2 WHERE id = $1 RETURNING id
       )
       SELECT id FROM added`,
      [id, delta],
    );
    return rows.length > 0;
  }

  /** Sets an item's waiting room; null for an unknown item. */
  async setRoom(id: number, room: RoomSettingsRecord): Promise<SaleItemRecord | null> {
    const rows: SaleItemRow[] = await this.db.query(
      // Through a CTE: TypeORM hands an UPDATE … RETURNING back as [rows, count], a SELECT as rows.
      `WITH updated AS (
         UPDATE seckill_goods SET room_enabled = $2, room_admit_per_second = $3, room_pre_queue_seconds = $4, room_updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}
       )
       SELECT * FROM updated`,
      [id, room.enabled, room.admitPerSecond, room.preQueueSeconds],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * The rooms whose settings order-api keeps in Redis: on, or changed within the hour (a switched-off room's "off"
   * is re-written too, in case its own write was lost or overtaken); not ended more than a minute ago (an ended room
   * is closed, and its waiting shoppers told, once); opening within a day.
   */
  async roomItems(): Promise<RoomItemRecord[]> {
    const rows: SaleItemRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM seckill_goods
        WHERE (room_enabled OR room_updated_at > now() - interval '1 hour')
          AND end_time > now() - interval '1 minute' AND start_time - make_interval(secs => room_pre_queue_seconds) < now() + interval '1 day'
        ORDER BY id LIMIT 1000`,
    );
    return rows.map((r) => ({ id: r.id, startMs: r.start_time.getTime(), endMs: r.end_time.getTime(), ...toRecord(r).room }));
  }

  /** Items on sale now (or within the hour): the ones whose Redis state matters. */
  async liveIds(): Promise<number[]> {
    const rows: { id: number }[] = await this.db.query(`SELECT id FROM seckill_goods WHERE end_time > now() AND start_time < now() + interval '1 hour' ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** Units left, live buyers and decided requests, read in one REPEATABLE READ transaction (one instant). */
  snapshot(id: number): Promise<StockSnapshot | null> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const [item]: { stock_left: number }[] = await tx.query(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [id]);
      if (!item) return null;
      const live = await liveBuyers(tx, id);
      const decided: { uuid: string }[] = await tx.query(`SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [id]);
      return { stockLeft: item.stock_left, live, decided: decided.map((d) => d.uuid) };
    });
  }

  /**
   * Runs `fn` holding the item's row lock (null for an unknown item), so concurrent loaders of one item take
   * turns. `markLoaded` records, inside the same transaction, that the item's stock is in Redis.
   */
  withLoadLock<T>(id: number, fn: (lock: LoadLock | null) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const [row]: { stock_left: number; stock_loaded_at: Date | null }[] = await tx.query(
        `SELECT stock_left, stock_loaded_at FROM seckill_goods WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) return fn(null);
      return fn({
        stockLeft: row.stock_left,
        loadedBefore: row.stock_loaded_at !== null,
        liveBuyers: () => liveBuyers(tx, id),
        markLoaded: async () => {
          await tx.query(`UPDATE seckill_goods SET stock_loaded_at = now() WHERE id = $1`, [id]);
        },
      });
    });
  }

  /** What the ops console shows per item: items of the last day, with their orders and requests by status. */
  async opsSummary(limit = 50): Promise<SaleOpsRecord[]> {
    const rows: (SaleItemRow & { orders: SaleOpsRecord['orders'] | null; requests: SaleOpsRecord['requests'] | null })[] = await this.db.query(
      `SELECT g.id, g.name, g.stock_total, g.stock_left, g.start_time, g.end_time, g.room_enabled, g.room_admit_per_second, g.room_pre_queue_seconds,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM orders WHERE seckill_good_id = g.id GROUP BY status) o) AS orders,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM order_requests WHERE seckill_good_id = g.id GROUP BY status) r) AS requests
         FROM seckill_goods g
        WHERE g.end_time > now() - interval '1 day'
        ORDER BY g.start_time DESC, g.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      stockTotal: r.stock_total,
      stockLeft: r.stock_left,
      startTime: r.start_time,
      endTime: r.end_time,
      orders: r.orders ?? {},
      requests: r.requests ?? {},
      room: toRecord(r).room,
    }));
  }
}

async function liveBuyers(sql: Sql, itemId: number): Promise<LiveBuyerRecord[]> {
  const rows: { user_id: string; uuid: string }[] = await sql.query(
    `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status = ANY($2::text[])`,
    [itemId, LIVE_ORDER_STATUSES],
  );
  return rows.map((r) => ({ userId: Number(r.user_id), uuid: r.uuid }));
}
