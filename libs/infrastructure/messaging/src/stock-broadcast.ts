import { Injectable } from '@nestjs/common';
import { MESSAGE_VERSION, type StockBackMessage } from '@seckill/contracts';
import { ConfirmedPublisher } from './confirmed-publisher';
import { Exchange } from './topology';

/**
 * The one place that tells every order-api instance "a unit of this item came back" (seckill.stock fanout), so
 * each clears its local sold-out flag: a failed order's real unit, a cancel, a timeout, a restock, a repair.
 */
@Injectable()
export class StockBroadcast {
  constructor(private readonly publisher: ConfirmedPublisher) {}

  unitsBack(itemId: number, reason: StockBackMessage['reason'], uuid?: string): Promise<void> {
    const message: StockBackMessage = { version: MESSAGE_VERSION, seckillGoodId: itemId, reason };
    return this.publisher.publish(Exchange.STOCK, '', message, uuid ? { uuid } : {});
  }
}
