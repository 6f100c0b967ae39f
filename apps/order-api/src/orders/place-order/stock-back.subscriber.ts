import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { PinoLogger } from 'nestjs-pino';
import { AMQP_CONNECTION, StockBroadcastListener } from '@seckill/messaging';
import { SaleCache } from '../../goods/sale-cache';
import { SoldOutFlags } from './sold-out-flags';

/** Clears this instance's sold-out flag whenever any process broadcasts that a unit came back. */
@Injectable()
export class StockBackSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listener: StockBroadcastListener;

  constructor(
    @Inject(AMQP_CONNECTION) connection: AmqpConnectionManager,
    flags: SoldOutFlags,
    saleCache: SaleCache,
    logger: PinoLogger,
  ) {
    logger.setContext('StockBack');
    this.listener = new StockBroadcastListener(connection, {
      onStockBack: (m) => {
        flags.clear(m.seckillGoodId);
        if (m.reason === 'restock') saleCache.invalidate(m.seckillGoodId);
        logger.debug({ seckillGoodId: m.seckillGoodId, reason: m.reason }, 'stock back: sold-out flag cleared');
      },
      onResubscribed: () => flags.clearAll(),
      onMalformed: (err) => logger.warn({ err }, 'ignored a malformed stock broadcast'),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.listener.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.listener.stop();
  }
}
