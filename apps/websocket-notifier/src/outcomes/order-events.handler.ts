import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { parseOrderEvent } from '@seckill/contracts';
import { Queue, parseOrPark, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { OutcomeStore } from './outcome-store';

/**
 * Consumes every outcome and status change from seckill.notify.results (one shared durable queue: each event
 * is stored once, by whichever instance takes it) and hands it to the store, which announces it to the
 * instance holding the sockets.
 */
@QueueHandlers()
export class OrderEventsHandler {
  constructor(
    private readonly store: OutcomeStore,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderEvents');
  }

  @EventPattern(Queue.NOTIFY_RESULTS)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const event = parseOrPark(delivery, parseOrderEvent, this.logger);
    if (event === 'park') return 'park';
    await this.store.record(event);
    this.logger.info({ uuid: event.uuid, type: event.type, status: event.status }, 'order event stored and announced');
    return 'ack';
  }
}
