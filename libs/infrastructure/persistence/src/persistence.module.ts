import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { dataSourceOptions } from './data-source';
import { OrderBatchRepository, PAYMENT_WINDOW } from './repositories/order-batches.repository';
import { OrderRequestRepository } from './repositories/order-requests.repository';
import { OrderRepository } from './repositories/orders.repository';
import { SaleItemRepository } from './repositories/sale-items.repository';
import { UserRepository } from './repositories/users.repository';

const REPOSITORIES = [SaleItemRepository, OrderRepository, OrderRequestRepository, OrderBatchRepository, UserRepository];

/**
 * PostgreSQL: the connection pool (TypeORM, for its pool, transactions and migrations) and the repositories,
 * which are the only code that holds SQL. One access style throughout: parameterised statements, plain records.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        dataSourceOptions(config.DATABASE_URL, 10, { connectMs: config.DB_CONNECT_TIMEOUT_MS, statementMs: config.DB_STATEMENT_TIMEOUT_MS }),
    }),
  ],
  providers: [...REPOSITORIES, { provide: PAYMENT_WINDOW, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.PAYMENT_WINDOW_SECONDS }],
  exports: REPOSITORIES,
})
export class PersistenceModule {}
