import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shopper's `order.status` push of a pay, cancel or timeout, written by the statement that changes the
 * order: the push exists exactly when the change committed, and is deleted once RabbitMQ confirmed it
 * (docs/order-lifecycle.md, "The status push is never lost").
 */
export class OrderStatusOutbox1764633600000 implements MigrationInterface {
  name = 'OrderStatusOutbox1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE order_status_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_no varchar(32) NOT NULL REFERENCES orders(order_no),
        status varchar(16) NOT NULL CHECK (status IN ('PAID', 'CANCELLED', 'TIMEOUT')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_status_outbox`);
  }
}
