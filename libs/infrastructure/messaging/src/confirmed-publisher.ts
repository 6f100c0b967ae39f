import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Options } from 'amqplib';
import { metrics } from '@seckill/observability';
import { guardChannel, reviveWhenClosedAlone, type MessagingLogger } from './channel-guard';
import { declareTopology } from './topology';

export interface PublishMeta {
  /** The order's uuid: set as messageId and header so every hop can log it. */
  uuid?: string;
  headers?: Record<string, unknown>;
  /** Per-message TTL in ms (used for the payment window; one value per queue keeps FIFO expiry). */
  expirationMs?: number;
  /** Properties kept from a message being forwarded (messageId, timestamp, content type). */
  properties?: Pick<Options.Publish, 'messageId' | 'timestamp' | 'contentType'>;
}

export class PublishTimeoutError extends Error {
  override name = 'PublishTimeoutError';
  readonly dependency = 'rabbitmq';
}

const silent: MessagingLogger = { error: () => undefined, warn: () => undefined, info: () => undefined };

/**
 * Persistent publishes that resolve only once the broker has confirmed them. A publish that is not confirmed
 * within `timeoutMs` rejects; note that such a message may still reach the broker later (the library may have
 * sent it already), which is why consumers must be idempotent and order-api uses an abandon/claim handshake.
 */
export class ConfirmedPublisher {
  private readonly channel: ChannelWrapper;
  private channelUp = false;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly defaultTimeoutMs: number,
    logger: MessagingLogger = silent,
  ) {
    this.channel = connection.createChannel({
      name: 'publisher',
      confirm: true,
      setup: async (ch: ConfirmChannel) => {
        guardChannel(ch, 'publisher', logger);
        reviveWhenClosedAlone(connection, ch, () => !this.closed, 'publisher', logger);
        ch.once('close', () => (this.channelUp = false));
        await declareTopology(ch);
      },
    });
    guardChannel(this.channel, 'publisher', logger);
    this.channel.on('connect', () => (this.channelUp = true));
    connection.on('disconnect', () => (this.channelUp = false));
  }

  /** Readiness: a channel is open and set up, so a publish now is sent at once rather than buffered. */
  get usable(): boolean {
    return this.channelUp && this.connection.isConnected();
  }

  publish(exchange: string, routingKey: string, body: unknown, meta: PublishMeta = {}, timeoutMs?: number): Promise<void> {
    return this.publishBytes(exchange, routingKey, Buffer.from(JSON.stringify(body)), meta, timeoutMs);
  }

  async publishBytes(exchange: string, routingKey: string, content: Buffer, meta: PublishMeta = {}, timeoutMs?: number): Promise<void> {
    const headers = { ...(meta.headers ?? {}), ...(meta.uuid ? { 'x-order-uuid': meta.uuid } : {}) };
    const timer = metrics.publishConfirm.startTimer({ exchange });
    try {
      await this.channel.publish(exchange, routingKey, content, {
        persistent: true,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
        ...(meta.uuid ? { messageId: meta.uuid } : {}),
        ...(meta.properties ?? {}),
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
    this.closed = true;
    return this.channel.close();
  }
}
