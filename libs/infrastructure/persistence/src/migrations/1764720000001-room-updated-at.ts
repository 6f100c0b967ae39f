import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an admin last changed an item's waiting room. order-api re-writes the settings of every room changed within
 * the hour into Redis each second, switched-off ones included: a change whose own Redis write failed, or that a
 * concurrent re-write from an older read overtook, is put right within a second instead of never.
 */
export class RoomUpdatedAt1764720000001 implements MigrationInterface {
  name = 'RoomUpdatedAt1764720000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seckill_goods ADD COLUMN room_updated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seckill_goods DROP COLUMN room_updated_at`);
  }
}
