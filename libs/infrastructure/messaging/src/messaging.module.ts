import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { createAmqpConnection } from './amqp-connection';
import type { MessagingLogger } from './channel-guard';
import { ConfirmedPublisher } from './confirmed-publisher';
import { StockBroadcast } from './stock-broadcast';

export const AMQP_CONNECTION = Symbol('AMQP_CONNECTION');
export const MESSAGING_LOGGER = Symbol('MESSAGING_LOGGER');

class AmqpShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(AMQP_CONNECTION) private readonly connection: AmqpConnectionManager,
    private readonly publisher: ConfirmedPublisher,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
    await this.connection.close();
  }
}

/** One AMQP connection per process and a confirmed publisher on it. */
@Module({})
export class MessagingModule {
  static forRoot(opts: { connectionName: string }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        {
          provide: MESSAGING_LOGGER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): MessagingLogger => createLogger(opts.connectionName, config.LOG_LEVEL).child({ context: 'Messaging' }),
        },
        {
          provide: AMQP_CONNECTION,
          inject: [APP_CONFIG, MESSAGING_LOGGER],
          useFactory: (config: AppConfig, logger: MessagingLogger) =>
            createAmqpConnection({ url: config.RABBITMQ_URL, name: `${opts.connectionName}@${process.pid}`, logger }),
        },
        {
          provide: ConfirmedPublisher,
          inject: [AMQP_CONNECTION, APP_CONFIG, MESSAGING_LOGGER],
          useFactory: async (connection: AmqpConnectionManager, config: AppConfig, logger: MessagingLogger) => {
            const publisher = new ConfirmedPublisher(connection, config.PUBLISH_CONFIRM_TIMEOUT_MS, logger);
            await publisher.waitForConnect();
            return publisher;
          },
        },
        StockBroadcast,
        AmqpShutdown,
      ],
      exports: [AMQP_CONNECTION, ConfirmedPublisher, MESSAGING_LOGGER, StockBroadcast],
    };
  }
}
