import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@seckill/config';
import { AMQP_CONNECTION, ConfirmedPublisher, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, type RedisClient } from '@seckill/redis';
import { StockModule } from '@seckill/stock';
import { AuthModule } from './auth/auth.module';
import { ClientConfigModule } from './client-config/client-config.module';
import { SaleItemsModule } from './sale-items/sale-items.module';
import { ErrorFilter } from './http/error.filter';
import { LimitsModule } from './limits/limits.module';
import { ShutdownGate } from './http/shutdown-gate';
import { OpsApiModule } from './ops-api/ops-api.module';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot(
      'order-api',
      {
        inject: [APP_CONFIG, REDIS, AMQP_CONNECTION, ConfirmedPublisher],
        useFactory: (config: AppConfig, redis: RedisClient, amqp: AmqpConnectionManager, publisher: ConfirmedPublisher) => [
          // Orders are taken without PostgreSQL (sale windows are cached): it is reported, not required.
          postgresCheck(config.DATABASE_URL, { critical: false, timeoutMs: config.DEPENDENCY_PROBE_TIMEOUT_MS }),
          redisCheck(redis),
          rabbitmqCheck(amqp, publisher),
        ],
      },
      // The flood's routes: the order, and the waiting room's join and polling (every shopper of a drop joins).
      {
        unloggedRoutes: [
          { path: 'api/seckill/orders', method: RequestMethod.POST },
          { path: 'api/seckill/goods/:id/room', method: RequestMethod.POST },
          { path: 'api/seckill/goods/:id/room', method: RequestMethod.GET },
        ],
      },
    ),
    PersistenceModule,
    StockModule,
    MessagingModule.forRoot({ connectionName: 'order-api' }),
    LimitsModule,
    AuthModule,
    SaleItemsModule,
    OrdersModule,
    ClientConfigModule,
    OpsApiModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ErrorFilter }, ShutdownGate],
})
export class AppModule {}
