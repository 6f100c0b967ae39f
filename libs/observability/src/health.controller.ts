import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
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
 * (readiness: load balancers and orchestrators route traffic only to ready instances). Built on
 * @nestjs/terminus; a failing check answers 503 with terminus' usual body, whichever error filter the app has.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[],
  ) {}

  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.checks.map((c) => () => this.probe(c)));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  private async probe(c: DependencyCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(c.name);
    try {
      const ok = await Promise.race([
        c.check(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref()),
      ]);
      return ok === false ? session.down({ message: 'not connected' }) : session.up();
    } catch (err) {
      return session.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }
}
