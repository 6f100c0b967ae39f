import { Module } from '@nestjs/common';
import { OpsController } from './ops.controller';
import { OpsOverviewService } from './ops-overview.service';
import { ParkingLotReplayService } from './parking-lot-replay.service';

@Module({
  controllers: [OpsController],
  providers: [OpsOverviewService, ParkingLotReplayService],
})
export class OpsApiModule {}
