import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The guards that make overselling impossible live here, in the schema, not only in code. */
export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username varchar(64) NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role varchar(16) NOT NULL DEFAULT 'shopper' CHECK (role IN ('shopper', 'admin')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE seckill_goods (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name varchar(200) NOT NULL,
        price numeric(12,2) NOT NULL CHECK (price >= 0),
        seckill_price numeric(12,2) NOT NULL CHECK (seckill_price >= 0),
        stock_total integer NOT NULL CHECK (stock_total >= 0),
        stock_left integer NOT NULL,
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT seckill_goods_stock_left_range CHECK (stock_left >= 0 AND stock_left <= stock_total),
        CONSTRAINT seckill_goods_window CHECK (end_time > start_time)
      )`);
    await q.query(`CREATE SEQUENCE order_no_seq START 1`);
    await q.query(`
      CREATE TABLE orders (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_no varchar(32) NOT NULL UNIQUE
          DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || lpad(nextval('order_no_seq')::text, 10, '0'),
        uuid uuid NOT NULL UNIQUE,
        user_id bigint NOT NULL REFERENCES users(id),
        seckill_good_id integer NOT NULL REFERENCES seckill_goods(id),
        amount numeric(12,2) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('UNPAID', 'PAID', 'CANCELLED', 'TIMEOUT')),
        created_at timestamptz NOT NULL DEFAULT now(),
        pay_deadline timestamptz NOT NULL,
        paid_at timestamptz,
        closed_at timestamptz
      )`);
    // One live order per shopper per item, whatever the code above it does.
    await q.query(`
      CREATE UNIQUE INDEX orders_one_live_per_user_item ON orders (user_id, seckill_good_id)
        WHERE status IN ('UNPAID', 'PAID')`);
    await q.query(`CREATE INDEX orders_user_created ON orders (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX orders_good_status ON orders (seckill_good_id, status)`);
    await q.query(`
      CREATE TABLE order_requests (
        uuid uuid PRIMARY KEY,
        user_id bigint NOT NULL,
        seckill_good_id integer NOT NULL,
        status varchar(8) NOT NULL CHECK (status IN ('SUCCESS', 'FAIL')),
        reason varchar(32),
        order_no varchar(32),
        decided_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'SUCCESS') = (order_no IS NOT NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_requests`);
    await q.query(`DROP TABLE orders`);
    await q.query(`DROP SEQUENCE order_no_seq`);
    await q.query(`DROP TABLE seckill_goods`);
    await q.query(`DROP TABLE users`);
  }
}
