import { Controller, Get, Inject, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AMQP_CONNECTION } from '@seckill/messaging';
import { REDIS } from '@seckill/stock';

@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AMQP_CONNECTION) private readonly amqp: AmqpConnectionManager,
  ) {}

  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, string> }> {
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref())]);
    const [pg, rd] = await Promise.allSettled([within(this.db.query('SELECT 1')), within(this.redis.ping())]);
    const checks = {
      postgres: pg.status === 'fulfilled' ? 'up' : 'down',
      redis: rd.status === 'fulfilled' ? 'up' : 'down',
      rabbitmq: this.amqp.isConnected() ? 'up' : 'down',
    };
    const ok = Object.values(checks).every((v) => v === 'up');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
