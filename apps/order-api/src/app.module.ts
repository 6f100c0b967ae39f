import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@seckill/config';
import { MessagingModule } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule } from '@seckill/persistence';
import { StockModule } from '@seckill/stock';
import { AuthModule } from './auth/auth.module';
import { GoodsModule } from './goods/goods.module';
import { HealthController } from './health/health.controller';
import { ErrorFilter } from './http/error.filter';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('order-api'),
    PersistenceModule,
    StockModule,
    MessagingModule.forRoot({ connectionName: 'order-api' }),
    AuthModule,
    GoodsModule,
    OrdersModule,
  ],
  controllers: [HealthController],
  providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
})
export class AppModule {}
