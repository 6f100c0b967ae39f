import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** One dependency a process needs to do its work; `check` rejects (or resolves false) when it is down. */
export interface DependencyCheck {
  name: string;
  check(): Promise<unknown>;
}

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');
const CHECK_TIMEOUT_MS = 1000;

/**
 * `/health`: the process runs (liveness). `/health/ready`: every dependency answers within a second
 * (readiness: load balancers and orchestrators route traffic only to ready instances).
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[]) {}

  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, 'up' | 'down'> }> {
    const settled = await Promise.allSettled(this.checks.map((c) => withTimeout(c.check())));
    const checks = Object.fromEntries(
      this.checks.map((c, i) => {
        const s = settled[i]!;
        return [c.name, s.status === 'fulfilled' && s.value !== false ? 'up' : 'down'] as const;
      }),
    );
    const ok = Object.values(checks).every((v) => v === 'up');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref())]);
}
