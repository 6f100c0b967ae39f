import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { parseOrderEvents } from '@seckill/contracts';
import { Queue, parseOrPark, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { OutcomeStore } from './outcome-store';

/**
 * Consumes every outcome (one per message, or a decided batch's in one) and status change from
 * seckill.notify.results (one shared durable queue: each event is stored once, by whichever instance takes it)
 * and hands it to the store, which announces it to the instance holding the sockets.
 */
@QueueHandlers()
export class OrderEventsHandler {
  constructor(
    private readonly store: OutcomeStore,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderEvents');
  }

  /** One event, or the outcomes of one batch the worker decided (one message for many uuids): each recorded. */
  @EventPattern(Queue.NOTIFY_RESULTS)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const events = parseOrPark(delivery, parseOrderEvents, this.logger);
    if (events === 'park') return 'park';
    // Together: the store's writes are idempotent per uuid, so a batch that fails part-way comes back whole and
    // records the same fields again.
    await Promise.all(
      events.map(async (event) => {
        await this.store.record(event);
        this.logger.info({ uuid: event.uuid, type: event.type, status: event.status }, 'order event stored and announced');
      }),
    );
    return 'ack';
  }
}
