import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { PinoLogger } from 'nestjs-pino';
import { AMQP_CONNECTION, Queue, QueueConsumer } from '@seckill/messaging';
import { OrderFailedHandler } from './order-failed.handler';

@Injectable()
export class OrderFailedConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: QueueConsumer;

  constructor(@Inject(AMQP_CONNECTION) connection: AmqpConnectionManager, handler: OrderFailedHandler, logger: PinoLogger) {
    logger.setContext('OrderFailedConsumer');
    this.consumer = new QueueConsumer(connection, { queue: Queue.FAIL_RELEASE, prefetch: 50, name: 'order-failed', logger }, handler.handle);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.consumer.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.consumer.stop();
  }
}
