import { Module } from '@nestjs/common';
import { OrderLifecycleModule } from '@seckill/order-lifecycle';
import { AdminGoodsController, GoodsController } from './goods.controller';
import { GoodsService } from './goods.service';
import { SaleCache } from './sale-cache';

@Module({
  imports: [OrderLifecycleModule],
  controllers: [GoodsController, AdminGoodsController],
  providers: [GoodsService, SaleCache],
  exports: [GoodsService, SaleCache],
})
export class GoodsModule {}
