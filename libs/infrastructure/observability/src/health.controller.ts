import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DependencyMonitor } from './dependencies/dependency-monitor';

export interface HealthEntry {
  status: 'up' | 'down';
  /** false: reported, but the process still does its main work without it. */
  critical?: false;
  /** Why it is down (development and tests only: production keeps raw errors in the log, see MonitorLifecycle). */
  message?: string;
}

/** The shape @nestjs/terminus made familiar (and the project's clients read): up entries in `info`, down in `error`. */
export interface HealthBody {
  status: 'ok' | 'error';
  info: Record<string, HealthEntry>;
  error: Record<string, HealthEntry>;
  details: Record<string, HealthEntry>;
}

/**
 * `/health`: the process runs (liveness). `/health/ready`: it can do its work now (readiness: load balancers
 * and orchestrators route traffic only to ready instances): every critical dependency answers a fresh probe,
 * every consumer is attached to its queue, every subscriber is connected. A non-critical dependency that is
 * down is reported in `error` without making the process unready. Readiness recovers by itself: it is computed
 * anew on every call. (Not @nestjs/terminus: it has no notion of a dependency that is reported but not
 * required, nor of readiness parts that are state rather than a probe.) In production the body names each part
 * and whether it is up, never why it is down: raw driver errors (hosts, ports, users) are for the log, not for
 * anyone who can reach the port.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly showReasons: boolean;

  constructor(
    @Inject(DependencyMonitor) private readonly monitor: DependencyMonitor,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.showReasons = config.NODE_ENV !== 'production';
  }

  @Get()
  live(): HealthBody {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthBody> {
    await this.monitor.probe();
    const details: Record<string, HealthEntry> = {};
    let ready = true;
    for (const [name, s] of this.monitor.all()) {
      details[name] = { status: s.up ? 'up' : 'down', ...(s.critical ? {} : { critical: false as const }), ...this.reason(s.error) };
      if (!s.up && s.critical) ready = false;
    }
    for (const part of this.monitor.readinessParts()) {
      const s = part.state();
      details[part.name] = { status: s.ready ? 'up' : 'down', ...this.reason(s.detail) };
      if (!s.ready) ready = false;
    }
    const pick = (status: HealthEntry['status']) => Object.fromEntries(Object.entries(details).filter(([, e]) => e.status === status));
    if (!ready) void reply.status(503);
    return { status: ready ? 'ok' : 'error', info: pick('up'), error: pick('down'), details };
  }

  private reason(message: string | undefined): { message?: string } {
    return message && this.showReasons ? { message } : {};
  }
}
