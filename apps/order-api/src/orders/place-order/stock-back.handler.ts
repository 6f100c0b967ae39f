import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { parseStockBack } from '@seckill/contracts';
import { parseOrPark, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { SaleCache } from '../../sale-items/sale-cache';
import { SoldOutFlags } from './sold-out-flags';

/** The label of this process's own broadcast queue (server-named: there is one per instance). */
export const STOCK_BROADCAST = 'stock-broadcast';

/**
 * Clears this instance's sold-out flag whenever any process broadcasts that a unit came back. Consumed from a
 * queue of this instance alone, bound to the seckill.stock fanout (see consumers.ts); every (re)attach clears
 * all flags, since broadcasts sent while it was away are lost.
 */
@QueueHandlers()
export class StockBackHandler {
  constructor(
    private readonly flags: SoldOutFlags,
    private readonly saleCache: SaleCache,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('StockBack');
  }

  @EventPattern(STOCK_BROADCAST)
  handle(@Payload() delivery: Delivery): Disposition {
    const message = parseOrPark(delivery, parseStockBack, this.logger);
    if (message === 'park') return 'park';
    this.flags.clear(message.seckillGoodId);
    if (message.reason === 'restock' || message.reason === 'room') this.saleCache.invalidate(message.seckillGoodId);
    this.logger.debug({ seckillGoodId: message.seckillGoodId, reason: message.reason }, 'stock back: sold-out flag cleared');
    return 'ack';
  }
}
