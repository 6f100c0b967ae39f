import { Module } from '@nestjs/common';
import { WaitingRoomModule as RoomStoreModule } from '@seckill/waiting-room';
import { SaleItemsModule } from '../sale-items/sale-items.module';
import { RoomAdmissionRunner } from './room-admission.runner';
import { AdminRoomController, RoomController } from './room.controller';
import { RoomService } from './room.service';

/** The waiting rooms in order-api: the shopper's and the admin's routes, and this instance's admitter. */
@Module({
  imports: [RoomStoreModule, SaleItemsModule],
  controllers: [RoomController, AdminRoomController],
  providers: [RoomService, RoomAdmissionRunner],
  exports: [RoomService],
})
export class WaitingRoomModule {}
