import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@seckill/auth';
import type { OpsOverview, ReplayResult } from '@seckill/contracts';
import { AdminGuard, BearerGuard, CurrentUser } from '../auth/auth.guards';
import { OpsOverviewService } from './ops-overview.service';
import { ParkingLotReplayService } from './parking-lot-replay.service';

/** Data behind the ops page (/ops). Admin only. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(BearerGuard, AdminGuard)
@Controller('api/admin/ops')
export class OpsController {
  constructor(
    private readonly overview: OpsOverviewService,
    private readonly replays: ParkingLotReplayService,
  ) {}

  @Get('overview')
  get(): Promise<OpsOverview> {
    return this.overview.overview();
  }

  @Post('parking-lots/:queue/replay')
  @HttpCode(200)
  replay(@CurrentUser() admin: AuthUser, @Param('queue') queue: string): Promise<ReplayResult> {
    return this.replays.replay(queue, admin.username);
  }
}
