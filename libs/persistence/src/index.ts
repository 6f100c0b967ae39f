export { PersistenceModule } from './persistence.module';
export { dataSourceOptions, driverTimeouts, ensureDatabase, dropDatabase, migrate, ENTITIES, DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './data-source';
export { UserEntity, type UserRole } from './entities/user.entity';
export { SeckillGoodEntity } from './entities/seckill-good.entity';
export { OrderEntity } from './entities/order.entity';
export { OrderRequestEntity } from './entities/order-request.entity';
export { postgresCheck } from './postgres.check';
