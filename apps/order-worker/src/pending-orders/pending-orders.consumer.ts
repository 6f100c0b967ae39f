import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { AMQP_CONNECTION, BatchConsumer, Queue } from '@seckill/messaging';
import { PaymentWindowDeclarer } from '../payment-window/payment-window.declarer';
import { OrderPlacedHandler } from './order-placed.handler';

/** Consumes seckill.order.pending with manual acks, a bounded prefetch, natural batching and several batches in flight. */
@Injectable()
export class PendingOrdersConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(AMQP_CONNECTION) connection: AmqpConnectionManager,
    @Inject(APP_CONFIG) config: AppConfig,
    handler: OrderPlacedHandler,
    private readonly paymentWindow: PaymentWindowDeclarer,
    logger: PinoLogger,
  ) {
    logger.setContext('PendingOrders');
    this.consumer = new BatchConsumer(
      connection,
      { queue: Queue.PENDING, prefetch: config.WORKER_PREFETCH, name: 'pending-orders', logger },
      { maxBatch: config.WORKER_BATCH_SIZE, maxInFlight: config.WORKER_BATCHES_IN_FLIGHT },
      handler.handleBatch,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.paymentWindow.ensureDeclared();
    await this.consumer.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.consumer.stop();
  }
}
