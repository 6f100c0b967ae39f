import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@seckill/config';
import { AMQP_CONNECTION, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, StockModule } from '@seckill/stock';
import { AuthModule } from './auth/auth.module';
import { ClientConfigModule } from './client-config/client-config.module';
import { GoodsModule } from './goods/goods.module';
import { ErrorFilter } from './http/error.filter';
import { OpsApiModule } from './ops-api/ops-api.module';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('order-api', {
      inject: [DataSource, REDIS, AMQP_CONNECTION],
      useFactory: (db: DataSource, redis: Redis, amqp: AmqpConnectionManager) => [postgresCheck(db), redisCheck(redis), rabbitmqCheck(amqp)],
    }, { unloggedRoutes: [{ path: 'api/seckill/orders', method: RequestMethod.POST }] }),
    PersistenceModule,
    StockModule,
    MessagingModule.forRoot({ connectionName: 'order-api' }),
    AuthModule,
    GoodsModule,
    OrdersModule,
    ClientConfigModule,
    OpsApiModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: ErrorFilter },
  ],
})
export class AppModule {}
