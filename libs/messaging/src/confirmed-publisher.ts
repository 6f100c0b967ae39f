import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { metrics } from '@seckill/observability';
import { declareTopology } from './topology';

export interface PublishMeta {
  /** The order's uuid: set as messageId and header so every hop can log it. */
  uuid?: string;
  headers?: Record<string, unknown>;
  /** Per-message TTL in ms (used for the payment window; one value per queue keeps FIFO expiry). */
  expirationMs?: number;
}

export class PublishTimeoutError extends Error {
  override name = 'PublishTimeoutError';
}

/**
 * Persistent publishes that resolve only once the broker has confirmed them. A publish that is not confirmed
 * within `timeoutMs` rejects; note that such a message may still reach the broker later (the library may have
 * sent it already), which is why consumers must be idempotent and order-api uses an abandon/claim handshake.
 */
export class ConfirmedPublisher {
  private readonly channel: ChannelWrapper;

  constructor(
    connection: AmqpConnectionManager,
    private readonly defaultTimeoutMs: number,
  ) {
    this.channel = connection.createChannel({
      name: 'publisher',
      confirm: true,
      setup: (ch: ConfirmChannel) => declareTopology(ch),
    });
  }

  async publish(exchange: string, routingKey: string, body: unknown, meta: PublishMeta = {}, timeoutMs?: number): Promise<void> {
    const headers = { ...(meta.headers ?? {}), ...(meta.uuid ? { 'x-order-uuid': meta.uuid } : {}) };
    const timer = metrics.publishConfirm.startTimer({ exchange });
    try {
      await this.channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
        ...(meta.uuid ? { messageId: meta.uuid } : {}),
        ...(meta.expirationMs !== undefined ? { expiration: String(meta.expirationMs) } : {}),
        headers,
        timeout: timeoutMs ?? this.defaultTimeoutMs,
      });
      timer();
    } catch (err) {
      if (err instanceof Error && err.message === 'timeout') {
        throw new PublishTimeoutError(`publish to ${exchange}/${routingKey} not confirmed in time`);
      }
      throw err;
    }
  }

  /**
   * Runs a declaration now and after every reconnect (for topology that depends on configuration, such as the
   * payment window). Calling it again with the same function re-runs it (which refreshes a queue's expiry).
   */
  async declare(setup: (channel: ConfirmChannel) => Promise<void>): Promise<void> {
    await this.channel.removeSetup(setup);
    await this.channel.addSetup(setup);
  }

  /** Resolves once the channel is open and the topology declared. */
  waitForConnect(): Promise<void> {
    return this.channel.waitForConnect();
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
