import type { OrderView } from '@seckill/contracts';
import { ApiError, NETWORK_ERROR } from '../web-common/http.js';
import { shopApi } from './shop-api.js';

/** Pays an order; on failure rejects with a sentence for the shopper. */
export async function payOrder(token: string, orderNo: string): Promise<OrderView> {
  try {
    return await shopApi.pay(token, orderNo);
  } catch (error) {
    throw new Error(paymentError(error));
  }
}

function paymentError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Payment failed. Please try again.';
  switch (error.code) {
    case 'ORDER_NOT_PAYABLE':
      return 'This order can no longer be paid.';
    case 'ORDER_NOT_FOUND':
      return 'This order was not found.';
    case 'UNAUTHORIZED':
      return 'Your session has expired. Please log in again.';
    case NETWORK_ERROR:
      return error.message;
    default:
      // Codes this page does not know (payment may not be deployed yet): the server's own words.
      return `Payment failed: ${error.message}`;
  }
}
