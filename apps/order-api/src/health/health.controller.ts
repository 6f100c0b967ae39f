import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AMQP_CONNECTION } from '@seckill/messaging';
import { REDIS } from '@seckill/stock';

/** Liveness says the process runs; readiness says every dependency answers (load balancers use this one). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AMQP_CONNECTION) private readonly amqp: AmqpConnectionManager,
  ) {}

  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, string> }> {
    const checks = await checkDependencies(this.db, this.redis, this.amqp);
    const ok = Object.values(checks).every((v) => v === 'up');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}

export async function checkDependencies(db: DataSource, redis: Redis, amqp: AmqpConnectionManager): Promise<Record<string, string>> {
  const within = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref())]);
  const [pg, rd] = await Promise.allSettled([within(db.query('SELECT 1')), within(redis.ping())]);
  return {
    postgres: pg.status === 'fulfilled' ? 'up' : 'down',
    redis: rd.status === 'fulfilled' ? 'up' : 'down',
    rabbitmq: amqp.isConnected() ? 'up' : 'down',
  };
}
