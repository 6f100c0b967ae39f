import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createAmqpConnection } from './amqp-connection';
import { ConfirmedPublisher } from './confirmed-publisher';

export const AMQP_CONNECTION = Symbol('AMQP_CONNECTION');

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
          provide: AMQP_CONNECTION,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            createAmqpConnection({ url: config.RABBITMQ_URL, name: `${opts.connectionName}@${process.pid}` }),
        },
        {
          provide: ConfirmedPublisher,
          inject: [AMQP_CONNECTION, APP_CONFIG],
          useFactory: async (connection: AmqpConnectionManager, config: AppConfig) => {
            const publisher = new ConfirmedPublisher(connection, config.PUBLISH_CONFIRM_TIMEOUT_MS);
            await publisher.waitForConnect();
            return publisher;
          },
        },
        AmqpShutdown,
      ],
      exports: [AMQP_CONNECTION, ConfirmedPublisher],
    };
  }
}
