import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an item's stock was first loaded into Redis. A counter missing later means Redis lost its state, and the
 * orders already queued are invisible to a naive reload: such an item is held until they are decided
 * (docs/reliability.md). Items that exist when this runs were loaded long ago (or will be treated so: holding
 * one for a moment costs a short undersell, reloading one naively could over-promise).
 */
export class StockLoadedAt1764547200000 implements MigrationInterface {
  name = 'StockLoadedAt1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seckill_goods ADD COLUMN stock_loaded_at timestamptz`);
    await q.query(`UPDATE seckill_goods SET stock_loaded_at = created_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seckill_goods DROP COLUMN stock_loaded_at`);
  }
}
