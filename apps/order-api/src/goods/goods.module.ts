import { Module } from '@nestjs/common';
import { AdminGoodsController, GoodsController } from './goods.controller';
import { GoodsService } from './goods.service';
import { SaleCache } from './sale-cache';

@Module({
  controllers: [GoodsController, AdminGoodsController],
  providers: [GoodsService, SaleCache],
  exports: [GoodsService, SaleCache],
})
export class GoodsModule {}
