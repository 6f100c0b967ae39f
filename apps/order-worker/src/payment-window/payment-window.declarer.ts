import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { ConfirmedPublisher, declarePaymentWindow } from '@seckill/messaging';

const REFRESH_MS = 3600_000;

/**
 * Declares the payment-window queue for the configured window (see paymentWindowQueue) on every connect,
 * and again every hour: a declaration counts as use, so the broker never expires a queue still in service.
 */
@Injectable()
export class PaymentWindowDeclarer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly setup: (channel: ConfirmChannel) => Promise<void>;

  constructor(
    private readonly publisher: ConfirmedPublisher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.setup = (channel) => declarePaymentWindow(channel, config.PAYMENT_WINDOW_SECONDS);
  }

  private declared?: Promise<void>;

  /** The pending-orders consumer waits for this: no order may be created before its window queue exists. */
  ensureDeclared(): Promise<void> {
    this.declared ??= this.publisher.declare(this.setup);
    return this.declared;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureDeclared();
    this.timer = setInterval(() => void this.publisher.declare(this.setup).catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
