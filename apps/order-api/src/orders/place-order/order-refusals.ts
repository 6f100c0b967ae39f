import { DomainError, ErrorCode } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import type { SaleWindow } from '../../sale-items/sale-cache';
import type { SoldOutFlags } from './sold-out-flags';

/**
 * The answers of the flood, made once: a sale rejects thousands of requests a second with them, and building
 * an Error (its stack trace) per rejection showed in the profile. They carry no request data.
 */
export const REJECT = {
  soldOut: new DomainError(ErrorCode.SOLD_OUT, 'sold out'),
  rateLimited: new DomainError(ErrorCode.RATE_LIMITED, 'too many order requests; slow down'),
  notStarted: new DomainError(ErrorCode.SALE_NOT_STARTED, 'the sale has not started yet'),
  ended: new DomainError(ErrorCode.SALE_ENDED, 'the sale has ended'),
  alreadyOrdered: new DomainError(ErrorCode.ALREADY_ORDERED, 'you already ordered this item'),
  unavailable: new DomainError(ErrorCode.TRY_AGAIN, 'temporarily unavailable; retry'),
  recovering: new DomainError(ErrorCode.TRY_AGAIN, 'this sale is recovering from an outage; retry in a moment'),
  notAdmitted: new DomainError(ErrorCode.NOT_ADMITTED, 'this sale has a waiting room: join it and order with the admission token you are given'),
};

/**
 * What an order for this item is refused with on what this instance's memory already knows — unknown item, sale
 * not started or over, sold out, a waiting room on and no admission token — or undefined when only Redis can tell.
 * The one statement of these rules, used by the fast lane (before Nest's pipeline) and by the order service (for
 * what the fast lane let through).
 */
export function refusalFromMemory(
  sale: SaleWindow | null,
  flags: SoldOutFlags,
  itemId: number,
  admissionToken: string | null | undefined,
  now = Date.now(),
): DomainError | undefined {
  if (!sale) return new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
  if (now < sale.startMs) return REJECT.notStarted;
  if (now >= sale.endMs) return REJECT.ended;
  if (flags.isSoldOut(itemId)) {
    metrics.reservations.inc({ outcome: 'flagged' });
    return REJECT.soldOut;
  }
  if (sale.room.enabled && !admissionToken) {
    metrics.roomAdmissionRefused.inc();
    return REJECT.notAdmitted;
  }
  return undefined;
}
