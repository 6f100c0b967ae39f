import { Module } from '@nestjs/common';
import { OrderLifecycleModule } from '@seckill/order-lifecycle';
import { AdminSaleItemsController, SaleItemsController } from './sale-items.controller';
import { SaleItemsService } from './sale-items.service';
import { SaleCache } from './sale-cache';

@Module({
  imports: [OrderLifecycleModule],
  controllers: [SaleItemsController, AdminSaleItemsController],
  providers: [SaleItemsService, SaleCache],
  exports: [SaleItemsService, SaleCache],
})
export class SaleItemsModule {}
