import type { AppConfig } from '@seckill/config';
import { Exchange, type ConsumerSpec } from '@seckill/messaging';
import { STOCK_BROADCAST } from './orders/place-order/stock-back.handler';
import type { SoldOutFlags } from './orders/place-order/sold-out-flags';

/** The one queue order-api consumes: its own copy of the "stock came back" broadcast. */
export function orderApiConsumers(config: AppConfig, flags: SoldOutFlags): ConsumerSpec[] {
  return [
    {
      source: { kind: 'exclusive', label: STOCK_BROADCAST, exchange: Exchange.STOCK, routingKey: '' },
      prefetch: config.STOCK_BROADCAST_PREFETCH,
      dependencies: ['rabbitmq'],
      maxFailures: config.MAX_DELIVERIES,
      // Broadcasts sent while this instance was disconnected are gone: any unit may have come back.
      onAttached: () => flags.clearAll(),
    },
  ];
}
