import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Module } from '@nestjs/common';
import { TokenModule } from '@seckill/auth';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@seckill/config';
import { AMQP_CONNECTION, ConfirmedPublisher, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, type RedisClient } from '@seckill/redis';
import { StockModule } from '@seckill/stock';
import { WaitingRoomModule } from '@seckill/waiting-room';
import { RoomSockets } from './room/room-sockets';
import { DurableOutcomes } from './outcomes/durable-outcomes';
import { OrderEventsHandler } from './outcomes/order-events.handler';
import { OutcomeStore } from './outcomes/outcome-store';
import { OrderSocketGateway } from './socket/order-socket.gateway';
import { RedisSubscriberShutdown, redisSubscriberProvider } from './socket/redis-subscriber.provider';
import { SocketRegistry } from './socket/socket-registry';
import { UserSocketSlots } from './socket/user-socket-slots';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('websocket-notifier', {
      inject: [APP_CONFIG, REDIS, AMQP_CONNECTION, ConfirmedPublisher],
      useFactory: (config: AppConfig, redis: RedisClient, amqp: AmqpConnectionManager, publisher: ConfirmedPublisher) => [
        redisCheck(redis),
        rabbitmqCheck(amqp, publisher),
        // Only the safety net reads PostgreSQL (outcomes Redis lost): reported, not required.
        postgresCheck(config.DATABASE_URL, { critical: false, timeoutMs: config.DEPENDENCY_PROBE_TIMEOUT_MS }),
      ],
    }),
    PersistenceModule,
    StockModule,
    WaitingRoomModule,
    MessagingModule.forRoot({ connectionName: 'websocket-notifier' }),
    TokenModule,
  ],
  controllers: [OrderEventsHandler],
  providers: [OutcomeStore, DurableOutcomes, UserSocketSlots, SocketRegistry, RoomSockets, OrderSocketGateway, redisSubscriberProvider, RedisSubscriberShutdown],
})
export class NotifierModule {}
