import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { parseStockBack, type StockBackMessage } from '@seckill/contracts';
import { Exchange, declareTopology } from './topology';

export interface StockBroadcastHandlers {
  onStockBack(message: StockBackMessage): void;
  /**
   * Called on every (re)connect: broadcasts sent while this instance was disconnected are gone, so the
   * receiver must assume any unit may have come back.
   */
  onResubscribed(): void;
  onMalformed(err: unknown): void;
}

/**
 * Each order-api instance binds its own exclusive, auto-deleted classic queue to the stock fanout. A lost
 * broadcast only costs a short undersell (flags also expire), so auto-ack is acceptable here and only here.
 */
export class StockBroadcastListener {
  private channel?: ChannelWrapper;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly handlers: StockBroadcastHandlers,
  ) {}

  start(): Promise<void> {
    this.channel = this.connection.createChannel({
      name: 'stock-broadcast',
      confirm: false,
      setup: async (ch: Channel) => {
        await declareTopology(ch);
        const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
        await ch.bindQueue(queue, Exchange.STOCK, '');
        await ch.consume(queue, (msg: ConsumeMessage | null) => this.onMessage(msg), { noAck: true });
        this.handlers.onResubscribed();
      },
    });
    return this.channel.waitForConnect();
  }

  async stop(): Promise<void> {
    await this.channel?.close();
  }

  private onMessage(msg: ConsumeMessage | null): void {
    if (!msg) return;
    try {
      this.handlers.onStockBack(parseStockBack(msg.content));
    } catch (err) {
      this.handlers.onMalformed(err);
    }
  }
}
