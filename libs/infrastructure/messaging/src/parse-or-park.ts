import { MessageFormatError } from '@seckill/contracts';
import type { Delivery } from './delivery';
import type { MessagingLogger } from './channel-guard';

/**
 * Parses a delivery with one of the contracts' parsers. A body that can never be valid (not JSON, unknown
 * version, missing fields) is logged and answered 'park', so the consumer dead-letters it at once instead
 * of retrying it. Any other error propagates (the consumer tells an outage from a failure).
 */
export function parseOrPark<T>(delivery: Delivery, parse: (raw: Buffer) => T, logger: Pick<MessagingLogger, 'error'>): T | 'park' {
  try {
    return parse(delivery.body);
  } catch (err) {
    if (!(err instanceof MessageFormatError)) throw err;
    logger.error({ err: err.message, uuid: delivery.uuid, routingKey: delivery.message.fields.routingKey }, 'unparseable message parked');
    return 'park';
  }
}
