import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An item's waiting room settings live with the item: Redis holds the room's queue and tokens but keeps nothing
 * on disk, and a room that silently switched off after a Redis restart would let the whole flood through.
 */
export class WaitingRoom1764720000000 implements MigrationInterface {
  name = 'WaitingRoom1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE seckill_goods
        ADD COLUMN room_enabled boolean NOT NULL DEFAULT false,
        ADD COLUMN room_admit_per_second integer NOT NULL DEFAULT 100 CHECK (room_admit_per_second BETWEEN 1 AND 100000),
        ADD COLUMN room_pre_queue_seconds integer NOT NULL DEFAULT 0 CHECK (room_pre_queue_seconds BETWEEN 0 AND 86400)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seckill_goods DROP COLUMN room_enabled, DROP COLUMN room_admit_per_second, DROP COLUMN room_pre_queue_seconds`);
  }
}
