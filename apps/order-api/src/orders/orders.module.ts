import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { OrderLifecycleModule } from '@seckill/order-lifecycle';
import { SaleItemsModule } from '../sale-items/sale-items.module';
import { WaitingRoomModule } from '../waiting-room/waiting-room.module';
import { PayCancelController } from './pay-cancel/pay-cancel.controller';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderService } from './place-order/place-order.service';
import { SoldOutFlags } from './place-order/sold-out-flags';
import { OrderFastLane } from './place-order/order-fast-lane';
import { StockBackHandler } from './place-order/stock-back.handler';
import { OrderResultsController } from './results/order-results.controller';
import { OrderResultsService } from './results/order-results.service';

@Module({
  imports: [SaleItemsModule, OrderLifecycleModule, WaitingRoomModule],
  controllers: [PlaceOrderController, OrderResultsController, PayCancelController, StockBackHandler],
  providers: [
    PlaceOrderService,
    OrderFastLane,
    OrderResultsService,
    { provide: SoldOutFlags, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new SoldOutFlags(c.SOLD_OUT_FLAG_TTL_MS) },
  ],
  exports: [SoldOutFlags, OrderFastLane],
})
export class OrdersModule {}
