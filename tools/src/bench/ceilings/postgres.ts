import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import type { World } from '../fixtures';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';

/**
 * Ceiling 4, the baseline the worker is judged against: what every known seckill implementation does per
 * order, on one hot stock row, from several connections at once:
 *   BEGIN; UPDATE seckill_goods SET stock_left = stock_left - 1 WHERE id = $1 AND stock_left > 0;
 *   INSERT INTO orders …; COMMIT
 * Every order is a distinct shopper (the one-live-order index holds), every statement one round trip.
 */
export class PostgresBaseline implements Bench {
  readonly id = 'postgres' as const;
  readonly label = 'PostgreSQL one order per transaction, one hot row';
  readonly method: string;
  private clients: Client[] = [];

  constructor(
    private readonly opts: BenchOptions,
    private readonly world: () => World,
  ) {
    this.method = `BEGIN; conditional UPDATE of one stock row; INSERT INTO orders; COMMIT — ${opts.pgConnections} connections, distinct shoppers`;
  }

  async setup(): Promise<void> {
    for (let i = 0; i < this.opts.pgConnections; i++) {
      const client = new Client({ connectionString: this.world().env.databaseUrl });
      await client.connect();
      this.clients.push(client);
    }
  }

  private async once(durationMs: number): Promise<Sample> {
    const users = this.world().shoppers.users;
    const itemId = await seedSale(this.world().env.databaseUrl, { stock: 10_000_000 });
    let next = 0;
    let orders = 0;
    let refused = 0;
    const cpu = new CpuWindow({ postgres: SERVERS.postgres });
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      this.clients.map(async (client) => {
        while (performance.now() < deadline && next < users.length) {
          const user = users[next++]!;
          await client.query('BEGIN');
          const res = await client.query('UPDATE seckill_goods SET stock_left = stock_left - 1 WHERE id = $1 AND stock_left > 0', [itemId]);
          if (res.rowCount !== 1) {
            refused++;
            await client.query('ROLLBACK');
            continue;
          }
          await client.query(
            `INSERT INTO orders (uuid, user_id, seckill_good_id, amount, status, pay_deadline)
             VALUES ($1, $2, $3, 9.9, 'UNPAID', now() + interval '15 minutes')`,
            [randomUUID(), user.id, itemId],
          );
          await client.query('COMMIT');
          orders++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const usage = cpu.stop();
    if (next >= users.length) log(`  (PostgreSQL baseline ran out of shoppers after ${orders} orders: raise --units)`);
    return { value: orders / seconds, cpu: usage, detail: { orders, refused, seconds, connections: this.clients.length } };
  }

  async warmup(): Promise<void> {
    await this.once(1000);
  }

  async run(): Promise<Sample> {
    const sample = await this.once(this.opts.durationSec * 1000);
    log(`  PostgreSQL one order per transaction: ${Math.round(sample.value)}/s; cpu ${describeCpu(sample.cpu!)}`);
    return sample;
  }

  async teardown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => undefined)));
  }
}
